"""ui.data.ArchiveView: the archive's tables are read once per generation and shared; after a write a large
archive is read again behind the viewers, who keep what they have meanwhile."""
from __future__ import annotations

import threading

from core.archive import Archive
from core.demo import DemoSource, demo_ids
from core.model import COMPLETED
from ui import data


def _archive(tmp_path) -> tuple[Archive, list]:
    outcomes = DemoSource().fetch_tasks(demo_ids()).outcomes
    return Archive(f"sqlite:///{tmp_path / 'view.sqlite'}"), outcomes


def _answered(outcomes) -> set[str]:
    return {o.task_id for o in outcomes if o.status == COMPLETED}


def test_one_read_per_generation_shared_by_every_viewer(tmp_path, monkeypatch):
    store, outcomes = _archive(tmp_path)
    store.save(outcomes)
    reads = []
    read_now = data.ArchiveView._read_now
    monkeypatch.setattr(data.ArchiveView, "_read_now", lambda self, *a: reads.append(a[1]) or read_now(self, *a))
    view = data.ArchiveView("key", ())
    first = view.get(store, store.generation(), False)
    again = view.get(store, store.generation(), False)
    assert first is again and len(reads) == 1
    assert set(first.ids) == _answered(outcomes) and not first.refreshing


def test_a_small_archive_is_read_again_at_once_after_a_write(tmp_path):
    store, outcomes = _archive(tmp_path)
    half = len(outcomes) // 2
    store.save(outcomes[:half])
    view = data.ArchiveView("key", ())
    assert set(view.get(store, store.generation(), False).ids) == _answered(outcomes[:half])
    store.save(outcomes[half:])
    after = view.get(store, store.generation(), False)
    assert set(after.ids) == _answered(outcomes) and not after.refreshing


def test_a_large_archive_is_read_again_behind_the_viewers(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "SYNC_READ_ANSWERS", 0)  # every archive counts as large
    store, outcomes = _archive(tmp_path)
    half = len(outcomes) // 2
    store.save(outcomes[:half])
    view = data.ArchiveView("key", ())
    before = view.get(store, store.generation(), False)
    release = threading.Event()
    read_now = data.ArchiveView._read_now
    monkeypatch.setattr(data.ArchiveView, "_read_now", lambda self, *a: release.wait(10) and read_now(self, *a))
    store.save(outcomes[half:])
    generation = store.generation()
    meanwhile = view.get(store, generation, False)
    assert meanwhile.refreshing and meanwhile.ids == before.ids  # the older answers, told they are older
    assert view.get(store, generation, False).ids == before.ids  # one background read, not one per rerun
    assert [t.name for t in threading.enumerate()].count("aivis-archive-read") == 1
    release.set()
    for thread in threading.enumerate():
        if thread.name == "aivis-archive-read":
            thread.join(10)
    after = view.get(store, generation, False)
    assert set(after.ids) == _answered(outcomes) and not after.refreshing


def test_brand_mentions_are_scanned_once_per_answer_across_archive_reads(tmp_path, monkeypatch):
    from core.demo import demo_brands
    from core.mentions import mentions_table

    store, outcomes = _archive(tmp_path)
    half = len(outcomes) // 2
    brands = demo_brands()
    scanned = []
    monkeypatch.setattr(data, "mentions_table", lambda answers, *a, **k: scanned.append(len(answers))
                        or mentions_table(answers, *a, **k))
    view, scan = data.ArchiveView("key", ()), data.MentionScan()
    store.save(outcomes[:half])
    first = scan.of(view.get(store, store.generation(), False).tables, brands)
    store.save(outcomes[half:])
    tables = view.get(store, store.generation(), False).tables
    both = scan.of(tables, brands)
    assert scan.of(tables, brands) is both  # a rerun: nothing scanned
    assert scanned == [len(_answered(outcomes[:half])), len(_answered(outcomes)) - len(_answered(outcomes[:half]))]
    whole = mentions_table(tables.answers, brands, snippets=False)  # the same rows as one scan of everything
    key = ["task_id", "name"]
    assert both.sort_values(key).reset_index(drop=True).equals(whole.sort_values(key).reset_index(drop=True))
    assert len(first) < len(both)
