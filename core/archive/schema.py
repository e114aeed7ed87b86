"""The archive's tables and the one error it raises (SQLAlchemy Core metadata; no I/O here)."""
from __future__ import annotations

import sqlalchemy as sa

SCHEMA_VERSION = 1
BUSY_TIMEOUT_SECONDS = 30
REF_LENGTH = 12
CHUNK = 500  # rows or ids per statement: well under SQLite's and PostgreSQL's parameter limits
LOCK_ID = 0x41_49_56_49_53  # "AIVIS": PostgreSQL advisory lock around schema creation

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
UPDATABLE = ("engine", "status", "status_code", "status_message", "fetched_at", "task_datetime",
              "model", "tag", "prompt", "prompt_hash", "task")


class ArchiveError(Exception):
    """The archive cannot be opened, read or written; the message says which one and what to do."""
