"""Writes tests/data/archive_schema1.sqlite with the code of commit e7ddeeb (archive schema 1, before the
facts): run it from a checkout of that commit,

    git worktree add --detach /tmp/v1 e7ddeeb
    cd /tmp/v1 && PYTHONPATH=. python <this repo>/tests/data/make_archive_schema1.py <this repo>/tests/data/archive_schema1.sqlite

Demo outcomes: the first 8 completed answers of each engine (by id) and every other status the demo has
(pending, expired, not found, failed, completed without an answer), fetched at one fixed time.
"""
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

from core.archive import Archive
from core.archive.schema import SCHEMA_VERSION
from core.demo import demo_outcomes
from core.model import COMPLETED

assert SCHEMA_VERSION == 1, "run this from a checkout of commit e7ddeeb"
path = Path(sys.argv[1])
path.unlink(missing_ok=True)
outcomes = sorted(demo_outcomes().values(), key=lambda o: o.task_id)
chosen = [o for o in outcomes if o.status != COMPLETED]
for engine in ("chat_gpt", "claude", "gemini"):
    chosen += [o for o in outcomes if o.status == COMPLETED and o.engine == engine][:8]
with Archive(f"sqlite:///{path}") as archive:
    print(archive.save(chosen, fetched_at=datetime(2026, 11, 20, 10, tzinfo=timezone.utc)), "rows")
plain = sqlite3.connect(path, isolation_level=None)  # one self-contained file: no -wal beside it
plain.execute("PRAGMA journal_mode = DELETE")
plain.execute("VACUUM")
plain.close()
