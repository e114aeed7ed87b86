"""The archive's tables and the one error it raises (SQLAlchemy Core metadata; no I/O here).

``aivis_tasks`` keeps each raw reply (the source of truth) beside its facts: the filter columns and the
numbers (tokens, money, counts). ``aivis_answers``, ``aivis_citations`` and ``aivis_fan_out`` hold the
rest of the facts, written with the reply (``facts`` says which version of :mod:`core.archive.facts`
wrote them; ``archive rebuild`` writes them again from the raw replies).
"""
from __future__ import annotations

import sqlalchemy as sa

SCHEMA_VERSION = 2  # 2: the facts beside the raw reply (see MIGRATIONS)
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
    # The facts of the reply (core.tables.request_and_usage), null until written (schema 1 rows before rebuild):
    sa.Column("web_search", sa.Boolean),
    sa.Column("country", sa.String(200)),
    sa.Column("city", sa.String(200)),
    sa.Column("force_web_search", sa.Boolean),
    sa.Column("use_reasoning", sa.Boolean),
    sa.Column("temperature", sa.Float),
    sa.Column("input_tokens", sa.BigInteger),
    sa.Column("output_tokens", sa.BigInteger),
    sa.Column("reasoning_tokens", sa.BigInteger),
    sa.Column("money_spent", sa.Float),
    sa.Column("task_cost", sa.Float, comment="the cost the reply reported (> 0), else null"),
    sa.Column("citations", sa.Integer),
    sa.Column("fan_out_queries", sa.Integer),
    sa.Column("unknown_items", sa.Integer),
    sa.Column("facts", sa.Integer, comment="the FACTS_VERSION that wrote this row's facts; null: not written"),
    # Last: SQLite stores a long reply on overflow pages, which a read of the columns before it never visits.
    sa.Column("task", sa.JSON(none_as_null=True), comment="the raw task dict, completed tasks only"),
    sa.Index("ix_aivis_tasks_engine", "engine"),
    sa.Index("ix_aivis_tasks_facts", "facts"),  # finding rows whose facts are stale, without a scan
    sa.Index("ix_aivis_tasks_status_datetime", "status", "task_datetime"),
    sa.Index("ix_aivis_tasks_model", "model"),
    sa.Index("ix_aivis_tasks_tag", "tag"),
    sa.Index("ix_aivis_tasks_prompt_hash", "prompt_hash"),
)
answers_table = sa.Table(
    "aivis_answers", metadata,
    sa.Column("task_id", sa.String(64), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("reasoning", sa.Text, nullable=False),
    sa.Column("sections", sa.Integer, nullable=False),
)
citations_table = sa.Table(
    "aivis_citations", metadata,
    sa.Column("task_id", sa.String(64), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("section", sa.Integer, nullable=False),
    sa.Column("title", sa.Text),
    sa.Column("url", sa.Text),
    sa.Column("direct_url", sa.Text),
    sa.Column("link", sa.Text),
    sa.Column("host", sa.String(255)),
    sa.Column("domain", sa.String(255)),
    sa.Column("is_redirect", sa.Boolean, nullable=False),
    sa.Column("mixed_script", sa.Boolean, nullable=False),
    sa.Column("cited_text", sa.Text),
    sa.Column("start_index", sa.BigInteger),
    sa.Column("end_index", sa.BigInteger),
    sa.Index("ix_aivis_citations_domain_task", "domain", "task_id"),  # covers the count per domain
)
fan_out_table = sa.Table(
    "aivis_fan_out", metadata,
    sa.Column("task_id", sa.String(64), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("query", sa.Text, nullable=False),
)
FACT_TABLES = (answers_table, citations_table, fan_out_table)  # rows keyed by task_id, replaced with the reply
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
FACT_COLUMNS = ("web_search", "country", "city", "force_web_search", "use_reasoning", "temperature",
                "input_tokens", "output_tokens", "reasoning_tokens", "money_spent", "task_cost", "citations",
                "fan_out_queries", "unknown_items", "facts")
UPDATABLE = ("engine", "status", "status_code", "status_message", "fetched_at", "task_datetime",
             "model", "tag", "prompt", "prompt_hash", "task") + FACT_COLUMNS
GENERATION = "generation"  # the aivis_meta key that changes whenever rows are written: the archive's state


class ArchiveError(Exception):
    """The archive cannot be opened, read or written; the message says which one and what to do."""
