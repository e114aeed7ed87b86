"""The exception tree of the DataForSEO client.

Every error carries the API's own ``code`` (when there is one) and a message a
person can act on. None of them ever holds credentials.
"""
from __future__ import annotations


class DataForSEOError(Exception):
    """Base class: something kept a request from giving a task's result."""

    def __init__(self, message: str, code: int | None = None, http_status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status

    def __str__(self) -> str:
        return f"{self.message} (code {self.code})" if self.code else self.message


class ConfigurationError(DataForSEOError):
    """The request cannot be made as configured (no credentials, an engine without task results)."""


class BatchStoppingError(DataForSEOError):
    """An account-wide problem: every further request would fail the same way, so the batch stops."""


class AuthError(BatchStoppingError):
    """Credentials refused, account not verified or paused, or IP not whitelisted."""


class BalanceError(BatchStoppingError):
    """Payment required or insufficient funds: results are not delivered."""


class CostLimitError(BatchStoppingError):
    """The account's daily cost limit was reached; it resets at 00:00 UTC."""


class TransientError(DataForSEOError):
    """Worth retrying after a pause: rate limits and the API's internal/timeout codes."""


class RateLimited(TransientError):
    """Too many requests per minute (40202) or at once (40209); arrives with HTTP 200."""


class BadReply(TransientError):
    """The reply was not the JSON the API documents (broken or truncated body)."""


class MalformedReply(DataForSEOError):
    """Valid JSON that cannot be what the API documents (nested too deep): asking again will not help."""


class HTTPError(DataForSEOError):
    """An HTTP error status that urllib3's retries did not get past (5xx, 404 endpoint)."""


class TransportError(DataForSEOError):
    """No reply at all: connection refused, DNS failure or a timeout."""


class Unreachable(TransportError, BatchStoppingError):
    """The API host could not be reached at all; every request would fail the same way."""
