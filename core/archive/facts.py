"""The facts of one outcome as the archive stores them beside its raw reply: pure, no I/O.

The same readings :mod:`core.tables` makes (request fields, usage, citations with their attributed site,
fan-out queries, the answer's text), so a table read back from the facts equals one built from the raw
replies. Written at save and import; :meth:`core.archive.Archive.rebuild_facts` writes them again from
the raw replies when ``FACTS_VERSION`` changes or an archive from before the facts is opened.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from core.archive.schema import FACT_COLUMNS
from core.model import TaskOutcome
from core.tables import citation_rows, request_and_usage

FACTS_VERSION = 1  # raise it when a reading changes: rows with an older version are rebuilt
TEXT_WIDTHS = {"country": 200, "city": 200, "host": 255, "domain": 255}  # indexed or short columns
NO_FACTS = dict.fromkeys(name for name in FACT_COLUMNS if name != "facts")  # a task without a reading: all null


class FactRows(NamedTuple):
    columns: dict[str, Any]  # the aivis_tasks fact columns
    answer: dict[str, Any] | None  # the aivis_answers row of a completed answer
    citations: list[dict[str, Any]]
    fan_out: list[dict[str, Any]]


def fact_rows(outcome: TaskOutcome) -> FactRows:
    """The facts of ``outcome``: its usage columns when it has a reading; its answer, citations and fan-out
    queries when it is a completed answer (the tables hold those only for answers)."""
    record = outcome.record
    if record is None:
        return FactRows({**NO_FACTS, "facts": FACTS_VERSION}, None, [], [])
    task_id = outcome.task_id
    citations = [_stored(row) for row in citation_rows({"task_id": task_id}, record.sections)]
    columns = {**_stored({name: value for name, value in request_and_usage(record, len(citations)).items()
                          if name in NO_FACTS}), "facts": FACTS_VERSION}
    if not outcome.completed:
        return FactRows(columns, None, [], [])
    answer = {"task_id": task_id, "text": _text(record.text), "reasoning": _text(record.reasoning),
              "sections": len(record.sections)}
    fan_out = [{"task_id": task_id, "position": n, "query": _text(query)}
               for n, query in enumerate(record.fan_out_queries, 1)]
    return FactRows(columns, answer, citations, fan_out)


def _stored(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` (changed in place: a new dict per row was a tenth of the facts' time) with text without NUL
    (PostgreSQL's text refuses it) and short columns cut to their width."""
    for name, value in row.items():
        if isinstance(value, str):
            if "\x00" in value:
                value = row[name] = value.replace("\x00", "")
            if name in TEXT_WIDTHS:
                row[name] = value[:TEXT_WIDTHS[name]]
    return row


def _text(value: str) -> str:
    return value.replace("\x00", "") if isinstance(value, str) else ""
