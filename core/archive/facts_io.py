"""Writing the facts (:mod:`core.archive.facts`) into the archive, rebuilding them from the raw replies,
and moving an archive's schema forward. Every function runs inside a transaction its caller opened.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core import model
from core.archive.facts import FACTS_VERSION, FactRows
from core.archive.records import FACTS, chunks, row_of, stored_outcome
from core.archive.schema import (CHUNK, FACT_COLUMNS, FACT_TABLES, answers_table, citations_table,
                                 fan_out_table, tasks_table)
from core.model import TaskOutcome

# What a rebuild writes again: the reading's facts, and its status and filter columns, which change with it
# (a reply an older version took for an answer may read as failed now: no model, date or prompt then).
REREAD = (*FACT_COLUMNS, "status", "status_code", "status_message", "task_datetime", "model", "tag", "prompt",
          "prompt_hash")


def write_facts(conn: Connection, facts: dict[str, FactRows]) -> None:
    """Replace the answer, citation and fan-out rows of these task ids by ``facts``."""
    ids = list(facts)
    for table in FACT_TABLES:
        for chunk in chunks(ids):
            conn.execute(sa.delete(table).where(table.c.task_id.in_(chunk)))
    for table, rows in ((answers_table, [f.answer for f in facts.values() if f.answer]),
                        (citations_table, [row for f in facts.values() for row in f.citations]),
                        (fan_out_table, [row for f in facts.values() for row in f.fan_out])):
        if rows:
            insert_many(conn, table, rows)


def insert_many(conn: Connection, table: sa.Table, rows: list[dict]) -> None:
    """Insert ``rows`` (a value for every column of ``table``) with one driver-level executemany: fact rows
    hold only text, numbers and booleans, which need none of SQLAlchemy's per-row parameter processing
    (that processing was a fifth of an import's time)."""
    compiled = sa.insert(table).compile(dialect=conn.dialect)
    if compiled.positional:  # SQLite's qmark style: values in the statement's order
        names = compiled.positiontup
        conn.exec_driver_sql(compiled.string, [tuple(row[name] for name in names) for row in rows])
    else:
        conn.exec_driver_sql(compiled.string, rows)


def rebuild_batch(conn: Connection, after: str, everything: bool) -> tuple[int, str | None]:
    """Write the facts of the next ``CHUNK`` rows after task id ``after`` (only rows without current facts
    unless ``everything``); returns how many rows and the last id (None when no row was left).

    A stored reply that no longer reads as an answer (written by an older version) is marked failed,
    saying why, with the filter columns of a failure (no model, date, tag or prompt), so it is neither
    counted nor shown, and the next load asks the API again.
    """
    t = tasks_table.c
    stmt = sa.select(t.task_id, t.engine, t.status, t.status_code, t.status_message, t.task).where(t.task_id > after)
    if not everything:
        stmt = stmt.where(sa.or_(t.facts.is_(None), t.facts < FACTS_VERSION))
    rows = conn.execute(stmt.order_by(t.task_id).limit(CHUNK)).all()
    if not rows:
        return 0, None
    facts, updates = {}, []
    for task_id, engine, status, code, message, task in rows:
        if status in model.FINAL_STATUSES:
            outcome = stored_outcome(task_id, engine, task)
        else:  # no reading: pending, failed, or a malformed reply kept for the record
            outcome = TaskOutcome(task_id, engine, status, code, message or "")
        row = row_of(outcome, datetime.min)  # the columns a save of this reading writes (fetched_at is kept)
        facts[task_id] = row[FACTS]
        updates.append({"key": task_id, **{name: row[name] for name in REREAD}})
    conn.execute(sa.update(tasks_table).where(t.task_id == sa.bindparam("key")).values(
        {name: sa.bindparam(name) for name in REREAD}), updates)
    write_facts(conn, facts)
    return len(rows), rows[-1][0]


def stale_count(conn: Connection) -> int:
    """How many rows lack current facts (an archive from before them, or facts of an older reading)."""
    t = tasks_table.c
    return int(conn.execute(sa.select(sa.func.count()).where(
        sa.or_(t.facts.is_(None), t.facts < FACTS_VERSION))).scalar_one())


def add_missing_columns(conn: Connection) -> list[str]:
    """Add the columns of ``aivis_tasks`` an older schema lacks (they start null: facts not yet written)."""
    present = {column["name"] for column in sa.inspect(conn).get_columns(tasks_table.name)}
    added = []
    for column in tasks_table.columns:
        if column.name not in present:
            kind = column.type.compile(dialect=conn.dialect)
            conn.execute(sa.text(f"ALTER TABLE {tasks_table.name} ADD COLUMN {column.name} {kind}"))
            added.append(column.name)
    return added

