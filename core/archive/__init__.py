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

Beside each raw reply the archive keeps its facts (schema 2): the usage columns of ``aivis_tasks`` and the
rows of ``aivis_answers``, ``aivis_citations`` and ``aivis_fan_out``, written with the reply, so the pages
and reports read tables and aggregates without parsing a reply again. The raw replies stay the source of
truth: an archive written before the facts gains them on first use (or ``python -m core archive rebuild``).

Modules: ``schema`` (tables, limits, :class:`ArchiveError`), ``records`` (rows from outcomes and back,
pure), ``facts`` (the facts of an outcome, pure), ``facts_io`` (writing and rebuilding them, migrating),
``read`` (tables from the facts), ``aggregates`` (counts and sums in SQL), ``connect`` (engines and write
transactions), ``store`` (:class:`Archive`), ``errors`` (database errors as messages a person can act on).
"""
from __future__ import annotations

from core.archive.records import CollectionRecord, Facets, utcnow
from core.archive.schema import ArchiveError, tasks_table
from core.archive.store import Archive

__all__ = ["Archive", "ArchiveError", "CollectionRecord", "Facets", "tasks_table", "utcnow"]
