"""The :class:`Archive`: open, read, write, import and export the store at a SQLAlchemy URL."""
from __future__ import annotations

import gc
import hashlib
import json
import uuid
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Mapping

import pandas as pd

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import URL, Connection, Engine

from core import model
from core.archive.connect import WriteTransaction, is_memory, sqlite_engine
from core.archive.errors import Guard, explain, parse_url
from core.archive.facts_io import add_missing_columns, rebuild_batch, stale_count, write_facts
from core.archive.records import (FACTS, LAST_COLLECTION, CollectionRecord, Facets, aware_utc, bound, chunks,
                                  imported_row, is_day, json_column, naive_utc, row_of, stored_outcome,
                                  text_writer, utcnow)
from core.archive.schema import (CHUNK, LOCK_ID, REF_LENGTH, SCHEMA_VERSION,
                                 GENERATION, UPDATABLE, ArchiveError, id_lists_table, meta_table, metadata, tasks_table)
from core.archive import aggregates
from core.archive.read import ORDER, read_tables, task_rows
from core.config import ARCHIVE_ENV as ENV_VAR
from core.config import DEFAULT_TASK_PRICES
from core.ids import is_task_id
from core.model import TaskOutcome
from core.redact import MASK, mask_url, secrets_in
from core.tables import Tables

class Archive:
    """A task-result store at a SQLAlchemy URL; implements :class:`core.loader.Store`.

    Opening checks that the archive is readable and creates its tables if missing; every
    method raises :class:`ArchiveError` (and nothing else from the database) on failure.
    """

    def __init__(self, url: str | URL):
        self.url = parse_url(url)
        self.where = mask_url(self.url)
        self._secrets = secrets_in(self.url)
        self.path: Path | None = None
        try:
            self.engine = self._make_engine()
        except ArchiveError:
            raise
        except Exception as exc:  # noqa: BLE001 (a bad driver option, a missing module)
            raise self._error("cannot be opened", exc) from None
        self.where = mask_url(self.url)
        with self._guard("cannot be opened"):
            self._ensure_schema()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Archive({self.where!r})"

    # -- the loader's Store protocol ----------------------------------------------------
    def completed(self, ids: Iterable[str]) -> dict[str, TaskOutcome]:
        """The archived final outcome (completed, or completed without an answer) of each of ``ids``
        that has one; a row that no longer reads as one is left out, so the API is asked again."""
        ids, found = list(dict.fromkeys(ids)), {}
        t = tasks_table.c
        with self._guard("cannot be read"), self._read() as conn:
            for chunk in chunks(ids):
                rows = conn.execute(sa.select(t.task_id, t.engine, t.task).where(
                    t.task_id.in_(chunk), t.status.in_(model.FINAL_STATUSES)))
                for task_id, engine, task in rows:
                    outcome = stored_outcome(task_id, engine, task)
                    if outcome.final:
                        found[task_id] = outcome
        return found

    def save(self, outcomes: Iterable[TaskOutcome], fetched_at: datetime | None = None) -> int:
        """Archive ``outcomes`` in one transaction; returns how many rows were added or changed.

        Outcomes are stored with their raw task when they have one (completed, completed without
        an answer, or a malformed reply kept for the record); the others with their status only.
        "Not requested" outcomes say nothing about the task and are left out. A final row
        (completed, with or without an answer) is never overwritten.
        """
        when = fetched_at or utcnow()
        rows = [row for row in (row_of(o, when) for o in outcomes if o.status != model.SKIPPED and is_task_id(o.task_id))
                if row["task"] is not None or row["status"] not in model.FINAL_STATUSES]
        with self._guard("cannot be written"):
            return self._upsert(rows)

    # -- reading everything ---------------------------------------------------------------
    def query(self, engines: Iterable[str] | None = None, models: Iterable[str] | None = None,
              tags: Iterable[str] | None = None, since: date | datetime | str | None = None,
              until: date | datetime | str | None = None,
              statuses: Iterable[str] | None = (model.COMPLETED,)) -> list[TaskOutcome]:
        """Archived outcomes, oldest answer first; each filter given narrows the result.

        ``since``/``until`` bound the answer's datetime (UTC; naive datetimes are UTC); a date
        means its whole day, so ``until=date`` includes that day. By default only completed
        results are returned; ``statuses=None`` returns every row (those without an answer
        datetime last). Stored replies are checked again as they are read: a row written by an
        older version that no longer reads as an answer comes back failed, saying why, and is
        never counted as an answer.
        """
        t = tasks_table.c
        stmt = sa.select(t.task_id, t.engine, t.status, t.status_code, t.status_message, t.task)
        stmt = stmt.where(*self._filters(engines, models, tags, since, until, statuses))
        stmt = stmt.order_by(*ORDER)
        with self._guard("cannot be read"), self._read() as conn:
            result = []
            for task_id, engine, status, code, message, task in conn.execute(stmt):
                if status in model.FINAL_STATUSES:
                    result.append(stored_outcome(task_id, engine, task))
                else:
                    result.append(TaskOutcome(task_id, engine, status, code, message or ""))
            return result

    def tables(self, engines: Iterable[str] | None = None, models: Iterable[str] | None = None,
               tags: Iterable[str] | None = None, since: date | datetime | str | None = None,
               until: date | datetime | str | None = None, statuses: Iterable[str] | None = (model.COMPLETED,),
               prices: Mapping[str, float] = DEFAULT_TASK_PRICES) -> Tables:
        """The tables of :func:`core.tables.build_tables` for the rows :meth:`query` would return (the same
        filters), read from the stored facts in the database: no reply is parsed again. Rows whose facts
        are not written yet (an archive from before them) are rebuilt first."""
        filters = dict(engines=engines, models=models, tags=tags, since=since, until=until)
        with self._facts({**filters, "statuses": statuses}) as (conn, where, narrowed):
            return read_tables(conn, where, prices, narrowed)

    # -- aggregates over the facts, in the database (keyword filters: those of :meth:`tables`) ----------
    def task_rows(self, **filters) -> Iterator[sa.Row]:
        """(task_id, engine, status_code, status, status_message, model) of the rows :meth:`query` returns,
        in its order, streamed from the database."""
        with self._facts(filters) as (conn, where, narrowed):
            yield from task_rows(conn, where)

    def counts(self, **filters) -> dict[str, Any]:
        """Tasks (and per status), completed answers, their citations and fan-out queries."""
        with self._facts(filters) as (conn, where, narrowed):
            return aggregates.counts(conn, where)

    def domain_counts(self, by: str = "domain", **filters) -> pd.DataFrame:
        """:func:`core.metrics.domain_counts` of the filtered tables, counted in the database."""
        with self._facts(filters) as (conn, where, narrowed):
            return aggregates.domain_counts(conn, where, by, narrowed)

    def usage_totals(self, prices: Mapping[str, float] = DEFAULT_TASK_PRICES, **filters) -> dict[str, Any]:
        """:func:`core.metrics.usage_totals` of the filtered tables, summed in the database."""
        with self._facts(filters) as (conn, where, narrowed):
            return aggregates.usage_totals(conn, where, prices)

    def answers_per_period(self, period: str = "day", by: str = "engine", **filters) -> pd.DataFrame:
        """Completed answers per period start and ``by``: see :func:`core.archive.aggregates.answers_per_period`."""
        with self._facts(filters) as (conn, where, narrowed):
            return aggregates.answers_per_period(conn, where, period, by)

    def facets(self) -> Facets:
        """Distinct engines, models and tags, and the date span, of the completed results."""
        t = tasks_table.c
        done = t.status == model.COMPLETED

        def distinct(column: sa.Column) -> list[str]:
            stmt = sa.select(column).where(done, column.is_not(None)).distinct().order_by(column)
            return [value for (value,) in conn.execute(stmt)]

        with self._guard("cannot be read"), self._read() as conn:
            first, last, count = conn.execute(sa.select(
                sa.func.min(t.task_datetime), sa.func.max(t.task_datetime), sa.func.count()).where(done)).one()
            return Facets(distinct(t.engine), distinct(t.model), distinct(t.tag),
                          aware_utc(first), aware_utc(last), int(count))

    def count(self, status: str | None = model.COMPLETED) -> int:
        """How many results the archive holds (``status=None``: rows of every status)."""
        stmt = sa.select(sa.func.count()).select_from(tasks_table)
        if status is not None:
            stmt = stmt.where(tasks_table.c.status == status)
        with self._guard("cannot be read"), self._read() as conn:
            return int(conn.execute(stmt).scalar_one())

    def count_fetched_since(self, when: datetime) -> int:
        """How many completed answers were archived after ``when`` (UTC; naive is UTC)."""
        t = tasks_table.c
        stmt = sa.select(sa.func.count()).where(t.status == model.COMPLETED, t.fetched_at > naive_utc(when))
        with self._guard("cannot be read"), self._read() as conn:
            return int(conn.execute(stmt).scalar_one())

    def generation(self) -> str:
        """A token that changes whenever rows are written: what was computed from the archive is still
        current while it stays the same."""
        with self._guard("cannot be read"), self._read() as conn:
            return conn.execute(sa.select(meta_table.c.value).where(
                meta_table.c.key == GENERATION)).scalar_one_or_none() or ""

    # -- the facts beside the raw replies -------------------------------------------------------
    def stale_facts(self) -> int:
        """How many rows lack current facts: an archive written before them, until :meth:`rebuild_facts`."""
        with self._guard("cannot be read"), self._read() as conn:
            return stale_count(conn)

    def rebuild_facts(self, everything: bool = False, progress=None) -> int:
        """Write the facts again from the raw replies (only rows lacking current ones unless ``everything``),
        one transaction per chunk, so a stopped rebuild keeps what it did; returns the rows rebuilt.
        ``progress(done, total)`` is called after each chunk."""
        total = self.count(status=None) if everything else self.stale_facts()
        done, after = 0, ""
        while after is not None:
            with self._guard("cannot be written"), self._write() as conn:
                rows, after = rebuild_batch(conn, after, everything)
                if rows:
                    self._new_generation(conn)
            done += rows
            if progress and rows:
                progress(done, total)
        return done

    # -- the last collection ----------------------------------------------------------------
    def record_collection(self, record: CollectionRecord) -> None:
        """Keep ``record`` as the last collection (replacing the one before)."""
        fields = asdict(record)
        fields.update(started=aware_utc(record.started).isoformat(), finished=aware_utc(record.finished).isoformat())
        stmt = self._insert(meta_table).values(key=LAST_COLLECTION, value=json.dumps(fields))
        stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={"value": stmt.excluded.value})
        with self._guard("cannot be written"), self._write() as conn:
            conn.execute(stmt)

    def last_collection(self) -> CollectionRecord | None:
        """The last collection's record, or None if this archive never collected (or its record is unreadable)."""
        with self._guard("cannot be read"), self._read() as conn:
            value = conn.execute(sa.select(meta_table.c.value).where(
                meta_table.c.key == LAST_COLLECTION)).scalar_one_or_none()
        try:
            fields = json.loads(value)
            fields.update(started=aware_utc(fields["started"]), finished=aware_utc(fields["finished"]))
            return CollectionRecord(**fields)
        except (TypeError, ValueError, KeyError):
            return None

    # -- moving archives --------------------------------------------------------------------
    def export_jsonl(self, fileobj: IO) -> int:
        """Write every row as one JSON object a line; returns the number of lines.

        Each line: ``{engine, task_id, fetched_at, status, status_code, status_message, task}``
        (``fetched_at`` ISO 8601 UTC; ``task`` null for tasks that were not completed).
        """
        t = tasks_table.c
        write = text_writer(fileobj)
        stmt = sa.select(t.engine, t.task_id, t.fetched_at, t.status, t.status_code,
                         t.status_message, t.task).order_by(t.fetched_at, t.task_id)
        lines = 0
        with self._guard("cannot be read"), self._read() as conn:
            for row in conn.execution_options(yield_per=CHUNK).execute(stmt):
                record = {"engine": row.engine, "task_id": row.task_id,
                          "fetched_at": aware_utc(row.fetched_at).isoformat(), "status": row.status,
                          "status_code": row.status_code, "status_message": row.status_message,
                          "task": row.task}
                write(json.dumps(record, ensure_ascii=False) + "\n")
                lines += 1
        return lines

    def import_jsonl(self, fileobj: IO) -> int:
        """Add the rows of an :meth:`export_jsonl` file, all or none; returns rows added or changed.

        The same rules as :meth:`save` hold: an archived completed result is never replaced, and each
        reply is checked as if the API had sent it. Lines are read and written in chunks inside one
        transaction, so memory stays flat whatever the file's size. A malformed line raises
        :class:`ArchiveError` naming its line number, and nothing is written.
        """
        changed, chunk = 0, []
        with self._guard("cannot be written"), self._write(bulk=True) as conn, young_collections():
            for number, line in enumerate(fileobj, 1):
                if isinstance(line, bytes):
                    try:
                        line = line.decode("utf-8")
                    except UnicodeDecodeError:
                        raise ArchiveError(f"Line {number} of the import is not UTF-8 text: an archive export "
                                           "is JSON Lines. Nothing was imported.") from None
                if line.strip():
                    chunk.append(imported_row(line, number))
                if len(chunk) >= CHUNK:
                    changed += self._upsert_rows(conn, chunk)
                    chunk = []
                    gc.collect(1)  # the chunk's garbage cycles, if any: never the whole heap (see young_collections)
            changed += self._upsert_rows(conn, chunk)
        return changed

    # -- short references for long id lists ---------------------------------------------------
    def save_id_list(self, ids: Iterable[str]) -> str:
        """Keep ``ids`` (in order) under a short stable reference, and return the reference."""
        ids = list(ids)
        joined = "\n".join(ids)
        ref = hashlib.sha256(joined.encode("utf-8")).hexdigest()[:REF_LENGTH]
        values = {"ref": ref, "ids": joined, "id_count": len(ids), "created_at": naive_utc(utcnow())}
        with self._guard("cannot be written"), self._write() as conn:
            conn.execute(self._insert(id_lists_table).values(values).on_conflict_do_nothing(
                index_elements=["ref"]))
            stored = conn.execute(sa.select(id_lists_table.c.ids).where(
                id_lists_table.c.ref == ref)).scalar_one()
        if stored != joined:  # 48 bits of sha256: a collision is astronomically unlikely
            raise ArchiveError(f"Reference {ref} already names another id list in {self.where}.")
        return ref

    def id_list(self, ref: str) -> list[str]:
        """The ids saved under ``ref``; ``KeyError`` if this archive has no such reference."""
        with self._guard("cannot be read"), self._read() as conn:
            joined = conn.execute(sa.select(id_lists_table.c.ids).where(
                id_lists_table.c.ref == str(ref).strip().lower())).scalar_one_or_none()
        if joined is None:
            raise KeyError(f"No id list {ref!r} in the archive {self.where}")
        return joined.split("\n") if joined else []

    # -- internals ----------------------------------------------------------------------------
    def _make_engine(self) -> Engine:
        backend = self.url.get_backend_name()
        if backend == "sqlite":
            return self._sqlite_engine()
        if backend == "postgresql":
            return sa.create_engine(self.url, pool_pre_ping=True, connect_args={"connect_timeout": 10},
                                    json_serializer=json_column)
        raise ArchiveError(f"The archive URL {self.where} uses {backend!r}: the archive supports "
                           f"SQLite and PostgreSQL. Set {ENV_VAR} to a sqlite:/// or postgresql+psycopg:// URL.")

    def _sqlite_engine(self) -> Engine:
        database = self.url.database or ""
        if not is_memory(database) and not (self.url.query.get("uri") or database.startswith("file:")):
            self.path = Path(database).expanduser()  # a file (not an SQLite URI such as file:...?mode=ro)
            self.url = self.url.set(database=str(self.path))
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise self._error("cannot be created", exc) from None
        return sqlite_engine(self.url)

    def _read(self):
        return self.engine.connect()

    def _write(self, bulk: bool = False):
        return WriteTransaction(self.engine, bulk)

    def _insert(self, table: sa.Table):
        return (sqlite.insert if self.engine.dialect.name == "sqlite" else pg.insert)(table)

    def _ensure_schema(self) -> None:
        """Create the tables if missing, or move an older schema forward (under a lock); check the version."""
        with self._read() as conn:
            names = set(sa.inspect(conn).get_table_names())
            version = conn.execute(sa.select(meta_table.c.value).where(
                meta_table.c.key == "schema_version")).scalar() if meta_table.name in names else None
        if version is None or int(version) < SCHEMA_VERSION or not names.issuperset(metadata.tables):
            version = self._create_schema()
        if int(version) > SCHEMA_VERSION:
            raise ArchiveError(f"The archive {self.where} was written by a newer version of this app "
                               f"(schema {version}, this one reads {SCHEMA_VERSION}): update the app.")

    def _create_schema(self) -> str:
        """Tables and indexes that are missing, and the columns an older ``aivis_tasks`` lacks (their facts
        are written by :meth:`rebuild_facts`); the schema version is raised to this one's."""
        with self._write() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": LOCK_ID})
            if sa.inspect(conn).has_table(tasks_table.name):
                add_missing_columns(conn)
            for table in metadata.sorted_tables:
                conn.execute(sa.schema.CreateTable(table, if_not_exists=True))
                for index in table.indexes:
                    conn.execute(sa.schema.CreateIndex(index, if_not_exists=True))
            version = meta_table.c.value
            stmt = self._insert(meta_table).values(key="schema_version", value=str(SCHEMA_VERSION))
            conn.execute(stmt.on_conflict_do_update(  # never lowers a newer version
                index_elements=["key"], set_={"value": stmt.excluded.value},
                where=sa.cast(version, sa.Integer) < SCHEMA_VERSION))
            return conn.execute(sa.select(version).where(meta_table.c.key == "schema_version")).scalar_one()

    def _upsert(self, rows: list[dict[str, Any]]) -> int:
        """Insert or update ``rows`` in one transaction; returns how many rows changed.

        A final row (completed, with or without an answer) is never overwritten; any other is
        replaced by a final one, or by a newer status (so importing an old export never turns "expired" back into "pending").
        """
        if not rows:
            return 0
        with self._write() as conn:
            return self._upsert_rows(conn, rows)

    def _upsert_rows(self, conn: Connection, rows: list[dict[str, Any]]) -> int:
        """The upsert of :meth:`_upsert` inside an open write transaction; each row written has its facts
        written again with it, and the archive's generation changes."""
        by_id: dict[str, dict[str, Any]] = {}
        for row in rows:  # one row per id: the first final one wins, else the last
            kept = by_id.get(row["task_id"])
            if kept is None or kept["status"] not in model.FINAL_STATUSES:
                by_id[row["task_id"]] = row
        ordered = [by_id[task_id] for task_id in sorted(by_id)]  # one lock order: no deadlocks
        changed = 0
        stmt = self._insert(tasks_table)
        stored, new = tasks_table.c, stmt.excluded
        stmt = stmt.on_conflict_do_update(  # one statement, compiled once: executed with many rows
            index_elements=["task_id"],
            set_={name: new[name] for name in UPDATABLE},
            where=sa.and_(*(stored.status != final for final in model.FINAL_STATUSES),  # no IN: executemany
                          sa.or_(*(new.status == final for final in model.FINAL_STATUSES),
                                 stored.fetched_at < new.fetched_at))
        ).returning(stored.task_id)
        for chunk in chunks(ordered):
            facts = {row["task_id"]: row[FACTS] for row in chunk}
            written = [task_id for (task_id,) in conn.execute(stmt, [{k: v for k, v in row.items() if k != FACTS}
                                                                      for row in chunk])]
            write_facts(conn, {task_id: facts[task_id] for task_id in written})
            changed += len(written)
        if changed:
            self._new_generation(conn)
        return changed

    def _new_generation(self, conn: Connection) -> None:
        """Mark the archive as changed: what was computed from its rows (per process) is computed again."""
        stmt = self._insert(meta_table).values(key=GENERATION, value=uuid.uuid4().hex)
        conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": stmt.excluded.value}))

    @contextmanager
    def _facts(self, filters: dict[str, Any]) -> Iterator[tuple[Connection, list[Any], bool]]:
        """A reading connection over current facts (stale rows rebuilt first), ``filters``' conditions, and
        whether they narrow more than the status does (else the answers' rows need no join to their tasks)."""
        if self.stale_facts():
            self.rebuild_facts()
        statuses = filters.get("statuses", (model.COMPLETED,))
        narrowed = (any(value is not None for name, value in filters.items() if name != "statuses")
                    or (statuses is not None and model.COMPLETED not in statuses))
        with self._guard("cannot be read"), self._read() as conn:
            yield conn, self._filters(**filters), narrowed

    def _filters(self, engines=None, models=None, tags=None, since=None, until=None,
                 statuses=(model.COMPLETED,)) -> list[Any]:
        t, where = tasks_table.c, []
        for column, values in ((t.engine, engines), (t.model, models), (t.tag, tags), (t.status, statuses)):
            if values is not None:
                where.append(column.in_([values] if isinstance(values, str) else list(values)))
        if since is not None:
            where.append(t.task_datetime >= bound(since, end=False))
        if until is not None:
            upper = bound(until, end=True)
            where.append(t.task_datetime < upper if is_day(until) else t.task_datetime <= upper)
        return where

    def _guard(self, what: str) -> Guard:
        return Guard(self, what)

    def _error(self, what: str, exc: BaseException) -> ArchiveError:
        return ArchiveError(self._scrub(f"The archive {self.where} {what}: {explain(exc, self)}"))

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text


@contextmanager
def young_collections() -> Iterator[None]:
    """Python's automatic garbage collection paused (the caller collects young objects itself): an import
    allocates millions of containers, and each full collection scans the whole heap, which grows with the
    domain caches; at 100k tasks they cost a third of the import's time (1,222 -> 1,704 tasks/s without)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
