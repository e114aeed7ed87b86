"""Pure translation between DataForSEO replies and data (no I/O, after gidgethub's sansio).

A reply is ``(http_status, body bytes)``; :func:`parse_task_get` turns it into a
:class:`TaskOutcome` or raises a typed error from :mod:`core.errors`. The API answers
HTTP 200 for almost everything: the outcome is in ``status_code`` at two levels, the
request's and the task's, and is matched on the code, never on the message.
"""
from __future__ import annotations

import json
from typing import Any

from core import errors
from core.ids import is_task_id
from core.model import (COMPLETED, EXPIRED, FAILED, NO_ANSWER, NOT_FOUND, PENDING, WRONG_ENGINE,
                        TaskOutcome, parse_engine)
from core.task import MalformedTask, read_task

OK = 20000
PENDING_CODES = {20100, 40601, 40602}  # 20100 "Task Created.": posted, not started
NOT_FOUND_CODES = {40400, 40401, 40402}
EXPIRED_CODES = {40403}
WRONG_ENGINE_CODES = {40001, 40002, 40003, 40004}
OTHER_ENGINE_CODES = {40002, 40003, 40004}  # the id exists, on another engine's path (40001: another account)
AUTH_CODES = {40100, 40104, 40201, 40204, 40207}
BALANCE_CODES = {40200, 40210}
COST_LIMIT_CODES = {40203}
RATE_LIMIT_CODES = {40202, 40209}
API_TRANSIENT_CODES = {50000, 50001, 50301, 50303, 50304, 50401}

MAX_CODE = 99_999  # status codes are five digits; anything else is not a code


def task_get_path(engine: str, task_id: str) -> str:
    """The request path; only a valid id of a known engine ever becomes part of it."""
    if not is_task_id(task_id):
        raise errors.ConfigurationError(f"Not a task id: {task_id[:80]!r}")
    return f"/v3/ai_optimization/{parse_engine(engine)}/llm_responses/task_get/{task_id}"


def tasks_ready_path(engine: str) -> str:
    return f"/v3/ai_optimization/{parse_engine(engine)}/llm_responses/tasks_ready"


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


def code_of(value: object) -> int | None:
    """A status code, or None for anything that is not one (text, floats, 10**30)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_CODE else None


def decode(http_status: int, body: bytes) -> dict[str, Any]:
    """The reply's JSON envelope, after the account-wide and transient checks of its top level."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        data = None
    except RecursionError:
        raise errors.MalformedReply("DataForSEO sent JSON nested too deeply to read", None, http_status) from None
    if not isinstance(data, dict):
        raise_for_code(None, "", http_status)
        if http_status >= 400:
            raise errors.HTTPError(f"DataForSEO answered HTTP {http_status}", None, http_status)
        raise errors.BadReply(
            f"DataForSEO sent a reply that is not valid JSON ({len(body)} bytes; truncated?)",
            None, http_status)
    code, message = code_of(data.get("status_code")), _message(data)
    raise_for_code(code, message, http_status)
    if http_status >= 400 and code in (OK, None):
        raise errors.HTTPError(f"DataForSEO answered HTTP {http_status}", code, http_status)
    return data


def _message(data: dict[str, Any]) -> str:
    message = data.get("status_message")
    return message[:500] if isinstance(message, str) else ""


def parse_task_get(http_status: int, body: bytes, engine: str, task_id: str) -> TaskOutcome:
    """Turn one task_get reply into the task's outcome, or raise what must be retried or stops a batch.

    A completed task is read whatever the envelope's top level lacks; a reply for another id, or
    one whose fields are not what the API documents, is a failed outcome for this id, never an answer.
    """
    data = decode(http_status, body)
    top_code, top_message = code_of(data.get("status_code")), _message(data)
    tasks = data.get("tasks")
    if not isinstance(tasks, list) or not tasks:
        if http_status >= 400:
            raise errors.HTTPError(f"DataForSEO answered HTTP {http_status}: {top_message}",
                                   top_code, http_status)
        if top_code not in (OK, None):
            return TaskOutcome(task_id, engine, status_of(top_code), top_code, top_message)
        return TaskOutcome(task_id, engine, FAILED, top_code, "The reply held no task" if tasks in (None, [])
                           else "malformed reply (field tasks: a list was expected)")
    if top_code not in (OK, None):
        return TaskOutcome(task_id, engine, status_of(top_code), top_code, top_message)
    task = next((t for t in tasks if isinstance(t, dict) and str(t.get("id", "")).lower() == task_id), None)
    if task is None:
        return TaskOutcome(task_id, engine, FAILED, None,
                           "The reply was for another task id: not kept, so no answer is counted twice")
    code, message = code_of(task.get("status_code")), _message(task)
    raise_for_code(code, message)
    return outcome_of(engine, task_id, task)


def outcome_of(engine: str, task_id: str, task: dict[str, Any]) -> TaskOutcome:
    """The outcome a raw task dict stands for: from a reply, the archive or the demo data.

    A completed task is read and checked here (:func:`core.task.read_task`): with an answer it is
    completed, without one "completed, no answer", malformed it fails with the field named.
    """
    code, message = code_of(task.get("status_code")), _message(task)
    if code is None and task.get("status_code") is not None:
        return TaskOutcome(task_id, engine, FAILED, None, "malformed reply (field status_code: not a status code)")
    status = status_of(code)
    if status != COMPLETED:
        return TaskOutcome(task_id, engine, status, code, message)
    try:
        record = read_task(task)
    except MalformedTask as exc:
        return TaskOutcome(task_id, engine, FAILED, code, str(exc), task)
    if not record.has_answer:
        return TaskOutcome(task_id, engine, NO_ANSWER, code, message or "Ok.", task, record)
    return TaskOutcome(task_id, engine, COMPLETED, code, message, task, record)


def _result(data: dict[str, Any]) -> list[Any]:
    tasks = data.get("tasks")
    task = tasks[0] if isinstance(tasks, list) and tasks and isinstance(tasks[0], dict) else {}
    raise_for_code(code_of(task.get("status_code")), _message(task))
    result = task.get("result")
    return result if isinstance(result, list) else []


def parse_tasks_ready(http_status: int, body: bytes) -> list[dict[str, Any]]:
    """The completed, not yet collected tasks listed by ``tasks_ready`` (only items with a valid id)."""
    return [item for item in _result(decode(http_status, body))
            if isinstance(item, dict) and is_task_id(str(item.get("id", "")).lower())]


def parse_rate_limit(http_status: int, body: bytes) -> int | None:
    """The account's task_get requests-per-minute limit from ``user_data``, if it states one."""
    result = _result(decode(http_status, body))
    try:
        limit = result[0]["rates"]["limits"]["minute"]["ai_optimization"]["llm_responses"]["task_get"]
    except (IndexError, KeyError, TypeError):
        return None
    return int(limit) if isinstance(limit, (int, float)) and 0 < limit < 10**7 else None
