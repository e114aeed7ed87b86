"""Load task ids: from the archive what it already holds, from the source the rest.

Completed results never change, so an archived one is never requested again; pending,
failed and unknown ids are (re)requested, and whatever comes back is archived. An archive
that cannot be read or written does not stop a load: the ids are fetched from the source
and ``Batch.archive_error`` says what went wrong.
"""
from __future__ import annotations

import logging
import time
from typing import Protocol

from core.archive import ArchiveError
from core.model import Batch, Progress, TaskOutcome

log = logging.getLogger(__name__)


class Source(Protocol):
    """``engine=None``: find each id's engine."""

    def fetch_tasks(self, ids: list[str], engine: str | None = None,
                    progress: Progress | None = None) -> Batch: ...


class Store(Protocol):
    def completed(self, ids: list[str]) -> dict[str, TaskOutcome]: ...
    def save(self, outcomes: list[TaskOutcome]) -> None: ...


def load(ids: list[str], engine: str | None, source: Source, archive: Store | None = None,
         progress: Progress | None = None) -> Batch:
    """Every id's outcome in the order given; ``Batch.seconds`` covers the whole load."""
    started, known, archive_error = time.monotonic(), {}, None
    if archive is not None:
        try:
            known = archive.completed(ids)
        except ArchiveError as exc:
            archive_error = str(exc)
            log.warning("archive not read: %s", exc)
    missing = [task_id for task_id in ids if task_id not in known]
    batch = source.fetch_tasks(missing, engine, progress=progress) if missing else Batch([])
    if archive is not None and batch.outcomes and archive_error is None:
        try:
            archive.save(batch.outcomes)
        except ArchiveError as exc:
            archive_error = str(exc)
            log.warning("archive not written: %s", exc)
    batch.archive_error = archive_error
    fetched = {outcome.task_id: outcome for outcome in batch.outcomes}
    batch.outcomes = [known.get(task_id) or fetched[task_id] for task_id in ids]
    batch.from_archive, batch.requested = len(known), len(missing)
    batch.seconds = time.monotonic() - started
    log.info("loaded ids=%d from_archive=%d requested=%d", len(ids), len(known), len(missing))
    return batch
