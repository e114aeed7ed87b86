"""Fuzz (hypothesis): random JSON shapes into the reply parser and the archive reader.

Only the documented typed errors (:mod:`core.errors`) may leave ``parse_task_get``; the archive's import
raises nothing but :class:`ArchiveError`, and reading the archive back raises nothing at all. Shapes are
random JSON (NaN, infinities and huge integers included), alone and spliced into a real task, so
the checks deep inside a task are reached, not only the envelope's.
"""
from __future__ import annotations

import copy
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import errors, model, sansio
from core.archive import Archive, ArchiveError
from tests.hostile_shapes import good_task

TASK_ID = "f0220000-1535-0613-0000-000000000001"
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])
scalars = st.one_of(st.none(), st.booleans(), st.text(max_size=20),
                    st.integers(min_value=-(10**40), max_value=10**40),
                    st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([TASK_ID, "20000", "9999-12-31 23:59:59 -14:00", "message", "text", "NaN"]))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(["id", "status_code", "tasks", "result", "items", "sections", "text", "type",
                                     "annotations", "data", "cost", "money_spent", "input_tokens", "datetime",
                                     "url", "title", "x"]) | st.text(max_size=8), inner, max_size=5)),
    max_leaves=25)
# where in a good task a random value goes
PLACES = [("tasks", 0), ("tasks", 0, "status_code"), ("tasks", 0, "id"), ("tasks", 0, "cost"), ("tasks", 0, "data"),
          ("tasks", 0, "result"), ("tasks", 0, "result", 0), ("tasks", 0, "result", 0, "items"),
          ("tasks", 0, "result", 0, "items", 0), ("tasks", 0, "result", 0, "items", 0, "sections", 0),
          ("tasks", 0, "result", 0, "items", 0, "sections", 0, "annotations"),
          ("tasks", 0, "result", 0, "items", 0, "sections", 0, "annotations", 0, "url"),
          ("tasks", 0, "result", 0, "datetime"), ("tasks", 0, "result", 0, "input_tokens"),
          ("tasks", 0, "result", 0, "fan_out_queries"), ("tasks",), ("status_code",)]


def _envelope() -> dict:
    task = good_task(TASK_ID, "gemini")
    return {"version": "0.1", "status_code": 20000, "status_message": "Ok.", "tasks": [task]}


def _spliced(value, place) -> dict:
    """A good reply with ``value`` at ``place``."""
    reply = copy.deepcopy(_envelope())
    where = reply
    for key in place[:-1]:
        where = where[key]
    where[place[-1]] = value
    return reply


replies = st.one_of(json_values, st.builds(_spliced, json_values, st.sampled_from(PLACES)))


@FUZZ
@given(reply=replies, http_status=st.sampled_from([200, 200, 200, 400, 401, 402, 404, 500]))
def test_the_parser_raises_only_its_typed_errors(reply, http_status):
    body = json.dumps(reply).encode()  # NaN and Infinity as Python writes them: JSON readers meet them
    try:
        outcome = sansio.parse_task_get(http_status, body, "gemini", TASK_ID)
    except errors.DataForSEOError:
        return
    assert outcome.task_id == TASK_ID and outcome.status in model.STATUSES
    if outcome.completed:
        assert outcome.record is not None and outcome.record.has_answer


@FUZZ
@given(task=replies.map(lambda r: r["tasks"][0] if isinstance(r, dict) and isinstance(r.get("tasks"), list)
                        and r["tasks"] else r),
       status=st.sampled_from(model.STATUSES), extra=st.dictionaries(st.text(max_size=8), json_values, max_size=3))
def test_the_archive_imports_or_refuses_with_archive_error_and_always_reads_back(tmp_path_factory, task, status,
                                                                                   extra):
    record = {**extra, "engine": "gemini", "task_id": TASK_ID, "fetched_at": "2026-11-20T10:00:00+00:00",
              "status": status, "status_code": 20000, "status_message": "Ok.", "task": task}
    with Archive(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'archive.sqlite'}") as archive:
        try:
            archive.import_jsonl(io.StringIO(json.dumps(record) + "\n"))
        except ArchiveError:
            pass
        for outcome in archive.query(statuses=None) + archive.query():
            assert outcome.status in model.STATUSES
            assert not outcome.completed or outcome.record.has_answer
        archive.completed([TASK_ID])
        archive.facets()
        archive.export_jsonl(io.StringIO())
