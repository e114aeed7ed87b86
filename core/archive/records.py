"""Rows of the archive from task outcomes and back, and the archive's small records: pure, no I/O.

Stored replies are read again through :func:`core.sansio.outcome_of` (checked like a reply from the
API); only strict JSON is stored; text columns are cut to their width and never hold NUL.
"""
from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import IO, Any, Iterator

from core import model, sansio
from core.archive.facts import fact_rows
from core.archive.schema import CHUNK, ArchiveError
from core.ids import is_task_id
from core.model import TaskOutcome

@dataclass(frozen=True)
class Facets:
    """What the completed results in the archive span: the choices of the filter widgets."""

    engines: list[str]
    models: list[str]
    tags: list[str]
    first: datetime | None  # the earliest answer datetime (UTC)
    last: datetime | None
    count: int


@dataclass(frozen=True)
class CollectionRecord:
    """What the last collection did: when it ran (UTC) and its counts; ``error`` if it stopped early."""

    started: datetime
    finished: datetime
    listed: int
    new: int
    already_archived: int
    failed: int
    error: str | None = None


LAST_COLLECTION = "last_collection"  # the aivis_meta key of the CollectionRecord (JSON)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def stored_outcome(task_id: str, engine: str, task: Any) -> TaskOutcome:
    """A stored reply read (and checked) again, under the id and engine it was archived with."""
    if isinstance(task, str):  # a JSON column some drivers return as text
        try:
            task = json.loads(task)
        except ValueError:
            task = None
    if not isinstance(task, dict):
        return TaskOutcome(task_id, engine, model.FAILED, None, "The archived task has no readable JSON")
    return sansio.outcome_of(engine, task_id, task)


FACTS = "_facts"  # the key of a row's FactRows: written to the fact tables, not a column of aivis_tasks


def row_of(outcome: TaskOutcome, fetched_at: datetime) -> dict[str, Any]:
    """The table row of an outcome: its raw task when it has one, the filter columns of its reading and its
    facts (:mod:`core.archive.facts`; the answer, citations and fan-out rows under ``FACTS``)."""
    record, facts = outcome.record, fact_rows(outcome)
    prompt = column_text(record.prompt) if record else None
    return {
        "task_id": outcome.task_id, "engine": outcome.engine, "status": outcome.status,
        "status_code": outcome.status_code, "status_message": column_text(outcome.status_message, 2000) or "",
        "fetched_at": naive_utc(fetched_at), "task_datetime": naive_utc(record.datetime) if record and record.datetime else None,
        "model": column_text(record.model, 200) if record else None,
        "tag": column_text(record.tag, 500) if record else None, "prompt": prompt,
        "prompt_hash": hashlib.sha256(prompt.encode("utf-8")).hexdigest()[:16] if prompt else None,
        "task": storable(outcome.task), **facts.columns, FACTS: facts,
    }


class JsonText(str):
    """A JSON column's value already serialized (by :func:`storable`): :func:`json_column` writes it as it is."""


def json_column(value: Any) -> str:
    """The engines' JSON serializer: the text :func:`storable` made is not serialized a second time (a reply is
    ~3 kB: encoding it twice was a tenth of an import's time); anything else is ``json.dumps``, as by default."""
    return value if isinstance(value, JsonText) else json.dumps(value)


def storable(task: Any) -> JsonText | None:
    """The raw task as JSON text if it is strict JSON, else None: PostgreSQL refuses NaN and Infinity
    (``1e400``), and one such reply must not sink the save of its whole batch (its status message says
    what was wrong)."""
    if not isinstance(task, dict):
        return None
    try:
        return JsonText(json.dumps(task, allow_nan=False))
    except (ValueError, TypeError, RecursionError):
        return None


def imported_row(line: str, number: int) -> dict[str, Any]:
    def bad(why: str) -> ArchiveError:
        return ArchiveError(f"Line {number} of the import is not an archive record: {why}. Nothing was imported.")

    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        raise bad("not JSON") from None
    if not isinstance(record, dict):
        raise bad("not a JSON object")
    task_id, engine, status = record.get("task_id"), record.get("engine"), record.get("status")
    task_id = task_id.strip().lower() if isinstance(task_id, str) else ""
    if not is_task_id(task_id):
        raise bad("task_id is not a task id (8-4-4-4-12 letters and digits)")
    if engine not in model.ENGINES:
        raise bad(f"engine {str(engine)[:40]!r} is not one of {', '.join(model.ENGINES)}")
    if status not in model.STATUSES:
        raise bad(f"status {str(status)[:40]!r} is unknown")
    task = record.get("task")
    if status in model.FINAL_STATUSES and not isinstance(task, dict):
        raise bad("a completed record without its task")
    try:
        fetched_at = datetime.fromisoformat(record["fetched_at"])
        naive_utc(fetched_at)
    except (KeyError, TypeError, ValueError, OverflowError):
        raise bad("fetched_at is not an ISO 8601 date-time") from None
    if isinstance(task, dict) and str(task.get("id", task_id)).strip().lower() != task_id:
        raise bad("its task holds another id than task_id")
    if isinstance(task, dict):  # the reply is checked like one from the API: a bad one is kept as failed
        outcome = sansio.outcome_of(engine, task_id, task)
    else:
        outcome = TaskOutcome(task_id, engine, status, sansio.code_of(record.get("status_code")),
                              str(record.get("status_message") or "")[:2000])
    return row_of(outcome, fetched_at)


def naive_utc(when: datetime) -> datetime:
    """UTC without tzinfo: how the archive stores every datetime (naive input is taken as UTC)."""
    return when.astimezone(timezone.utc).replace(tzinfo=None) if when.tzinfo else when


def aware_utc(when: datetime | None) -> datetime | None:
    if isinstance(when, str):
        when = datetime.fromisoformat(when)
    return when.replace(tzinfo=timezone.utc) if when is not None and when.tzinfo is None else when


def is_day(value: date | datetime | str) -> bool:
    if isinstance(value, str):
        return len(value.strip()) == 10
    return not isinstance(value, datetime)


def bound(value: date | datetime | str, end: bool) -> datetime:
    """A filter bound as naive UTC; a day's ``end`` is the start of the next day."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip()) if is_day(value) else datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD) or an ISO 8601 date-time") from None
    if isinstance(value, datetime):
        return naive_utc(value)
    return datetime.combine(value + timedelta(days=1) if end else value, time())


def column_text(value: Any, limit: int | None = None) -> str | None:
    """Text for a column: NUL characters dropped (PostgreSQL's text refuses them), cut to ``limit``."""
    return value.replace("\x00", "")[:limit] or None if isinstance(value, str) and value else None


def text_writer(fileobj: IO):
    """A function writing text to ``fileobj``, text or binary."""
    if isinstance(fileobj, io.TextIOBase) or "b" not in getattr(fileobj, "mode", "b"):
        return fileobj.write
    return lambda text: fileobj.write(text.encode("utf-8"))
