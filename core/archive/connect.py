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
