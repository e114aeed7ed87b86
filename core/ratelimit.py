"""A thread-safe token bucket: at most N requests a minute, with a small burst."""
from __future__ import annotations

import threading
import time


class RateLimiter:
    """``acquire()`` blocks until a request may be sent under ``per_minute``."""

    def __init__(self, per_minute: float, burst: int = 1, clock=time.monotonic, sleep=time.sleep):
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.interval = 60.0 / per_minute
        self.burst = max(1, burst)
        self._clock, self._sleep = clock, sleep
        self._tokens = float(self.burst)
        self._stamp = clock()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) / self.interval)
            self._stamp = now
            self._tokens -= 1
            wait = -self._tokens * self.interval if self._tokens < 0 else 0.0
        if wait:
            self._sleep(wait)
