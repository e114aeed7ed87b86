"""The archive's facts read back as :class:`core.tables.Tables`, filtered in the database.

No raw reply is parsed and no link attributed again: the rows come from the fact columns and tables
written with each reply, so opening a year of answers costs one query per table. The frames equal
those :func:`core.tables.build_tables` makes from the same replies (the tests hold them to it); a child
row's context (engine, model, prompt, date) is taken from its task's row, sharing its values.
"""
from __future__ import annotations

from typing import Any, Iterator, Mapping

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.archive.schema import CHUNK, answers_table, citations_table, fan_out_table, tasks_table
from core.model import COMPLETED
from core.tables import COLUMNS, CONTEXT, NO_USAGE, Tables, add_spend, typed

_NOT_NULL = {name: value for name, value in NO_USAGE.items() if value is not None}  # stored null: no usage


TASK_ROW = ("task_id", "engine", "status_code", "status", "status_message", "model")
ORDER = (tasks_table.c.task_datetime.is_(None), tasks_table.c.task_datetime, tasks_table.c.task_id)  # oldest answer first


def task_rows(conn: Connection, where: list[Any]) -> Iterator[sa.Row]:
    """The ``TASK_ROW`` columns of the tasks matching ``where``, oldest answer first, fetched in chunks
    (memory stays flat whatever their number)."""
    stmt = sa.select(*(tasks_table.c[name] for name in TASK_ROW)).where(*where).order_by(*ORDER)
    yield from conn.execution_options(yield_per=CHUNK).execute(stmt)


def read_tables(conn: Connection, where: list[Any], prices: Mapping[str, float], narrowed: bool = True) -> Tables:
    """The four tables of the tasks matching ``where`` (conditions on ``aivis_tasks``), oldest answer first.

    ``narrowed=False`` says ``where`` holds no condition but on the status: the answers' rows are then read
    whole, without a join (only completed answers have them), as the archive view reads them."""
    t, order = tasks_table.c, ORDER
    columns = [t.task_datetime.label(name) if name == "datetime" else t[name]
               for name in COLUMNS["tasks"] if name not in ("task_price", "spend", "spend_estimated")]
    tasks = _frame(conn.execute(sa.select(*columns).where(*where).order_by(*order)), [c.name for c in columns])
    tasks = tasks.fillna(_NOT_NULL).astype({name: type(value) for name, value in _NOT_NULL.items()})
    tasks = add_spend(typed(tasks.reindex(columns=COLUMNS["tasks"])), prices)
    answered = [*where, t.status == COMPLETED]
    task_rows_of = pd.Index(tasks["task_id"]).get_indexer

    def children(table: sa.Table, names: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
        """The rows of ``table`` for the answered tasks in the tasks' order (then by position), and the task
        row of each; sorted here rather than by the database, which would sort the joined rows on disk."""
        stmt = sa.select(*(table.c[name] for name in names))
        if narrowed:
            stmt = stmt.join_from(table, tasks_table, table.c.task_id == t.task_id).where(*answered)
        frame = _frame(conn.execute(stmt), names)
        rows = task_rows_of(frame["task_id"])
        order = np.lexsort((frame["position"].to_numpy(), rows)) if "position" in frame else np.argsort(rows, kind="stable")
        order = order[rows[order] >= 0]  # the rows of tasks not read (their status was not asked for)
        return frame.take(order).reset_index(drop=True), rows[order]

    def with_context(found: tuple[pd.DataFrame, np.ndarray], name: str, **more: pd.Series) -> pd.DataFrame:
        frame, rows = found
        context = {column: _taken(tasks[column], rows) for column in CONTEXT}
        return typed(frame.drop(columns="task_id").assign(**context, **{
            column: _taken(tasks[column], rows) for column in more}).reindex(columns=COLUMNS[name]))

    own = {"citations": [c for c in COLUMNS["citations"] if c not in CONTEXT],
           "fan_out": ["position", "query"], "answers": ["text", "reasoning", "sections"]}
    citations = with_context(children(citations_table, ["task_id", *own["citations"]]), "citations")
    fan_out = with_context(children(fan_out_table, ["task_id", *own["fan_out"]]), "fan_out")
    answers = with_context(children(answers_table, ["task_id", *own["answers"]]), "answers", web_search=True)
    answers["web_search"] = answers["web_search"].fillna(False).astype(bool)
    return Tables(tasks, citations, fan_out, answers)


READ_ROWS = 100_000  # rows turned into columns at a time: the rows of a year's citations never all wait as tuples


def _frame(result: sa.CursorResult, names: list[str]) -> pd.DataFrame:
    """A frame of the result's rows, built column by column (pandas' row by row construction probes every
    SQLAlchemy row for attributes it lacks: 15 s for 850k rows), ``READ_ROWS`` at a time."""
    parts = [pd.DataFrame({name: list(values) for name, values in zip(names, zip(*rows))}, columns=names)
             for rows in result.partitions(READ_ROWS)]
    if not parts:
        return pd.DataFrame(columns=names)
    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)


def _taken(column: pd.Series, rows) -> pd.Series:
    """``column``'s values at ``rows``, reindexed from 0; a categorical keeps only the categories it uses."""
    taken = column.take(rows).reset_index(drop=True)
    return taken.cat.remove_unused_categories() if isinstance(taken.dtype, pd.CategoricalDtype) else taken
