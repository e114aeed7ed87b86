"""The archive's database connections: SQLite set up for several writers, and write transactions."""
from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.pool import StaticPool

from core.archive.records import json_column
from core.archive.schema import BUSY_TIMEOUT_SECONDS

BULK_CACHE_KIB = 256 * 1024  # SQLite's page cache during an import (its default: 2 MB)


def is_memory(database: str) -> bool:
    return database in ("", ":memory:") or "mode=memory" in database or database.startswith("file::memory:")


def sqlite_engine(url: URL) -> Engine:
    """An engine for the SQLite archive at ``url``: WAL (several readers beside one writer), a busy timeout,
    and write transactions that take the write lock when they begin."""
    memory = is_memory(url.database or "")
    options: dict[str, Any] = {"connect_args": {"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
                               "json_serializer": json_column}
    if memory:
        options["poolclass"] = StaticPool  # one shared in-memory database
    engine = sa.create_engine(url, **options)

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
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("aivis_write") else "BEGIN")

    return engine


class WriteTransaction:
    """``with``: a connection in a write transaction (BEGIN IMMEDIATE on SQLite), committed on success.

    ``bulk`` (an import): SQLite's page cache is raised to ``BULK_CACHE_KIB`` for this transaction and set back
    after it, as the connection returns to the pool. A large import touches every page of its indexes
    again and again (random task ids); with the default 2 MB cache it read them back and spilled them to
    the WAL over and over: at 100k tasks the import ran at 60 % of its small-file rate.
    """

    def __init__(self, engine: Engine, bulk: bool = False):
        self.engine, self.bulk = engine, bulk and engine.dialect.name == "sqlite"

    def __enter__(self) -> Connection:
        self.conn = self.engine.connect().execution_options(aivis_write=True)
        try:
            if self.bulk:  # on the driver's connection: a statement through SQLAlchemy would begin a transaction
                driver = self.conn.connection.dbapi_connection
                self.cache_size = driver.execute("PRAGMA cache_size").fetchone()[0]
                driver.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
            self.tx = self.conn.begin()
        except BaseException:
            self._close()
            raise
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.tx.commit()
            else:
                self.tx.rollback()
        finally:
            self._close()

    def _close(self) -> None:
        try:
            if self.bulk and hasattr(self, "cache_size"):
                self.conn.connection.dbapi_connection.execute(f"PRAGMA cache_size = {int(self.cache_size)}")
        finally:
            self.conn.close()
