"""Collect: archive every ready task of each engine, so the archive fills itself on a schedule.

Pure orchestration over a client (``tasks_ready`` and ``fetch_tasks``) and the archive: for each
engine, list its ready tasks, fetch the listed ids the archive does not hold as final (under the
engine they were listed for: no detection), archive them, and list again. ``tasks_ready`` lists at
most 1,000 ids a call and shows the rest only once those are collected, so an engine is listed
until a listing brings no id this run has not seen. Each listing's results are archived before the
next call, so an interrupted collection keeps what it fetched and the next run finishes the rest;
a second run fetches nothing (collected tasks drop off the list, archived ones are not asked
again). No printing and no Streamlit: the CLI and the Load page say what the summary says.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Iterable, Protocol

from core import errors
from core.archive import Archive, CollectionRecord, utcnow
from core.config import TASKS_READY_PAGE
from core.model import ENGINES, Batch, Progress, engine_label

log = logging.getLogger(__name__)


class ReadySource(Protocol):
    """What collecting needs of :class:`core.client.Client`."""

    requests_sent: int

    def tasks_ready(self, engine: str) -> list[dict[str, Any]]: ...

    def fetch_tasks(self, ids: list[str], engine: str | None = None,
                    progress: Progress | None = None) -> Batch: ...


@dataclass
class CollectSummary:
    """What one collection did. ``listed`` = ``new`` + ``already_archived`` + ``failed``.

    ``failed`` counts fetched ids that did not come back final (failed, pending, not found, or not
    requested because the collection stopped); ``listing_errors`` the engines whose list could not
    be read; ``error`` the account-wide error that stopped the collection.
    """

    engines: list[str]
    listed: int = 0
    new: int = 0
    already_archived: int = 0
    failed: int = 0
    requests: int = 0
    seconds: float = 0.0
    listing_errors: dict[str, str] = field(default_factory=dict)
    error: errors.DataForSEOError | None = None

    def line(self) -> str:
        """One line for a log or a page: the counts, the requests and the time."""
        engines = ", ".join(map(engine_label, self.engines))
        return (f"collected {engines}: {self.listed} listed, {self.new} new, {self.already_archived} already "
                f"archived, {self.failed} failed; {self.requests} requests in {self.seconds:.1f} s")


def collect(client: ReadySource, archive: Archive, engines: Iterable[str] = ENGINES,
            since: date | datetime | None = None, progress: Progress | None = None) -> CollectSummary:
    """Archive every ready task of ``engines`` posted on or after ``since`` (a date: that whole day).

    An account-wide error (credentials, balance, cost limit, host unreachable) stops the collection
    and is returned in ``error``; an engine whose list cannot be read after retries is skipped and
    named in ``listing_errors``. An :class:`core.archive.ArchiveError` propagates: collecting without
    the archive would take tasks off the ready list with nowhere to keep them.
    """
    summary = CollectSummary(list(engines))
    started, clock, sent = utcnow(), time.monotonic(), client.requests_sent
    try:
        for engine in summary.engines:
            _collect_engine(client, archive, engine, since, summary, progress)
    except errors.BatchStoppingError as exc:
        summary.error = exc
    finally:
        summary.requests = client.requests_sent - sent
        summary.seconds = time.monotonic() - clock
    archive.record_collection(CollectionRecord(
        started, utcnow(), summary.listed, summary.new, summary.already_archived, summary.failed,
        str(summary.error) if summary.error else None))
    log.info("%s%s", summary.line(), f" stopped={type(summary.error).__name__}" if summary.error else "")
    return summary


def _collect_engine(client: ReadySource, archive: Archive, engine: str, since: date | datetime | None,
                    summary: CollectSummary, progress: Progress | None) -> None:
    """List ``engine`` until a listing holds no id not seen this run; fetch and archive each listing."""
    seen: set[str] = set()
    while True:
        try:
            items = client.tasks_ready(engine)
        except errors.BatchStoppingError:
            raise
        except errors.DataForSEOError as exc:
            summary.listing_errors[engine] = str(exc)
            log.warning("tasks_ready %s not read: %s", engine, exc)
            return
        ids = [str(item["id"]).lower() for item in items if _posted_since(item, since)]
        fresh = list(dict.fromkeys(task_id for task_id in ids if task_id not in seen))
        if not fresh:
            return
        seen.update(fresh)
        known = archive.completed(fresh)
        missing = [task_id for task_id in fresh if task_id not in known]
        batch = client.fetch_tasks(missing, engine, progress=progress) if missing else Batch([])
        archive.save(batch.outcomes)
        new = sum(1 for outcome in batch.outcomes if outcome.final)
        summary.listed += len(fresh)
        summary.already_archived += len(known)
        summary.new += new
        summary.failed += len(missing) - new
        if batch.error:
            raise batch.error
        if len(items) < TASKS_READY_PAGE:  # the whole list fitted in one call
            return


def _posted_since(item: dict[str, Any], since: date | datetime | None) -> bool:
    """Whether a ready task was posted on or after ``since``; a task whose date cannot be read is kept."""
    if since is None:
        return True
    try:
        posted = datetime.strptime(str(item.get("date_posted") or ""), "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        return True
    if isinstance(since, datetime):
        bound = since if since.tzinfo else since.replace(tzinfo=timezone.utc)
        return posted >= bound
    return posted.astimezone(timezone.utc).date() >= since
