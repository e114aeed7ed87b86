"""The archive: every task result ever fetched, kept after the API forgets it (30 days).

Where: a SQLAlchemy URL (``sqlite:////abs/path.sqlite`` or
``postgresql+psycopg://user:password@host/db``), resolved by :mod:`core.config` from
``AIVIS_ARCHIVE_URL``; by default an embedded SQLite file whose folder is created on first use.

What: one row per task id (table ``aivis_tasks``) with the raw task JSON of a completed
task, when (UTC) and from which engine it was fetched, its status and status code, and
indexed columns to filter on (the answer's datetime, model, tag, a hash of the prompt).
Tasks that were not completed (pending, expired, not found, failed) get a row with their
status and no JSON, replaced later by a newer status or by the completed result. A completed
row is never overwritten: saving it again is a no-op, and a later "pending" or "expired" for
the same id leaves it as it is. ``aivis_id_lists`` keeps
long id lists under a short reference, so a shareable link can carry ``ref=``. ``aivis_meta`` holds
the schema version and a record of the last collection (:mod:`core.collect`), one row each.

Writes are atomic (one transaction per save, dialect upserts) and safe when several app
sessions or processes write at once: SQLite runs in WAL mode with a busy timeout and takes
the write lock when a write transaction begins; PostgreSQL resolves conflicts row by row.
Any failure to open, read or write is an :class:`ArchiveError` whose message names the
archive (never with its password) and says what to do.
"""
from __future__ import annotations

import hashlib
import io
import json
import sqlite3
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.pool import StaticPool

from core import model, sansio
from core.config import ARCHIVE_ENV as ENV_VAR
from core.ids import is_task_id
from core.model import TaskOutcome
from core.redact import MASK, mask_url, secrets_in
SCHEMA_VERSION = 1
BUSY_TIMEOUT_SECONDS = 30
REF_LENGTH = 12
_CHUNK = 500  # rows or ids per statement: well under SQLite's and PostgreSQL's parameter limits
_LOCK_ID = 0x41_49_56_49_53  # "AIVIS": PostgreSQL advisory lock around schema creation

metadata = sa.MetaData()
tasks_table = sa.Table(
    "aivis_tasks", metadata,
    sa.Column("task_id", sa.String(64), primary_key=True),
    sa.Column("engine", sa.String(32), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("status_code", sa.Integer),
    sa.Column("status_message", sa.Text, nullable=False, server_default=""),
    sa.Column("fetched_at", sa.DateTime, nullable=False, comment="UTC, when this row was fetched"),
    sa.Column("task_datetime", sa.DateTime, comment="UTC, the answer's result datetime"),
    sa.Column("model", sa.String(200)),
    sa.Column("tag", sa.String(500)),
    sa.Column("prompt", sa.Text),
    sa.Column("prompt_hash", sa.String(16), comment="sha256 prefix of prompt: an index-safe key"),
    sa.Column("task", sa.JSON(none_as_null=True), comment="the raw task dict, completed tasks only"),
    sa.Index("ix_aivis_tasks_engine", "engine"),
    sa.Index("ix_aivis_tasks_status_datetime", "status", "task_datetime"),
    sa.Index("ix_aivis_tasks_model", "model"),
    sa.Index("ix_aivis_tasks_tag", "tag"),
    sa.Index("ix_aivis_tasks_prompt_hash", "prompt_hash"),
)
id_lists_table = sa.Table(
    "aivis_id_lists", metadata,
    sa.Column("ref", sa.String(32), primary_key=True),
    sa.Column("ids", sa.Text, nullable=False, comment="newline-separated, in order"),
    sa.Column("id_count", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False, comment="UTC"),
)
meta_table = sa.Table(
    "aivis_meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
_UPDATABLE = ("engine", "status", "status_code", "status_message", "fetched_at", "task_datetime",
              "model", "tag", "prompt", "prompt_hash", "task")


class ArchiveError(Exception):
    """The archive cannot be opened, read or written; the message says which one and what to do."""


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


_LAST_COLLECTION = "last_collection"  # the aivis_meta key of the CollectionRecord (JSON)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Archive:
    """A task-result store at a SQLAlchemy URL; implements :class:`core.loader.Store`.

    Opening checks that the archive is readable and creates its tables if missing; every
    method raises :class:`ArchiveError` (and nothing else from the database) on failure.
    """

    def __init__(self, url: str | URL):
        self.url = _parse_url(url)
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
            for chunk in _chunks(ids):
                rows = conn.execute(sa.select(t.task_id, t.engine, t.task).where(
                    t.task_id.in_(chunk), t.status.in_(model.FINAL_STATUSES)))
                for task_id, engine, task in rows:
                    outcome = _outcome(task_id, engine, task)
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
        rows = [row for row in (_row(o, when) for o in outcomes if o.status != model.SKIPPED and is_task_id(o.task_id))
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
        stmt = stmt.order_by(t.task_datetime.is_(None), t.task_datetime, t.task_id)
        with self._guard("cannot be read"), self._read() as conn:
            result = []
            for task_id, engine, status, code, message, task in conn.execute(stmt):
                if status in model.FINAL_STATUSES:
                    result.append(_outcome(task_id, engine, task))
                else:
                    result.append(TaskOutcome(task_id, engine, status, code, message or ""))
            return result

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
                          _aware(first), _aware(last), int(count))

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
        stmt = sa.select(sa.func.count()).where(t.status == model.COMPLETED, t.fetched_at > _naive(when))
        with self._guard("cannot be read"), self._read() as conn:
            return int(conn.execute(stmt).scalar_one())

    # -- the last collection ----------------------------------------------------------------
    def record_collection(self, record: CollectionRecord) -> None:
        """Keep ``record`` as the last collection (replacing the one before)."""
        fields = asdict(record)
        fields.update(started=_aware(record.started).isoformat(), finished=_aware(record.finished).isoformat())
        stmt = self._insert(meta_table).values(key=_LAST_COLLECTION, value=json.dumps(fields))
        stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={"value": stmt.excluded.value})
        with self._guard("cannot be written"), self._write() as conn:
            conn.execute(stmt)

    def last_collection(self) -> CollectionRecord | None:
        """The last collection's record, or None if this archive never collected (or its record is unreadable)."""
        with self._guard("cannot be read"), self._read() as conn:
            value = conn.execute(sa.select(meta_table.c.value).where(
                meta_table.c.key == _LAST_COLLECTION)).scalar_one_or_none()
        try:
            fields = json.loads(value)
            fields.update(started=_aware(fields["started"]), finished=_aware(fields["finished"]))
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
        write = _writer(fileobj)
        stmt = sa.select(t.engine, t.task_id, t.fetched_at, t.status, t.status_code,
                         t.status_message, t.task).order_by(t.fetched_at, t.task_id)
        lines = 0
        with self._guard("cannot be read"), self._read() as conn:
            for row in conn.execution_options(yield_per=_CHUNK).execute(stmt):
                record = {"engine": row.engine, "task_id": row.task_id,
                          "fetched_at": _aware(row.fetched_at).isoformat(), "status": row.status,
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
        with self._guard("cannot be written"), self._write() as conn:
            for number, line in enumerate(fileobj, 1):
                if isinstance(line, bytes):
                    try:
                        line = line.decode("utf-8")
                    except UnicodeDecodeError:
                        raise ArchiveError(f"Line {number} of the import is not UTF-8 text: an archive export "
                                           "is JSON Lines. Nothing was imported.") from None
                if line.strip():
                    chunk.append(_imported_row(line, number))
                if len(chunk) >= _CHUNK:
                    changed += self._upsert_rows(conn, chunk)
                    chunk = []
            changed += self._upsert_rows(conn, chunk)
        return changed

    # -- short references for long id lists ---------------------------------------------------
    def save_id_list(self, ids: Iterable[str]) -> str:
        """Keep ``ids`` (in order) under a short stable reference, and return the reference."""
        ids = list(ids)
        joined = "\n".join(ids)
        ref = hashlib.sha256(joined.encode("utf-8")).hexdigest()[:REF_LENGTH]
        values = {"ref": ref, "ids": joined, "id_count": len(ids), "created_at": _naive(utcnow())}
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
            return sa.create_engine(self.url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
        raise ArchiveError(f"The archive URL {self.where} uses {backend!r}: the archive supports "
                           f"SQLite and PostgreSQL. Set {ENV_VAR} to a sqlite:/// or postgresql+psycopg:// URL.")

    def _sqlite_engine(self) -> Engine:
        database = self.url.database or ""
        memory = database in ("", ":memory:") or "mode=memory" in database or database.startswith("file::memory:")
        options: dict[str, Any] = {"connect_args": {"timeout": BUSY_TIMEOUT_SECONDS,
                                                    "check_same_thread": False}}
        if memory:
            options["poolclass"] = StaticPool  # one shared in-memory database
        elif self.url.query.get("uri") or database.startswith("file:"):
            pass  # an SQLite URI filename (file:...?mode=ro): SQLite reads it as given
        else:
            self.path = Path(database).expanduser()
            self.url = self.url.set(database=str(self.path))
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise self._error("cannot be created", exc) from None
        engine = sa.create_engine(self.url, **options)

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
            try:
                if not memory:
                    cursor.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError as exc:
                if "readonly" not in str(exc):  # a read-only archive is read in its own journal mode
                    raise
            finally:
                cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # A write transaction takes the write lock up front (waiting up to the busy
            # timeout), so it can never fail half-way on a lock another writer holds.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("aivis_write")
                                 else "BEGIN")

        return engine

    def _read(self):
        return self.engine.connect()

    def _write(self):
        return _WriteTransaction(self.engine)

    def _insert(self, table: sa.Table):
        return (sqlite.insert if self.engine.dialect.name == "sqlite" else pg.insert)(table)

    def _ensure_schema(self) -> None:
        """Create the tables if missing (under a lock) and check the schema version."""
        with self._read() as conn:
            names = set(sa.inspect(conn).get_table_names())
            version = conn.execute(sa.select(meta_table.c.value).where(
                meta_table.c.key == "schema_version")).scalar() if meta_table.name in names else None
        if version is None or not names.issuperset(metadata.tables):
            version = self._create_schema()
        if int(version) > SCHEMA_VERSION:
            raise ArchiveError(f"The archive {self.where} was written by a newer version of this app "
                               f"(schema {version}, this one reads {SCHEMA_VERSION}): update the app.")

    def _create_schema(self) -> str:
        with self._write() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
            for table in metadata.sorted_tables:
                conn.execute(sa.schema.CreateTable(table, if_not_exists=True))
                for index in table.indexes:
                    conn.execute(sa.schema.CreateIndex(index, if_not_exists=True))
            conn.execute(self._insert(meta_table).values(key="schema_version", value=str(SCHEMA_VERSION))
                         .on_conflict_do_nothing(index_elements=["key"]))
            return conn.execute(sa.select(meta_table.c.value).where(
                meta_table.c.key == "schema_version")).scalar_one()

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
        """The upsert of :meth:`_upsert` inside an open write transaction."""
        by_id: dict[str, dict[str, Any]] = {}
        for row in rows:  # one row per id: the first final one wins, else the last
            kept = by_id.get(row["task_id"])
            if kept is None or kept["status"] not in model.FINAL_STATUSES:
                by_id[row["task_id"]] = row
        ordered = [by_id[task_id] for task_id in sorted(by_id)]  # one lock order: no deadlocks
        changed = 0
        for chunk in _chunks(ordered):
            stmt = self._insert(tasks_table).values(chunk)
            stored, new = tasks_table.c, stmt.excluded
            stmt = stmt.on_conflict_do_update(
                index_elements=["task_id"],
                set_={name: new[name] for name in _UPDATABLE},
                where=sa.and_(stored.status.not_in(model.FINAL_STATUSES),
                              sa.or_(new.status.in_(model.FINAL_STATUSES), stored.fetched_at < new.fetched_at)))
            changed += max(conn.execute(stmt.execution_options(preserve_rowcount=True)).rowcount, 0)
        return changed

    def _filters(self, engines, models, tags, since, until, statuses) -> list[Any]:
        t, where = tasks_table.c, []
        for column, values in ((t.engine, engines), (t.model, models), (t.tag, tags), (t.status, statuses)):
            if values is not None:
                where.append(column.in_([values] if isinstance(values, str) else list(values)))
        if since is not None:
            where.append(t.task_datetime >= _bound(since, end=False))
        if until is not None:
            upper = _bound(until, end=True)
            where.append(t.task_datetime < upper if _is_day(until) else t.task_datetime <= upper)
        return where

    def _guard(self, what: str) -> "_Guard":
        return _Guard(self, what)

    def _error(self, what: str, exc: BaseException) -> ArchiveError:
        return ArchiveError(self._scrub(f"The archive {self.where} {what}: {_explain(exc, self)}"))

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text


class _WriteTransaction:
    """``with``: a connection in a write transaction (BEGIN IMMEDIATE on SQLite), committed on success."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def __enter__(self) -> Connection:
        self.conn = self.engine.connect().execution_options(aivis_write=True)
        try:
            self.tx = self.conn.begin()
        except BaseException:
            self.conn.close()
            raise
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.tx.commit()
            else:
                self.tx.rollback()
        finally:
            self.conn.close()


class _Guard:
    """``with``: turns database and file errors into an :class:`ArchiveError` for ``archive``."""

    def __init__(self, archive: Archive, what: str):
        self.archive, self.what = archive, what

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> bool:
        if isinstance(exc, (sa.exc.SQLAlchemyError, sqlite3.Error, OSError, json.JSONDecodeError)):
            raise self.archive._error(self.what, exc) from None
        return False


def _explain(exc: BaseException, archive: Archive) -> str:
    """What went wrong and what to do, in a sentence or two."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    detail = text.splitlines()[0].rstrip(".") if text else type(exc).__name__
    low = detail.lower()
    fix_elsewhere = f"or set {ENV_VAR} to another archive"
    if "not a database" in low or "malformed" in low or "file is encrypted" in low:
        return (f"{detail}. The file is damaged or is not an archive: move it away (a new, empty archive "
                f"is then created there; `python -m core archive import` can refill it from an export) "
                f"{fix_elsewhere}.")
    if "locked" in low or "busy" in low:
        return (f"{detail}. Another process held the archive for over {BUSY_TIMEOUT_SECONDS} s: "
                "try again when it is done.")
    if "unable to open" in low or "readonly" in low or "read-only" in low or isinstance(exc, OSError):
        return f"{detail}. Check that the folder exists and is writable {fix_elsewhere}."
    if "disk" in low and "full" in low:
        return f"{detail}. Free some disk space {fix_elsewhere}."
    if archive.url.get_backend_name() == "postgresql" and isinstance(exc, sa.exc.OperationalError):
        return f"{detail}. Check that the PostgreSQL server is running and the URL is right."
    return f"{detail}. Check the archive {fix_elsewhere}."


def _parse_url(url: str | URL) -> URL:
    if isinstance(url, URL):
        parsed = url
    else:
        try:
            parsed = sa.make_url(url)
        except (sa.exc.ArgumentError, ValueError):
            raise ArchiveError(  # the text is not echoed: it could hold a password
                f"{ENV_VAR} is not a database URL: use e.g. sqlite:////home/me/archive.sqlite or "
                "postgresql+psycopg://user:password@host/dbname.") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver installed
    return parsed


def _chunks(items: list[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _outcome(task_id: str, engine: str, task: Any) -> TaskOutcome:
    """A stored reply read (and checked) again, under the id and engine it was archived with."""
    if isinstance(task, str):  # a JSON column some drivers return as text
        try:
            task = json.loads(task)
        except ValueError:
            task = None
    if not isinstance(task, dict):
        return TaskOutcome(task_id, engine, model.FAILED, None, "The archived task has no readable JSON")
    return sansio.outcome_of(engine, task_id, task)


def _row(outcome: TaskOutcome, fetched_at: datetime) -> dict[str, Any]:
    """The table row of an outcome: its raw task when it has one, and the filter columns of its reading."""
    record = outcome.record
    prompt = _text(record.prompt) if record else None
    return {
        "task_id": outcome.task_id, "engine": outcome.engine, "status": outcome.status,
        "status_code": outcome.status_code, "status_message": _text(outcome.status_message, 2000) or "",
        "fetched_at": _naive(fetched_at), "task_datetime": _naive(record.datetime) if record and record.datetime else None,
        "model": _text(record.model, 200) if record else None,
        "tag": _text(record.tag, 500) if record else None, "prompt": prompt,
        "prompt_hash": hashlib.sha256(prompt.encode("utf-8")).hexdigest()[:16] if prompt else None,
        "task": _storable(outcome.task),
    }


def _storable(task: Any) -> dict[str, Any] | None:
    """The raw task if it is strict JSON, else None: PostgreSQL refuses NaN and Infinity (``1e400``), and one
    such reply must not sink the save of its whole batch (its status message says what was wrong)."""
    if not isinstance(task, dict):
        return None
    try:
        json.dumps(task, allow_nan=False)
    except (ValueError, TypeError, RecursionError):
        return None
    return task


def _imported_row(line: str, number: int) -> dict[str, Any]:
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
        _naive(fetched_at)
    except (KeyError, TypeError, ValueError, OverflowError):
        raise bad("fetched_at is not an ISO 8601 date-time") from None
    if isinstance(task, dict) and str(task.get("id", task_id)).strip().lower() != task_id:
        raise bad("its task holds another id than task_id")
    if isinstance(task, dict):  # the reply is checked like one from the API: a bad one is kept as failed
        outcome = sansio.outcome_of(engine, task_id, task)
    else:
        outcome = TaskOutcome(task_id, engine, status, sansio.code_of(record.get("status_code")),
                              str(record.get("status_message") or "")[:2000])
    return _row(outcome, fetched_at)


def _naive(when: datetime) -> datetime:
    """UTC without tzinfo: how the archive stores every datetime (naive input is taken as UTC)."""
    return when.astimezone(timezone.utc).replace(tzinfo=None) if when.tzinfo else when


def _aware(when: datetime | None) -> datetime | None:
    if isinstance(when, str):
        when = datetime.fromisoformat(when)
    return when.replace(tzinfo=timezone.utc) if when is not None and when.tzinfo is None else when


def _is_day(value: date | datetime | str) -> bool:
    if isinstance(value, str):
        return len(value.strip()) == 10
    return not isinstance(value, datetime)


def _bound(value: date | datetime | str, end: bool) -> datetime:
    """A filter bound as naive UTC; a day's ``end`` is the start of the next day."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip()) if _is_day(value) else datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD) or an ISO 8601 date-time") from None
    if isinstance(value, datetime):
        return _naive(value)
    return datetime.combine(value + timedelta(days=1) if end else value, time())


def _text(value: Any, limit: int | None = None) -> str | None:
    """Text for a column: NUL characters dropped (PostgreSQL's text refuses them), cut to ``limit``."""
    return value.replace("\x00", "")[:limit] or None if isinstance(value, str) and value else None


def _writer(fileobj: IO):
    """A function writing text to ``fileobj``, text or binary."""
    if isinstance(fileobj, io.TextIOBase) or "b" not in getattr(fileobj, "mode", "b"):
        return fileobj.write
    return lambda text: fileobj.write(text.encode("utf-8"))
