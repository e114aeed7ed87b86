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
import threading
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
from core.config import DEFAULT_REQUESTS_PER_MINUTE, MAX_SIMULTANEOUS, TASKS_READY_PER_MINUTE, Credentials
from core.model import ENGINES, FAILED, SKIPPED, WRONG_ENGINE, Batch, Progress, TaskOutcome, parse_engine
from core.ratelimit import RateLimiter

log = logging.getLogger(__name__)
_CHUNK_BYTES = 64 * 1024
_READY_BURST = 5  # tasks_ready calls made at once (one per engine, a page more) before pacing starts


@dataclass
class Client:
    """Fetch task results; ``max_workers`` simultaneous requests, ``requests_per_minute`` at most.

    ``requests_per_minute=None`` paces at the account's own task_get limit, read once (free)
    from ``user_data`` before the first batch; the help center's 2,000 if it states none.
    ``tasks_ready`` calls are paced on their own as well, at the API's 20 a minute.
    ``requests_sent`` counts every request made (retries included).
    """

    credentials: Credentials
    base_url: str
    max_workers: int = 20
    requests_per_minute: float | None = None
    timeout: tuple[float, float] = (5.0, 60.0)
    deadline: float = 120.0  # seconds for one request, its retries and its whole body
    max_attempts: int = 5
    backoff: float = 1.0
    max_backoff: float = 30.0
    transport_retries: int = 3
    session: requests.Session = field(init=False, repr=False)
    requests_sent: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if not self.credentials:
            raise errors.ConfigurationError(
                "No DataForSEO credentials: set DATAFORSEO_LOGIN and DATAFORSEO_PASSWORD.")
        self.base_url = self.base_url.rstrip("/")
        self.max_workers = max(1, min(int(self.max_workers), MAX_SIMULTANEOUS))
        self._pace(self.requests_per_minute or DEFAULT_REQUESTS_PER_MINUTE)
        # A bucket of B calls refilled at (20 - B) a minute: never more than 20 in any minute.
        self._ready_limiter = RateLimiter(TASKS_READY_PER_MINUTE - _READY_BURST, burst=_READY_BURST)
        self._count_lock = threading.Lock()
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
        with self._count_lock:
            self.requests_sent += 1
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
        """One task's outcome on one engine; raises only errors that concern the whole account or host.

        An id that is not one fails here, before any request (it never becomes part of a path)."""
        try:
            path = sansio.task_get_path(engine, task_id)
            return self._with_backoff(lambda: sansio.parse_task_get(*self._get(path), engine, task_id))
        except errors.BatchStoppingError:
            raise
        except errors.DataForSEOError as exc:
            return TaskOutcome(task_id, engine, FAILED, exc.code, str(exc))

    def detect_task(self, engines: list[str], task_id: str) -> TaskOutcome:
        """The id asked of each engine in turn until one owns it (at most one request per engine).

        The API answers 40002/40003/40004 for an id asked on another engine's path: the id is fine,
        the engine is wrong, so the next engine is asked.
        """
        for engine in engines:
            outcome = self.fetch_task(engine, task_id)
            if not (outcome.status == WRONG_ENGINE and outcome.status_code in sansio.OTHER_ENGINE_CODES):
                return outcome
        asked = ", ".join(engines)
        return TaskOutcome(task_id, engines[0], WRONG_ENGINE, outcome.status_code,
                           f"No engine owns this id (asked {asked}): check the account it was posted with")

    def fetch_tasks(self, ids: list[str], engine: str | None = None,
                    progress: Progress | None = None) -> Batch:
        """Every id's outcome: the first request alone, then the rest concurrently.

        ``engine=None`` detects each id's engine (Gemini first, then the engine most ids of this
        batch were found on); a named engine asks that engine only.
        """
        engines = _engine_order(parse_engine(engine) if engine else None)
        found: dict[str, int] = dict.fromkeys(ENGINES, 0)

        def one(task_id: str) -> TaskOutcome:
            order = engines if len(engines) == 1 else sorted(engines, key=lambda e: -found[e])
            outcome = self.detect_task(order, task_id)
            found[outcome.engine] += 1
            return outcome

        started, outcomes = time.monotonic(), {}
        batch = Batch([], requested=len(ids))

        def record(outcome: TaskOutcome) -> None:
            outcomes[outcome.task_id] = outcome
            if progress:
                progress(len(outcomes), len(ids), outcome)

        try:
            if ids and self.requests_per_minute is None:
                self._pace_at_account_limit()
            if ids:
                record(one(ids[0]))
        except errors.BatchStoppingError as exc:  # one request, one clear message
            batch.error = exc
        if not batch.error and len(ids) > 1:
            with ThreadPoolExecutor(self.max_workers, thread_name_prefix="dataforseo") as pool:
                futures = [pool.submit(one, task_id) for task_id in ids[1:]]
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
                outcomes[task_id] = TaskOutcome(task_id, engine or engines[0], SKIPPED, None, reason)
        batch.outcomes = [outcomes[task_id] for task_id in ids]
        batch.seconds = time.monotonic() - started
        log.info("batch engine=%s ids=%d outcomes=%s seconds=%.2f%s", engine or "auto", len(ids), batch.counts(),
                 batch.seconds, f" stopped={type(batch.error).__name__}" if batch.error else "")
        return batch

    def tasks_ready(self, engine: str) -> list[dict[str, Any]]:
        """Completed tasks not yet collected (the API lists those of the last 3 days)."""
        path = sansio.tasks_ready_path(engine)

        def call() -> list[dict[str, Any]]:
            self._ready_limiter.acquire()
            return sansio.parse_tasks_ready(*self._get(path))
        return self._with_backoff(call)

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


def _engine_order(engine: str | None) -> list[str]:
    """The engines to ask: the named one only, or all of them (Gemini first) to detect it."""
    return [engine] if engine else list(ENGINES)
