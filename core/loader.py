"""Load task ids: from the archive what it already holds, from the source the rest.

Completed results never change, so an archived one is never requested again; pending,
failed and unknown ids are (re)requested, and whatever comes back is archived.
"""
from __future__ import annotations

import logging
import time
from typing import Protocol

from core.client import Batch, Progress
from core.sansio import TaskOutcome

log = logging.getLogger(__name__)


class Source(Protocol):
    def fetch_tasks(self, ids: list[str], engine: str = "gemini",
                    progress: Progress | None = None) -> Batch: ...


class Store(Protocol):
    def completed(self, ids: list[str]) -> dict[str, TaskOutcome]: ...
    def save(self, outcomes: list[TaskOutcome]) -> None: ...


def load(ids: list[str], engine: str, source: Source, archive: Store | None = None,
         progress: Progress | None = None) -> Batch:
    """Every id's outcome in the order given; ``Batch.seconds`` covers the whole load."""
    started = time.monotonic()
    known = archive.completed(ids) if archive is not None else {}
    missing = [task_id for task_id in ids if task_id not in known]
    batch = source.fetch_tasks(missing, engine, progress=progress) if missing else Batch([])
    if archive is not None and batch.outcomes:
        archive.save(batch.outcomes)
    fetched = {outcome.task_id: outcome for outcome in batch.outcomes}
    batch.outcomes = [known.get(task_id) or fetched[task_id] for task_id in ids]
    batch.seconds = time.monotonic() - started
    log.info("loaded ids=%d from_archive=%d requested=%d", len(ids), len(known), len(missing))
    return batch
