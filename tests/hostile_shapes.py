"""Reply shapes a hostile or broken API could send, as raw bodies, and what each must come to.

Each :class:`Shape` turns a good completed task (built by :func:`good_task`, in the API's shape) into
the raw bytes of a task_get reply. ``status`` is the outcome the reader must give it, and ``says``
what its status message must contain: the field it names for a malformed reply. The last shapes are
ones the API really sends (no top-level status, ``20100``, ``result: null``, an unknown item type):
they are read, not refused. Serve them with ``FakeDataForSEO.add_raw``.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from core import replies
from core.model import COMPLETED, FAILED, NO_ANSWER, PENDING

RAW = "__raw__"  # a placeholder string replaced by raw JSON text that json.dumps would never write
DEEP = 200_000  # levels of nesting: far past any JSON parser's recursion limit


def good_task(task_id: str, engine: str, n: int = 0) -> dict[str, Any]:
    """A completed task with one message item (first), one citation and a fan-out query; cost 0."""
    text = f"Answer {n}: Asana and Trello lead for remote teams."
    note = replies.annotation(f"site{n}.example", f"https://site{n}.example/page", (0, text[:9]))
    result = replies.result(f"model-{engine}", datetime(2026, 11, 16, 9, n % 60, tzinfo=timezone.utc),
                            [replies.message_item([replies.text_section(text, [note])])], web_search=True,
                            input_tokens=10 + n, output_tokens=100 + n, money_spent=0.001 * (n + 1),
                            fan_out_queries=[f"query {n}"])
    return replies.task(task_id, engine, data={"user_prompt": f"Prompt {n}", "model_name": f"model-{engine}",
                                               "tag": "hostile-batch"}, result=[result])


def _body(envelope: dict[str, Any], raw: str | None = None) -> bytes:
    text = json.dumps(envelope)
    return (text.replace(json.dumps(RAW), raw) if raw is not None else text).encode()


def _task_change(change: Callable[[dict[str, Any]], None], raw: str | None = None) -> Callable[[dict], bytes]:
    """A shape made by ``change`` to a copy of the task (``raw`` replaces the placeholder :data:`RAW`)."""
    def build(task: dict[str, Any]) -> bytes:
        envelope = replies.envelope([task])  # its counts and cost from the good task
        envelope["tasks"] = [copy.deepcopy(task)]
        change(envelope["tasks"][0])
        return _body(envelope, raw)
    return build


def _result(task: dict) -> dict:
    return task["result"][0]


def _section(task: dict) -> dict:
    return _result(task)["items"][0]["sections"][0]


def _set(where: Callable[[dict], dict], key: str, value: Any) -> Callable[[dict], None]:
    return lambda task: where(task).__setitem__(key, value)


def _envelope_change(change: Callable[[dict[str, Any]], None]) -> Callable[[dict], bytes]:
    def build(task: dict[str, Any]) -> bytes:
        envelope = replies.envelope([copy.deepcopy(task)])
        change(envelope)
        return _body(envelope)
    return build


def _nested(task: dict[str, Any]) -> bytes:
    head = json.dumps({"version": replies.VERSION, "status_code": 20000, "status_message": "Ok."})[:-1]
    return f'{head}, "tasks": [{{"id": "{task["id"]}", "data": {"[" * DEEP}{"]" * DEEP}}}]}}'.encode()


def _other_id(task: dict) -> None:
    task["id"] = task["id"][:-4] + ("0000" if not task["id"].endswith("0000") else "ffff")
    task["path"][-1] = task["id"]


def _unknown_item(task: dict) -> None:
    _result(task)["items"].append(UNKNOWN_ITEM)


UNKNOWN_ITEM = {"type": "image_generation", "url": "https://img.example/i.png", "caption": "<b>made</b>"}


@dataclass(frozen=True)
class Shape:
    name: str
    build: Callable[[dict[str, Any]], bytes]
    status: str
    says: str  # in the outcome's status message


SHAPES = [
    Shape("tasks_object", _envelope_change(lambda e: e.update(tasks={"0": e["tasks"][0]})), FAILED, "field tasks"),
    Shape("tasks_number", _envelope_change(lambda e: e.update(tasks=7)), FAILED, "field tasks"),
    Shape("result_number", _task_change(lambda t: t.update(result=7)), FAILED, "field result"),
    Shape("data_list", _task_change(lambda t: t.update(data=["se", "gemini"])), FAILED, "field data"),
    Shape("datetime_far", _task_change(_set(_result, "datetime", "9999-12-31 23:59:59 -14:00")), FAILED,
          "field result.datetime"),
    Shape("status_code_huge", _task_change(lambda t: t.update(status_code=10**30)), FAILED, "field status_code"),
    Shape("nested_deep", _nested, FAILED, "nested too deep"),
    Shape("tokens_text", _task_change(_set(_result, "input_tokens", "12a")), FAILED, "field result.input_tokens"),
    Shape("tokens_1e400", _task_change(_set(_result, "input_tokens", RAW), "1e400"), FAILED,
          "field result.input_tokens"),
    Shape("cost_text", _task_change(lambda t: t.update(cost="abc")), FAILED, "field cost"),
    Shape("cost_nan_text", _task_change(lambda t: t.update(cost="NaN")), FAILED, "field cost"),
    Shape("cost_nan_raw", _task_change(lambda t: t.update(cost=RAW), "NaN"), FAILED, "field cost"),
    Shape("items_int", _task_change(_set(_result, "items", 3)), FAILED, "field result.items"),
    Shape("sections_int", _task_change(lambda t: _result(t)["items"][0].update(sections=3)), FAILED,
          "field result.items[0].sections"),
    Shape("annotations_int", _task_change(_set(_section, "annotations", 3)), FAILED,
          "field result.items[0].sections[0].annotations"),
    Shape("text_int", _task_change(_set(_section, "text", 3)), FAILED, "field result.items[0].sections[0].text"),
    Shape("money_negative", _task_change(_set(_result, "money_spent", -5000)), FAILED,
          "field result.money_spent"),
    Shape("other_id", _task_change(_other_id), FAILED, "another task id"),
    # shapes the API sends: read, never refused
    Shape("no_top_status", _envelope_change(lambda e: e.pop("status_code")), COMPLETED, ""),
    Shape("top_status_huge", _envelope_change(lambda e: e.update(status_code=10**30)), COMPLETED, ""),
    Shape("created_20100", _task_change(lambda t: t.update(status_code=20100, status_message="Task Created.",
                                                           result=None)), PENDING, "Task Created."),
    Shape("result_null", _task_change(lambda t: t.update(result=None, result_count=0)), NO_ANSWER, ""),
    Shape("unknown_item", _task_change(_unknown_item), COMPLETED, ""),
    Shape("nul_characters", _task_change(lambda t: t["data"].update(user_prompt="a\x00b", tag="\x00")), COMPLETED, ""),
]
MALFORMED = [shape for shape in SHAPES if shape.status == FAILED]
