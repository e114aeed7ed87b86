"""Pure translation between DataForSEO replies and data (no I/O, after gidgethub's sansio).

A reply is ``(http_status, body bytes)``; :func:`parse_task_get` turns it into a
:class:`TaskOutcome` or raises a typed error from :mod:`core.errors`. The API answers
HTTP 200 for almost everything: the outcome is in ``status_code`` at two levels, the
request's and the task's, and is matched on the code, never on the message.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from core import errors

ENGINES = ("gemini", "chat_gpt", "claude")
ENGINE_LABELS = {"gemini": "Gemini", "chat_gpt": "ChatGPT", "claude": "Claude"}
NO_TASK_RESULTS = {
    "perplexity": "Perplexity is Live-only at DataForSEO: it has no task_get, so its answers "
    "cannot be loaded by task id. Use gemini, chat_gpt or claude.",
}

OK = 20000
PENDING_CODES = {40601, 40602}
NOT_FOUND_CODES = {40400, 40401, 40402}
EXPIRED_CODES = {40403}
WRONG_ENGINE_CODES = {40001, 40002, 40003, 40004}
AUTH_CODES = {40100, 40104, 40201, 40204, 40207}
BALANCE_CODES = {40200, 40210}
COST_LIMIT_CODES = {40203}
RATE_LIMIT_CODES = {40202, 40209}
API_TRANSIENT_CODES = {50000, 50001, 50301, 50303, 50304, 50401}

# The outcome of one task id, in the order a status table lists them.
COMPLETED, PENDING, NOT_FOUND, EXPIRED, WRONG_ENGINE, FAILED, SKIPPED = (
    "completed", "pending", "not found", "expired", "wrong engine or account", "failed", "not requested",
)
STATUSES = (COMPLETED, PENDING, NOT_FOUND, EXPIRED, WRONG_ENGINE, FAILED, SKIPPED)
STATUS_HELP = {
    COMPLETED: "The answer is here.",
    PENDING: "Still in the API's queue: load again later.",
    NOT_FOUND: "No such task for this account and engine.",
    EXPIRED: "Older than 30 days: gone from the API (only an archive keeps it).",
    WRONG_ENGINE: "The id belongs to another engine, type or account: check the engine.",
    FAILED: "The API or the network failed for this id; the message says why.",
    SKIPPED: "Not requested because the batch stopped on an account-wide error.",
}


@dataclass(frozen=True)
class TaskOutcome:
    """What one task id came to; ``task`` is the raw task dict when the API sent one."""

    task_id: str
    engine: str
    status: str
    status_code: int | None = None
    status_message: str = ""
    task: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def completed(self) -> bool:
        return self.status == COMPLETED


def check_engine(engine: str) -> str:
    """Return the engine if it has task results, else raise a ConfigurationError saying why."""
    if engine in ENGINES:
        return engine
    if engine in NO_TASK_RESULTS:
        raise errors.ConfigurationError(NO_TASK_RESULTS[engine])
    raise errors.ConfigurationError(f"Unknown engine {engine!r}: use one of {', '.join(ENGINES)}.")


def task_get_path(engine: str, task_id: str) -> str:
    return f"/v3/ai_optimization/{check_engine(engine)}/llm_responses/task_get/{task_id}"


def tasks_ready_path(engine: str) -> str:
    return f"/v3/ai_optimization/{check_engine(engine)}/llm_responses/tasks_ready"


USER_DATA_PATH = "/v3/appendix/user_data"


def status_of(code: int | None) -> str:
    """The outcome a task-level status code means (transient and fatal codes are raised instead)."""
    if code == OK:
        return COMPLETED
    if code in PENDING_CODES:
        return PENDING
    if code in NOT_FOUND_CODES:
        return NOT_FOUND
    if code in EXPIRED_CODES:
        return EXPIRED
    if code in WRONG_ENGINE_CODES:
        return WRONG_ENGINE
    return FAILED


def raise_for_code(code: int | None, message: str, http_status: int | None = None) -> None:
    """Raise the typed error for an account-wide or transient code; return for any other."""
    if http_status == 401 or code in AUTH_CODES:
        raise errors.AuthError(
            f"DataForSEO refused the credentials or the account: {message or 'Unauthorized'}",
            code, http_status)
    if http_status == 402 or code in BALANCE_CODES:
        raise errors.BalanceError(
            f"DataForSEO account balance problem: {(message or 'Payment Required').rstrip('.')}. "
            "Top up the balance; no results are delivered until then.", code, http_status)
    if code in COST_LIMIT_CODES:
        raise errors.CostLimitError(
            f"{message or 'Daily cost limit reached'}: it resets at 00:00 UTC.", code, http_status)
    if code in RATE_LIMIT_CODES:
        raise errors.RateLimited(message or "Rate limit reached", code, http_status)
    if code in API_TRANSIENT_CODES:
        raise errors.TransientError(message or "DataForSEO internal error", code, http_status)


def decode(http_status: int, body: bytes) -> dict[str, Any]:
    """The reply's JSON envelope, after the account-wide and transient checks of its top level."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise_for_code(None, "", http_status)
        if http_status >= 400:
            raise errors.HTTPError(f"DataForSEO answered HTTP {http_status}", None, http_status)
        raise errors.BadReply(
            f"DataForSEO sent a reply that is not valid JSON ({len(body)} bytes; truncated?)",
            None, http_status)
    code, message = data.get("status_code"), data.get("status_message") or ""
    raise_for_code(code, message, http_status)
    if http_status >= 400 and code == OK:
        raise errors.HTTPError(f"DataForSEO answered HTTP {http_status}", code, http_status)
    return data


def parse_task_get(http_status: int, body: bytes, engine: str, task_id: str) -> TaskOutcome:
    """Turn one task_get reply into the task's outcome, or raise what must be retried or stops a batch."""
    data = decode(http_status, body)
    top_code, top_message = data.get("status_code"), data.get("status_message") or ""
    tasks = data.get("tasks") or []
    if top_code != OK or not tasks:
        if http_status >= 400:
            raise errors.HTTPError(f"DataForSEO answered HTTP {http_status}: {top_message}",
                                   top_code, http_status)
        return TaskOutcome(task_id, engine, status_of(top_code) if top_code != OK else FAILED,
                           top_code, top_message or "The reply held no task")
    task = next((t for t in tasks if isinstance(t, dict) and t.get("id") == task_id), tasks[0])
    if not isinstance(task, dict):
        raise errors.BadReply("DataForSEO sent a task that is not an object", top_code, http_status)
    code, message = task.get("status_code"), task.get("status_message") or ""
    raise_for_code(code, message)
    status = status_of(code)
    return TaskOutcome(task_id, engine, status, code, message, task if status == COMPLETED else None)


def outcome_from_task(engine: str, task: dict[str, Any]) -> TaskOutcome:
    """The outcome a stored raw task dict stands for (used by the archive and the demo data)."""
    code = task.get("status_code")
    status = status_of(code)
    return TaskOutcome(str(task.get("id", "")), engine, status, code,
                       task.get("status_message") or "", task if status == COMPLETED else None)


def _result(data: dict[str, Any]) -> list[Any]:
    tasks = data.get("tasks") or [{}]
    task = tasks[0] if isinstance(tasks[0], dict) else {}
    raise_for_code(task.get("status_code"), task.get("status_message") or "")
    return task.get("result") or []


def parse_tasks_ready(http_status: int, body: bytes) -> list[dict[str, Any]]:
    """The completed, not yet collected tasks listed by ``tasks_ready``."""
    return [item for item in _result(decode(http_status, body)) if isinstance(item, dict) and item.get("id")]


def parse_rate_limit(http_status: int, body: bytes) -> int | None:
    """The account's task_get requests-per-minute limit from ``user_data``, if it states one."""
    result = _result(decode(http_status, body))
    try:
        limit = result[0]["rates"]["limits"]["minute"]["ai_optimization"]["llm_responses"]["task_get"]
    except (IndexError, KeyError, TypeError):
        return None
    return int(limit) if isinstance(limit, (int, float)) and limit > 0 else None
