"""The DataForSEO LLM-responses client: the one place the app talks to the API.

A small transport around :mod:`core.sansio`: one ``requests.Session`` with Basic auth,
timeouts, a total deadline per request (a body trickled a byte at a time is cut off) and urllib3
``Retry`` for transport failures (a ``Retry-After`` header waits at most ``max_backoff``); the API's own transient codes
(which arrive with HTTP 200) are retried here with bounded backoff. Many ids are fetched
concurrently under a requests-per-minute cap, after a first request made alone, so an
account-wide error stops a batch after one request.
"""
from __future__ import annotations

import logging
import random
import time
from concurrent.futures import CancelledError, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ProtocolError, ReadTimeoutError
from urllib3.util.retry import Retry

from core import errors, sansio
from core.config import (DEFAULT_REQUESTS_PER_MINUTE, MAX_SIMULTANEOUS, Credentials,
                         base_url_from_env)
from core.ratelimit import RateLimiter
from core.sansio import TaskOutcome

log = logging.getLogger(__name__)
_CHUNK_BYTES = 64 * 1024
Progress = Callable[[int, int, TaskOutcome], None]


@dataclass
class Batch:
    """The outcome of each requested id, in the order given, and what stopped the batch, if anything.

    ``archive_error`` is set by :func:`core.loader.load` when the archive could not be read or
    written: the outcomes are then what the API gave, and the message says what to do.
    """

    outcomes: list[TaskOutcome]
    error: errors.DataForSEOError | None = None
    seconds: float = 0.0
    archive_error: str | None = None

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(sansio.STATUSES, 0)
        for outcome in self.outcomes:
            counts[outcome.status] += 1
        return {status: n for status, n in counts.items() if n}


@dataclass
class Client:
    """Fetch task results; ``max_workers`` simultaneous requests, ``requests_per_minute`` at most.

    ``requests_per_minute=None`` paces at the account's own task_get limit, read once (free)
    from ``user_data`` before the first batch; the help center's 2,000 if it states none.
    """

    credentials: Credentials
    base_url: str = field(default_factory=base_url_from_env)
    max_workers: int = 20
    requests_per_minute: float | None = None
    timeout: tuple[float, float] = (5.0, 60.0)
    deadline: float = 120.0  # seconds for one request, its retries and its whole body
    max_attempts: int = 5
    backoff: float = 1.0
    max_backoff: float = 30.0
    transport_retries: int = 3
    session: requests.Session = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.credentials:
            raise errors.ConfigurationError(
                "No DataForSEO credentials: set DATAFORSEO_LOGIN and DATAFORSEO_PASSWORD.")
        self.base_url = self.base_url.rstrip("/")
        self.max_workers = max(1, min(int(self.max_workers), MAX_SIMULTANEOUS))
        self._pace(self.requests_per_minute or DEFAULT_REQUESTS_PER_MINUTE)
        retry = Retry(total=self.transport_retries, connect=self.transport_retries, read=1,
                      status=self.transport_retries, backoff_factor=self.backoff / 2,
                      backoff_max=self.max_backoff, retry_after_max=self.max_backoff,
                      status_forcelist=(500, 502, 503, 504),
                      allowed_methods=frozenset({"GET"}), raise_on_status=False)
        self.session = requests.Session()
        self.session.auth = (self.credentials.login, self.credentials.password)
        self.session.headers["Accept"] = "application/json"
        adapter = HTTPAdapter(max_retries=retry, pool_connections=1, pool_maxsize=self.max_workers)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport -----------------------------------------------------------------
    def _get(self, path: str) -> tuple[int, bytes]:
        self._limiter.acquire()
        deadline = time.monotonic() + self.deadline
        try:
            with self.session.get(self.base_url + path, timeout=self.timeout, stream=True) as reply:
                return reply.status_code, self._body(reply, deadline)
        except requests.exceptions.RequestException as exc:
            raise self._transport_error(exc) from None

    def _body(self, reply: requests.Response, deadline: float) -> bytes:
        """The body as it arrives, given up past ``deadline`` (each read still waits at most the read
        timeout): a server trickling a byte every half second cannot hold a worker for minutes."""
        chunks = []
        try:
            while chunk := reply.raw.read1(_CHUNK_BYTES, decode_content=True):
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise errors.TransportError(f"No complete reply from DataForSEO within {self.deadline:g} s "
                                                "(timeout)")
        except (ReadTimeoutError, ProtocolError) as exc:  # as requests would wrap them
            raise requests.exceptions.ConnectionError(exc) from None
        return b"".join(chunks)

    def _transport_error(self, exc: requests.exceptions.RequestException) -> errors.DataForSEOError:
        """A typed error for a request that got no reply (after urllib3's retries)."""
        # urllib3's error is the argument itself (a slow body) or the reason of a MaxRetryError
        reason = exc.args[0] if exc.args else None
        reason = getattr(reason, "reason", reason)
        if isinstance(exc, requests.exceptions.ReadTimeout) or isinstance(reason, ReadTimeoutError):
            return errors.TransportError(f"No reply from DataForSEO within {self.timeout[1]:g} s (timeout)")
        if isinstance(reason, ProtocolError):  # connected, then dropped: the host is reachable
            return errors.TransportError("DataForSEO closed the connection before a complete reply")
        if isinstance(exc, requests.exceptions.ConnectionError):
            host = urlsplit(self.base_url).hostname or "the API host"  # never a userinfo part
            return errors.Unreachable(f"Cannot reach {host}: check the network and DATAFORSEO_BASE_URL")
        return errors.TransportError(f"The request to DataForSEO failed ({type(exc).__name__})")

    def _with_backoff(self, call: Callable[[], Any]) -> Any:
        """Run ``call``, retrying transient API errors with exponential backoff and jitter."""
        for attempt in range(1, self.max_attempts + 1):
            try:
                return call()
            except errors.TransientError as exc:
                if attempt == self.max_attempts:
                    raise
                pause = min(self.max_backoff, self.backoff * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)
                log.info("DataForSEO transient error %s, retry %d in %.1f s", exc.code or "", attempt, pause)
                time.sleep(pause)
        raise AssertionError("unreachable")

    # -- API calls -------------------------------------------------------------------
    def fetch_task(self, engine: str, task_id: str) -> TaskOutcome:
        """One task's outcome; raises only errors that concern the whole account or host."""
        path = sansio.task_get_path(engine, task_id)
        try:
            return self._with_backoff(lambda: sansio.parse_task_get(*self._get(path), engine, task_id))
        except errors.BatchStoppingError:
            raise
        except errors.DataForSEOError as exc:
            return TaskOutcome(task_id, engine, sansio.FAILED, exc.code, str(exc))

    def fetch_tasks(self, ids: list[str], engine: str = "gemini",
                    progress: Progress | None = None) -> Batch:
        """Every id's outcome: the first request alone, then the rest concurrently."""
        sansio.check_engine(engine)
        started, outcomes = time.monotonic(), {}
        batch = Batch([])

        def record(outcome: TaskOutcome) -> None:
            outcomes[outcome.task_id] = outcome
            if progress:
                progress(len(outcomes), len(ids), outcome)

        try:
            if ids and self.requests_per_minute is None:
                self._pace_at_account_limit()
            if ids:
                record(self.fetch_task(engine, ids[0]))
        except errors.BatchStoppingError as exc:  # one request, one clear message
            batch.error = exc
        if not batch.error and len(ids) > 1:
            with ThreadPoolExecutor(self.max_workers, thread_name_prefix="dataforseo") as pool:
                futures = [pool.submit(self.fetch_task, engine, task_id) for task_id in ids[1:]]
                for future in as_completed(futures):
                    try:
                        record(future.result())
                    except CancelledError:
                        continue
                    except errors.BatchStoppingError as exc:
                        if batch.error is None:
                            batch.error = exc
                            for other in futures:
                                other.cancel()
        for task_id in ids:
            if task_id not in outcomes:
                reason = f"Not requested: {batch.error}" if batch.error else "Not requested"
                outcomes[task_id] = TaskOutcome(task_id, engine, sansio.SKIPPED, None, reason)
        batch.outcomes = [outcomes[task_id] for task_id in ids]
        batch.seconds = time.monotonic() - started
        log.info("batch engine=%s ids=%d outcomes=%s seconds=%.2f%s", engine, len(ids), batch.counts(),
                 batch.seconds, f" stopped={type(batch.error).__name__}" if batch.error else "")
        return batch

    def tasks_ready(self, engine: str = "gemini") -> list[dict[str, Any]]:
        """Completed tasks not yet collected (the API lists those of the last 3 days)."""
        path = sansio.tasks_ready_path(engine)
        return self._with_backoff(lambda: sansio.parse_tasks_ready(*self._get(path)))

    def _pace_at_account_limit(self) -> None:
        try:
            limit = self.account_rate_limit()
        except errors.BatchStoppingError:
            raise
        except errors.DataForSEOError as exc:
            log.info("user_data unreadable (%s): pacing at %d requests a minute", exc.code or "",
                     DEFAULT_REQUESTS_PER_MINUTE)
            limit = None
        self.requests_per_minute = float(limit or DEFAULT_REQUESTS_PER_MINUTE)
        self._pace(self.requests_per_minute)

    def _pace(self, per_minute: float) -> None:
        self._limiter = RateLimiter(per_minute, burst=self.max_workers)

    def account_rate_limit(self) -> int | None:
        """The account's task_get requests-per-minute limit, read free from ``user_data``."""
        return self._with_backoff(lambda: sansio.parse_rate_limit(*self._get(sansio.USER_DATA_PATH)))
