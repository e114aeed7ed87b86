"""The archive's facts (schema 2): :meth:`Archive.tables` read from them equals :func:`core.tables.build_tables`
over the same raw replies, writes keep them right, and an archive written by the released code (schema 1,
commit e7ddeeb: ``tests/data/archive_schema1.sqlite``, made by ``tests/data/make_archive_schema1.py``) opens,
moves forward and is rebuilt. On SQLite and (with ``AIVIS_TEST_POSTGRES_URL``) PostgreSQL.

Where a stored fact legitimately differs from the raw reply (NUL dropped, a short column cut to its width,
an empty result's column types), the test names the difference and asserts it, never skips it.
"""
from __future__ import annotations

import copy
import io
import json
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import pytest
import sqlalchemy as sa

from core import errors, model, sansio
from core.archive import Archive
from core.archive.schema import answers_table, citations_table, fan_out_table, meta_table
from core.demo import DemoSource, demo_ids
from core.model import TaskOutcome
from core.tables import Tables, build_tables
from tests.hostile_shapes import SHAPES, good_task
from tests.test_archive import archive, archive_url, uid  # noqa: F401 (fixtures: SQLite and PostgreSQL)

SAMPLES = Path(__file__).with_name("samples")
SCHEMA1 = Path(__file__).with_name("data") / "archive_schema1.sqlite"
FRAMES = ("tasks", "citations", "fan_out", "answers")
SAMPLE_ENGINES = {"chat_gpt_no_search": "chat_gpt", "chat_gpt_web_search": "chat_gpt", "claude_reasoning": "claude",
                  "expired": "chat_gpt", "gemini_direct_url": "gemini", "gemini_documented_example": "gemini",
                  "hostile": "chat_gpt", "not_found": "gemini", "pending": "gemini", "wrong_engine": "claude"}
NOT_A_TASK = {"auth_error", "rate_limited"}  # samples of a refused request: no task to store
NUL_SHAPE = "nul_characters"


# -- outcomes ------------------------------------------------------------------------------------------

def sample_outcomes() -> list[TaskOutcome]:
    """Every task reply in tests/samples, parsed as the client parses it (under the engine it was asked of)."""
    assert {path.stem for path in SAMPLES.glob("*.json")} == set(SAMPLE_ENGINES) | NOT_A_TASK  # none left out
    outcomes = []
    for name, engine in SAMPLE_ENGINES.items():
        body = (SAMPLES / f"{name}.json").read_bytes()
        outcomes.append(sansio.parse_task_get(200, body, engine, json.loads(body)["tasks"][0]["id"]))
    return outcomes


def hostile_outcomes() -> dict[str, TaskOutcome]:
    """{shape name: its outcome}, as the client records it: a reply refused whole is a failure without a task."""
    found = {}
    for n, shape in enumerate(SHAPES):
        task_id, engine = uid(n, "cafe"), model.ENGINES[n % 3]
        try:
            found[shape.name] = sansio.parse_task_get(200, shape.build(good_task(task_id, engine, n)), engine, task_id)
        except errors.DataForSEOError as exc:
            found[shape.name] = TaskOutcome(task_id, engine, model.FAILED, exc.code, str(exc))
    return found


def demo_outcomes() -> list[TaskOutcome]:
    return DemoSource().fetch_tasks(demo_ids()).outcomes


# -- comparing ---------------------------------------------------------------------------------------------

def frames(tables: Tables) -> dict[str, pd.DataFrame]:
    return {name: getattr(tables, name).reset_index(drop=True) for name in FRAMES}


def assert_same(got: Tables, want: Tables) -> None:
    want = frames(want)
    for name, frame in frames(got).items():
        pd.testing.assert_frame_equal(frame, want[name], obj=name)


def built(archive: Archive, **filters) -> Tables:
    return build_tables(archive.query(**filters))


def as_stored(want: Tables, task_id: str, cells: dict[str, Callable[[Any], Any]]) -> Tables:
    """``want`` with each named cell of ``task_id``'s rows turned into its stored form; every named change
    must change something (the difference is real, not assumed)."""
    result = {}
    for name, frame in frames(want).items():
        dtypes = frame.dtypes.to_dict()
        rows = frame["task_id"] == task_id
        for column, store in cells.items():
            if column in frame and rows.any():
                frame[column] = frame[column].astype(object)
                stored = frame.loc[rows, column].map(store)
                assert not stored.equals(frame.loc[rows, column]), (name, column, "no difference to document")
                frame.loc[rows, column] = stored
                kind = dtypes[column]  # a category's categories are those its values use, as in every table
                frame[column] = frame[column].astype("category" if isinstance(kind, pd.CategoricalDtype) else kind)
        result[name] = frame
    return Tables(**result)


def without_nul(value: Any) -> Any:
    return value.replace("\x00", "") if isinstance(value, str) else value


def column_text(width: int | None = None) -> Callable[[Any], Any]:
    """The archive's filter columns (model, tag, prompt): NUL dropped, cut to ``width``, empty is null."""
    return lambda value: without_nul(value)[:width] or None if isinstance(value, str) else value


def cut(width: int) -> Callable[[Any], Any]:
    return lambda value: value[:width] if isinstance(value, str) else value


def fact_rows(archive: Archive) -> dict[str, int]:
    with archive.engine.connect() as conn:
        return {table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for table in (answers_table, citations_table, fan_out_table)}


# -- Archive.tables equals build_tables ----------------------------------------------------------------------

def test_tables_equal_build_tables_on_the_demo(archive):
    archive.save(demo_outcomes())
    facets = archive.facets()
    everything = len(archive.query(statuses=None))
    answers = archive.count()
    middle = date(2026, 10, 15)
    for filters in ({"statuses": None}, {}, {"engines": [facets.engines[0]]}, {"engines": "claude", "statuses": None},
                    {"models": facets.models[:2]}, {"tags": [facets.tags[-1]], "engines": facets.engines[1:]},
                    {"since": middle}, {"until": middle, "statuses": None}, {"since": "2026-09-01", "until": middle},
                    {"models": ["gpt-5"], "since": date(2026, 10, 1), "until": date(2026, 11, 30)}):
        want = built(archive, **filters)
        assert 0 < len(want.tasks) < everything or filters in ({"statuses": None}, {}), filters  # a filter narrows
        assert_same(archive.tables(**filters), want)
    assert len(archive.tables().answers) == answers == 70  # the demo's completed answers


def test_tables_equal_build_tables_on_the_samples_and_the_hostile_shapes(archive):
    samples, hostile = sample_outcomes(), hostile_outcomes()
    assert len(samples) == 10 and {o.status for o in samples} >= {model.COMPLETED, model.PENDING, model.EXPIRED}
    assert archive.save(samples + list(hostile.values())) == len(samples) + len(hostile)
    nul = hostile[NUL_SHAPE].task_id
    documented = {"prompt": column_text(), "tag": column_text(500)}  # NUL dropped; a tag of only NUL is none
    for filters in ({"statuses": None}, {}, {"engines": ["chat_gpt"]}, {"tags": ["hostile-batch"]},
                    {"since": date(2026, 11, 16), "until": date(2026, 11, 16), "statuses": None}):
        want, got = built(archive, **filters), archive.tables(**filters)
        if nul in set(want.tasks["task_id"]):
            assert want.tasks.set_index("task_id").loc[nul, "prompt"] == "a\x00b"
            stored = got.tasks.set_index("task_id").loc[nul]
            assert stored["prompt"] == "ab" and pd.isna(stored["tag"])
            want = as_stored(want, nul, documented)
        assert_same(got, want)
    every = archive.tables(statuses=None).tasks.set_index("task_id")["status"]
    assert {name: every[o.task_id] for name, o in hostile.items()} == {s.name: s.status for s in SHAPES}


def test_stored_facts_drop_nul_and_cut_short_columns_to_their_width(archive):
    task = good_task(uid(1), "gemini", 1)
    result = task["result"][0]
    result["datetime"] = "2026-11-01 01:30:15 +02:00"  # the day before in UTC
    task["data"]["tag"], task["data"]["model_name"] = "t" * 600, "m" * 300
    result["model_name"] = "m" * 300
    section = result["items"][0]["sections"][0]
    section["text"], result["fan_out_queries"] = "ans\x00wer", ["q\x00uery"]
    note = section["annotations"][0]
    note["title"], note["url"] = "ti\x00tle", f"https://{'h' * 300}.example/page"
    archive.save([sansio.outcome_of("gemini", uid(1), task), sansio.outcome_of("claude", uid(2), good_task(uid(2), "claude", 2))])
    documented = {"model": column_text(200), "tag": column_text(500), "host": cut(255), "domain": cut(255),
                  "title": without_nul, "query": without_nul, "text": without_nul}
    for filters in ({}, {"until": date(2026, 10, 31)}, {"engines": "gemini"}):
        want = built(archive, **filters)
        assert uid(1) in set(want.tasks["task_id"])
        assert_same(archive.tables(**filters), as_stored(want, uid(1), documented))


def test_an_empty_result_has_the_same_rows_and_sharper_column_types(archive):
    """build_tables of no outcomes leaves count columns as object; the archive's reader types them. Documented:
    the values (none) and columns are equal, these dtypes differ."""
    archive.save(sample_outcomes())
    for filters in ({"models": []}, {"tags": ["none such"], "statuses": None}, {"until": date(2000, 1, 1)}):
        got, want = frames(archive.tables(**filters)), frames(built(archive, **filters))
        for name in FRAMES:
            assert got[name].empty and want[name].empty
            pd.testing.assert_frame_equal(got[name], want[name], check_dtype=False, obj=name)
            differ = {c: (str(got[name][c].dtype), str(want[name][c].dtype)) for c in got[name]
                      if got[name][c].dtype != want[name][c].dtype}
            expected = {"tasks": {c: ("int64", "object") for c in ("input_tokens", "output_tokens", "reasoning_tokens",
                                                                   "citations", "fan_out_queries", "unknown_items")},
                        "answers": {"web_search": ("bool", "object")}}.get(name, {})
            assert differ == expected, name


# -- writes keep the facts right -----------------------------------------------------------------------------

def raw_counts(task: dict) -> dict[str, int]:
    """Citation, fan-out and answer rows one completed reply holds, counted from its JSON."""
    result = task["result"][0]
    notes = [note for item in result["items"] if item["type"] == "message" for section in item["sections"]
             for note in section.get("annotations") or []]
    return {"aivis_answers": 1, "aivis_citations": len(notes), "aivis_fan_out": len(result.get("fan_out_queries") or [])}


def test_a_completed_result_over_a_pending_row_writes_its_facts_once(archive):
    reply = json.loads((SAMPLES / "gemini_direct_url.json").read_text(encoding="utf-8"))
    task = reply["tasks"][0]
    done = sansio.outcome_of("gemini", task["id"], task)
    expected = raw_counts(task)
    assert expected == {"aivis_answers": 1, "aivis_citations": 5, "aivis_fan_out": len(task["result"][0]["fan_out_queries"])}

    assert archive.save([TaskOutcome(task["id"], "gemini", model.PENDING, 40602, "Task In Queue.")]) == 1
    assert fact_rows(archive) == dict.fromkeys(expected, 0) and archive.stale_facts() == 0
    pending = archive.generation()
    assert pending
    assert archive.save([done]) == 1
    assert fact_rows(archive) == expected and archive.stale_facts() == 0
    written = archive.generation()
    assert written != pending
    assert archive.save([done]) == 0  # the same final result again: a no-op
    assert archive.save([TaskOutcome(task["id"], "gemini", model.EXPIRED, 40403, "Results Expired.")]) == 0
    assert fact_rows(archive) == expected and archive.generation() == written
    assert_same(archive.tables(), built(archive))


def test_saving_the_same_results_twice_keeps_one_row_of_each_fact(archive):
    outcomes = [o for o in demo_outcomes() if o.completed][:20]
    expected = {name: sum(raw_counts(o.task)[name] for o in outcomes) for name in raw_counts(outcomes[0].task)}
    assert archive.save(outcomes) == 20 and fact_rows(archive) == expected
    generation = archive.generation()
    assert archive.save(outcomes) == 0 and archive.save(outcomes[::-1] + outcomes) == 0
    assert fact_rows(archive) == expected and archive.generation() == generation
    assert archive.save([o for o in demo_outcomes() if o.status == model.PENDING]) > 0
    assert archive.generation() != generation and fact_rows(archive) == expected


def test_import_writes_the_facts(archive, tmp_path):
    outcomes = demo_outcomes()
    with Archive(f"sqlite:///{tmp_path / 'source.sqlite'}") as source:
        source.save(outcomes)
        exported = io.StringIO()
        source.export_jsonl(exported)
    before = archive.generation()
    assert archive.import_jsonl(io.StringIO(exported.getvalue())) == len(outcomes)
    assert archive.stale_facts() == 0 and archive.generation() != before
    done = [o for o in outcomes if o.completed]
    assert fact_rows(archive) == {name: sum(raw_counts(o.task)[name] for o in done) for name in raw_counts(done[0].task)}
    assert_same(archive.tables(statuses=None), built(archive, statuses=None))
    after = archive.generation()
    assert archive.import_jsonl(io.StringIO(exported.getvalue())) == 0 and archive.generation() == after


# -- an archive written by the released code (schema 1) -----------------------------------------------------------

V1 = sa.MetaData()  # frozen: aivis_tasks, aivis_id_lists and aivis_meta as commit e7ddeeb created them
V1_TASKS = sa.Table(
    "aivis_tasks", V1,
    sa.Column("task_id", sa.String(64), primary_key=True),
    sa.Column("engine", sa.String(32), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("status_code", sa.Integer),
    sa.Column("status_message", sa.Text, nullable=False, server_default=""),
    sa.Column("fetched_at", sa.DateTime, nullable=False),
    sa.Column("task_datetime", sa.DateTime),
    sa.Column("model", sa.String(200)),
    sa.Column("tag", sa.String(500)),
    sa.Column("prompt", sa.Text),
    sa.Column("prompt_hash", sa.String(16)),
    sa.Column("task", sa.JSON(none_as_null=True)),
    sa.Index("ix_aivis_tasks_engine", "engine"),
    sa.Index("ix_aivis_tasks_status_datetime", "status", "task_datetime"),
    sa.Index("ix_aivis_tasks_model", "model"),
    sa.Index("ix_aivis_tasks_tag", "tag"),
    sa.Index("ix_aivis_tasks_prompt_hash", "prompt_hash"),
)
sa.Table("aivis_id_lists", V1, sa.Column("ref", sa.String(32), primary_key=True), sa.Column("ids", sa.Text, nullable=False),
         sa.Column("id_count", sa.Integer, nullable=False), sa.Column("created_at", sa.DateTime, nullable=False))
V1_META = sa.Table("aivis_meta", V1, sa.Column("key", sa.String(64), primary_key=True),
                   sa.Column("value", sa.Text, nullable=False))
SCHEMA1_ROWS = 34  # 24 completed, 4 pending, 2 expired, 2 not found, 1 failed, 1 completed without an answer
OLDER = uid(99, "0ld0")  # a row the old code stored as completed that today's reader refuses


def schema1_rows() -> list[dict[str, Any]]:
    engine = sa.create_engine(f"sqlite:///{SCHEMA1}")
    with engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(sa.select(V1_TASKS).order_by(V1_TASKS.c.task_id))]
    engine.dispose()
    return rows


def older_row() -> dict[str, Any]:
    task = good_task(OLDER, "gemini")
    task["result"][0]["input_tokens"] = "12a"
    return {"task_id": OLDER, "engine": "gemini", "status": model.COMPLETED, "status_code": 20000,
            "status_message": "Ok.", "fetched_at": datetime(2026, 11, 20, 10), "task_datetime": datetime(2026, 11, 16, 9),
            "model": "model-gemini", "tag": "hostile-batch", "prompt": "Prompt 0", "prompt_hash": None, "task": task}


@pytest.fixture
def schema1_url(archive_url, tmp_path):
    """``archive_url`` holding the released code's archive: the SQLite fixture file itself, or on PostgreSQL
    the schema-1 tables made from their frozen definitions with the fixture's rows; plus :func:`older_row`."""
    if archive_url.startswith("sqlite"):
        shutil.copyfile(SCHEMA1, sa.make_url(archive_url).database)
        engine = sa.create_engine(archive_url)
    else:
        engine = sa.create_engine(archive_url)
        with engine.begin() as conn:
            V1.create_all(conn)
            conn.execute(sa.insert(V1_TASKS), schema1_rows())
            conn.execute(sa.insert(V1_META).values(key="schema_version", value="1"))
    with engine.begin() as conn:
        conn.execute(sa.insert(V1_TASKS).values(older_row()))
    engine.dispose()
    return archive_url


def test_the_schema1_fixture_is_what_the_released_code_wrote():
    rows = schema1_rows()
    assert len(rows) == SCHEMA1_ROWS and SCHEMA1.stat().st_size < 300_000
    statuses = pd.Series([row["status"] for row in rows]).value_counts().to_dict()
    assert statuses == {model.COMPLETED: 24, model.PENDING: 4, model.EXPIRED: 2, model.NOT_FOUND: 2,
                        model.FAILED: 1, model.NO_ANSWER: 1}
    demo = {o.task_id: o for o in demo_outcomes()}
    assert all(row["task"] == demo[row["task_id"]].task for row in rows if row["task"] is not None)


def test_an_archive_from_the_released_code_moves_forward(schema1_url):
    with Archive(schema1_url) as archive:
        with archive.engine.connect() as conn:
            version = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")).scalar_one()
        assert version == "2"
        assert archive.stale_facts() == archive.count(None) == SCHEMA1_ROWS + 1
        assert fact_rows(archive) == dict.fromkeys(("aivis_answers", "aivis_citations", "aivis_fan_out"), 0)
        opened = archive.generation()

        got = archive.tables(statuses=None)  # rebuilds the stale facts first
        assert archive.stale_facts() == 0 and archive.generation() != opened
        assert_same(got, built(archive, statuses=None))
        assert_same(archive.tables(), built(archive))
        assert_same(archive.tables(engines=["claude"], since=date(2026, 10, 1)),
                    built(archive, engines=["claude"], since=date(2026, 10, 1)))
        older = got.tasks.set_index("task_id").loc[OLDER]
        assert older["status"] == model.FAILED and "field result.input_tokens" in older["status_message"]
        assert OLDER not in set(archive.tables().tasks["task_id"])
        done = [o for o in archive.query() if o.completed]
        assert len(done) == 24
        assert fact_rows(archive) == {name: sum(raw_counts(o.task)[name] for o in done) for name in raw_counts(done[0].task)}

        rebuilt, progress = archive.generation(), []
        assert archive.rebuild_facts(everything=True, progress=lambda *done_total: progress.append(done_total)) \
            == SCHEMA1_ROWS + 1
        assert progress[-1] == (SCHEMA1_ROWS + 1, SCHEMA1_ROWS + 1)
        assert archive.generation() != rebuilt and archive.stale_facts() == 0
        assert archive.rebuild_facts() == 0
        assert_same(archive.tables(statuses=None), built(archive, statuses=None))
    with Archive(schema1_url) as again:  # opening it again changes nothing
        assert again.stale_facts() == 0 and again.count(None) == SCHEMA1_ROWS + 1
