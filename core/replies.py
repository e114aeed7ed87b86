"""Build replies in the DataForSEO LLM-responses shape: the inverse of ``core.sansio``'s parsing.

The tests' fake API and the demo data generator both wrap their tasks with these functions, so
there is one picture of what a reply looks like (the envelope, a task, a result, its items and
annotations; see the reference README). Pure functions: no I/O, no clock, no randomness.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

VERSION = "0.1.20261110"
MESSAGES = {
    20000: "Ok.",
    20100: "Task Created.",
    40001: "This id is used by another client, check the id.",
    40002: "This id is used by another search engine, check the Path.",
    40100: "You are not authorized to access this resource.",
    40101: "Internal SE Server Error.",
    40200: "Payment Required.",
    40203: "The cost limit has been exceeded. You can modify your cost limit in the user panel.",
    40209: "You can't make more than 30 simultaneous requests. Please, try again later.",
    40210: "Insufficient funds.",
    40400: "Not Found.",
    40401: "Task Not Found.",
    40402: "Invalid Path.",
    40403: "Results Expired.",
    40601: "Task Handed.",
    40602: "Task In Queue.",
    50000: "Internal Error.",
    50301: "Service Unavailable.",
}


def message(code: int) -> str:
    """The API's status message for ``code`` ("Error." for a code without a known message)."""
    return MESSAGES.get(code, "Error.")


def seconds(value: float) -> str:
    """A ``time`` field: ``"0.0712 sec."``."""
    return f"{value:.4f} sec."


def stamp(moment: datetime) -> str:
    """A result's ``datetime`` field: ``"2026-11-20 09:15:00 +00:00"`` (the moment in UTC)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S +00:00")


def envelope(tasks: list[dict[str, Any]] | None, status_code: int = 20000, status_message: str = "Ok.",
             *, version: str = VERSION, time: str = "0.0712 sec.") -> dict[str, Any]:
    """A reply envelope around ``tasks`` (``None`` gives ``"tasks": null``, as account errors do)."""
    tasks_list = tasks or []
    return {
        "version": version,
        "status_code": status_code,
        "status_message": status_message,
        "time": time,
        "cost": round(sum(task.get("cost") or 0 for task in tasks_list), 7),
        "tasks_count": len(tasks_list),
        "tasks_error": sum(1 for task in tasks_list if (task.get("status_code") or 0) >= 40000),
        "tasks": tasks,
    }


def task_get_path(engine: str, task_id: str) -> list[str]:
    """The ``path`` field of a task_get task: the URL path split into parts."""
    return ["v3", "ai_optimization", engine, "llm_responses", "task_get", task_id]


def task(task_id: str, engine: str, status_code: int = 20000, status_message: str | None = None, *,
         data: dict[str, Any] | None = None, result: list[dict[str, Any]] | None = None,
         cost: float = 0, time: str = "0.0000 sec.") -> dict[str, Any]:
    """A task_get task. ``data`` adds the request's fields to ``api``/``function``/``se``; ``cost`` is 0
    by default, as in every task_get reply DataForSEO publishes (the charge is made at posting)."""
    return {
        "id": task_id,
        "status_code": status_code,
        "status_message": message(status_code) if status_message is None else status_message,
        "time": time,
        "cost": cost,
        "result_count": len(result or []),
        "path": task_get_path(engine, task_id),
        "data": {"api": "ai_optimization", "function": "llm_responses", "se": engine, **(data or {})},
        "result": result,
    }


def result(model_name: str, moment: datetime, items: list[dict[str, Any]], *, web_search: bool,
           input_tokens: int, output_tokens: int, reasoning_tokens: int = 0, money_spent: float = 0,
           fan_out_queries: list[str] | None = None) -> dict[str, Any]:
    """One result of a completed task: the model's usage, when it answered, and its items."""
    return {
        "model_name": model_name,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "reasoning_tokens": reasoning_tokens,
        "web_search": web_search,
        "money_spent": round(money_spent, 7),
        "datetime": stamp(moment),
        "items": items,
        "fan_out_queries": fan_out_queries,
    }


def message_item(sections: list[dict[str, Any]]) -> dict[str, Any]:
    """The answer: ``type: "message"`` with text sections."""
    return {"type": "message", "sections": sections}


def text_section(text: str, annotations: list[dict[str, Any]] | None) -> dict[str, Any]:
    """A section of the answer; ``annotations`` is None when web search was off."""
    return {"type": "text", "text": text, "annotations": annotations}


def reasoning_item(summaries: list[str]) -> dict[str, Any]:
    """A reasoning model's summary: ``type: "reasoning"`` with ``summary_text`` sections."""
    return {"type": "reasoning", "sections": [{"type": "summary_text", "text": text} for text in summaries]}


def annotation(title: str, url: str, span: tuple[int, str] | None = None, **fields: Any) -> dict[str, Any]:
    """A citation: ``title`` and ``url``, any other field as given (``direct_url``), and for a ``span``
    ``(start, text)`` the ``start_index``/``end_index``/``text`` that results since 2026-07-28 carry."""
    note = {"title": title, "url": url, **fields}
    if span is not None:
        start, text = span
        note.update(start_index=start, end_index=start + len(text), text=text)
    return note
