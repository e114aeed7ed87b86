"""Hostile replies (issue 14): one malformed reply never loses its batch, never breaks the archive.

A 50-id batch over the three engines goes through the real client (engine detection on, so every id
on another engine's path gets ``40002`` first) against the fake API serving one reply of each shape
of :mod:`tests.hostile_shapes` among good ones, through :func:`core.loader.load` into an archive, on
SQLite and (with ``AIVIS_TEST_POSTGRES_URL``) PostgreSQL. Expected values come from the shapes'
definitions and the good tasks built here, never from the app's output.
"""
from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import datetime

import pytest

from core import errors, model, sansio
from core.archive import Archive, ArchiveError, tasks_table
from core.client import Client
from core.config import Credentials
from core.loader import load
from tests.hostile_shapes import MALFORMED, SHAPES, good_task
from tests.test_archive import ROOT, archive_url, uid  # noqa: F401 (archive_url: SQLite and PostgreSQL)

FAST = dict(backoff=0.01, max_backoff=0.05, timeout=(1.0, 10.0), max_attempts=2, requests_per_minute=600_000)
BATCH = 50
LONG_ID = "aaaaaaaa-1535-0613-0000-000000000001" + "-0123456789abcdef" * 2  # 70 characters


def strict_json(text: str):
    """JSON that holds no NaN or Infinity (Python's reader accepts them; the standard does not)."""
    def refuse(name):
        raise ValueError(f"not strict JSON: {name}")
    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def hostile_batch(fake_api):
    """50 ids over the three engines: one reply of each shape, the rest good. Returns (ids, {id: shape|None},
    {id: engine}, {id: good task})."""
    ids = [uid(n, "cafe") for n in range(BATCH)]
    shape_of, engine_of, good = {}, {}, {}
    for n, task_id in enumerate(ids):
        engine = model.ENGINES[n % 3]
        shape = SHAPES[n // 2] if n % 2 == 0 and n // 2 < len(SHAPES) else None
        task = good_task(task_id, engine, n)
        shape_of[task_id], engine_of[task_id], good[task_id] = shape, engine, task
        if shape is None:
            fake_api.add_task(engine, task)
        else:
            fake_api.add_raw(engine, task_id, shape.build(task))
    assert sum(s is not None for s in shape_of.values()) == len(SHAPES)
    return ids, shape_of, engine_of, good


def _client(api) -> Client:
    return Client(Credentials(api.login, api.password), api.base_url, **FAST)


def _answered(shape_of: dict) -> set[str]:
    """The ids whose reply is an answer: the good ones and the API's own shapes that carry one."""
    return {i for i, s in shape_of.items() if s is None or s.status == model.COMPLETED}


def test_one_bad_reply_of_each_shape_loses_nothing_of_its_batch(fake_api, hostile_batch, archive_url):
    ids, shape_of, engine_of, good = hostile_batch
    with _client(fake_api) as client, Archive(archive_url) as archive:
        batch = load(ids, None, client, archive)
        assert batch.error is None and batch.archive_error is None
        assert [o.task_id for o in batch.outcomes] == ids
        for outcome in batch.outcomes:
            shape = shape_of[outcome.task_id]
            want = shape.status if shape else model.COMPLETED
            assert outcome.status == want, (shape and shape.name, outcome)
            assert not shape or shape.says in outcome.status_message, (shape.name, outcome.status_message)
            if outcome.completed:
                assert outcome.engine == engine_of[outcome.task_id]
                text = good[outcome.task_id]["result"][0]["items"][0]["sections"][0]["text"]
                assert outcome.record.text == text
        requests = fake_api.requests
        assert max(sum(r.path.endswith(i) for r in requests) for i in ids) <= 3

        answered = _answered(shape_of)
        assert set(archive.completed(ids)) == answered | {i for i, s in shape_of.items()
                                                          if s and s.status == model.NO_ANSWER}
        assert {o.task_id for o in archive.query()} == answered  # "open everything" still opens
        rows = {o.task_id: o for o in archive.query(statuses=None)}
        assert set(rows) == set(ids)
        for task_id, shape in shape_of.items():
            if shape in MALFORMED:
                assert rows[task_id].status == model.FAILED and shape.says in rows[task_id].status_message
        unknown = next(i for i, s in shape_of.items() if s and s.name == "unknown_item")
        assert len(rows[unknown].record.unknown_items) == 1

        again = load(ids, None, _client(fake_api), archive)  # the archive answers the final ones
        assert again.from_archive == len(archive.completed(ids))
        assert [o.status for o in again.outcomes] == [o.status for o in batch.outcomes]


def _bad_rows(ids: list[str]) -> str:
    """JSON Lines an older version could have archived: "completed" records whose task is malformed, one of
    each shape that keeps a task (under ``ids``), written as raw text (``1e400`` and ``NaN`` included)."""
    lines = []
    for task_id, shape in zip(ids, [s for s in MALFORMED if s.name not in ("tasks_object", "tasks_number",
                                                                           "nested_deep", "other_id")]):
        body = shape.build(good_task(task_id, "gemini")).decode()
        task = body[body.index('"tasks": [') + len('"tasks": ['):body.rindex("]")]
        lines.append(f'{{"engine": "gemini", "task_id": "{task_id}", "fetched_at": "2026-11-20T10:00:00+00:00", '
                     f'"status": "completed", "status_code": 20000, "status_message": "Ok.", "task": {task}}}')
    return "\n".join(lines) + "\n"


def _cli(*args: str, url: str):
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "AIVIS_ARCHIVE_URL": url, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_bad_rows_imported_or_left_by_older_versions_never_break_the_archive(archive_url, tmp_path):
    good = [good_task(uid(n, "beef"), "claude", n) for n in range(3)]
    bad_ids = [uid(n, "dead") for n in range(20)]
    with Archive(archive_url) as archive:
        archive.save([sansio.outcome_of("claude", t["id"], t) for t in good])
        imported = _bad_rows(bad_ids)
        assert archive.import_jsonl(io.StringIO(imported)) == imported.count("\n")
        rows = {o.task_id: o for o in archive.query(statuses=None)}
        bad = [rows[i] for i in bad_ids if i in rows]
        assert len(bad) == imported.count("\n")
        assert all(o.status == model.FAILED and "malformed reply (field" in o.status_message for o in bad)
        assert {o.task_id for o in archive.query()} == {t["id"] for t in good}

        older = uid(99, "0ld0")  # a row an older version wrote as completed, without today's checks
        task = good_task(older, "gemini")
        task["result"][0]["input_tokens"] = "12a"
        with archive.engine.begin() as conn:
            conn.execute(tasks_table.insert().values(
                task_id=older, engine="gemini", status=model.COMPLETED, status_code=20000, status_message="Ok.",
                fetched_at=datetime(2026, 11, 20, 10), task=task))
        assert older not in archive.completed([older])  # asked of the API again, never an answer
        assert {o.task_id for o in archive.query()} == {t["id"] for t in good} | {older}
        shown = next(o for o in archive.query() if o.task_id == older)
        assert shown.status == model.FAILED and "field result.input_tokens" in shown.status_message

    bad_file = tmp_path / "bad.jsonl"
    bad_file.write_text(_bad_rows([uid(n, "d00d") for n in range(20)]), encoding="utf-8")
    imported = _cli("archive", "import", str(bad_file), url=archive_url)
    assert imported.returncode == 0, imported.stderr
    report = _cli("report", "--format", "json", url=archive_url)
    assert report.returncode == 0 and "Traceback" not in report.stderr, report.stderr
    assert strict_json(report.stdout)["counts"]["completed"] == len(good)
    csv = _cli("report", "--format", "csv", url=archive_url)
    assert csv.returncode == 0 and "Traceback" not in csv.stderr, csv.stderr


def test_an_import_line_that_is_not_a_record_imports_nothing(archive_url):
    with Archive(archive_url) as archive:
        lines = [_bad_rows([uid(1, "dead")]),
                 json.dumps({"engine": "gemini", "task_id": LONG_ID, "fetched_at": "2026-11-20T10:00:00+00:00",
                             "status": "pending", "task": None}) + "\n"]
        with pytest.raises(ArchiveError, match="Line 2 .*task_id is not a task id"):
            archive.import_jsonl(io.StringIO("".join(lines)))
        deep = '{"engine": "gemini", "task": ' + "[" * 200_000 + "]" * 200_000 + "}\n"
        with pytest.raises(ArchiveError, match="Line 1"):
            archive.import_jsonl(io.StringIO(deep))
        assert archive.count(status=None) == 0


def test_an_id_over_64_characters_reaches_neither_a_request_nor_the_archive(fake_api, archive_url):
    good = good_task(uid(1, "f00d"), "gemini", 1)
    fake_api.add_task("gemini", good)
    with _client(fake_api) as client, Archive(archive_url) as archive:
        for engine in (None, "gemini"):
            batch = load([LONG_ID, good["id"]], engine, client, archive)
            assert batch.archive_error is None
            statuses = {o.task_id: o.status for o in batch.outcomes}
            assert statuses == {LONG_ID: model.FAILED, good["id"]: model.COMPLETED}
        traversal = client.fetch_task("gemini", "../../../../appendix/user_data")
        assert traversal.status == model.FAILED and "Not a task id" in traversal.status_message
        with pytest.raises(errors.ConfigurationError):
            sansio.task_get_path("gemini", "abc?x=1&y=2")
        archive.save([model.TaskOutcome(LONG_ID, "gemini", model.PENDING, 40602, "Task In Queue.")])
        assert {o.task_id for o in archive.query(statuses=None)} == {good["id"]}
    assert all(r.path.endswith(good["id"]) or r.path.endswith("user_data") for r in fake_api.requests)


def test_the_cli_fetches_a_hostile_batch_and_reports_it(fake_api, hostile_batch, tmp_path):
    ids, shape_of, engine_of, _ = hostile_batch
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    env_ids = [*ids, LONG_ID]
    env = {"DATAFORSEO_LOGIN": fake_api.login, "DATAFORSEO_PASSWORD": fake_api.password,
           "DATAFORSEO_BASE_URL": fake_api.base_url}
    done = subprocess.run([sys.executable, "-m", "core", "fetch", *env_ids], cwd=ROOT, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AIVIS_ARCHIVE_URL": url, **env},
                          timeout=180)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "malformed id" in done.stderr and LONG_ID[:20] in done.stderr
    rows = [line.split("\t") for line in done.stdout.splitlines()]
    assert [row[0] for row in rows] == ids
    for task_id, engine, status, *_ in rows:
        shape = shape_of[task_id]
        assert status == (shape.status if shape else model.COMPLETED)
        if status == model.COMPLETED:
            assert engine == engine_of[task_id]
    assert not [r.path for r in fake_api.requests if LONG_ID[:36] in r.path]
    report = subprocess.run([sys.executable, "-m", "core", "report", "--format", "json"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AIVIS_ARCHIVE_URL": url})
    assert report.returncode == 0, report.stderr
    assert {t["id"] for t in strict_json(report.stdout)["tasks"]} == _answered(shape_of)
