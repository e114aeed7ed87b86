"""One reader of a raw task dict, as the API sends it or as the archive keeps it.

Every field the app uses is read here and nowhere else, and checked for type and range on the
way in: a reply is untrusted input. :func:`read_task` returns a :class:`TaskRecord`, or raises
:class:`MalformedTask` naming the first field that is not what the API documents (the caller
records the task as failed, never as an answer, and its neighbours are unaffected).
Optional and null fields are normal (results from before a field existed, web search off) and
read as empty. No I/O.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, NamedTuple

MAX_TOKENS = 10**10  # far above any model's context; a larger count is a broken reply
MAX_USD = 10**5  # per task
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S %z"
YEARS = range(2000, 2101)
REQUEST_FLAGS = ("force_web_search", "use_reasoning")
REQUEST_TEXTS = ("web_search_country_iso_code", "web_search_city")


class MalformedTask(ValueError):
    """A task field has a type or value the API never sends; ``field`` is its path in the task."""

    def __init__(self, field: str, why: str):
        super().__init__(f"malformed reply (field {field}: {why})")
        self.field = field


class Citation(NamedTuple):  # a NamedTuple: built ~30k times per 10k answers, faster than a frozen dataclass
    """One annotation of a message section: the source and, since 2026-07-28, the span it supports."""

    title: str | None
    url: str | None
    direct_url: str | None
    text: str | None
    start_index: int | None
    end_index: int | None


class Section(NamedTuple):
    text: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class TaskRecord:
    """The checked reading of one task: what was asked, what came back, what it cost."""

    task_id: str
    prompt: str | None
    model: str | None
    tag: str | None
    datetime: datetime | None  # the answer's result datetime, UTC
    web_search: bool | None
    input_tokens: int
    output_tokens: int
    reasoning_tokens: int
    money_spent: float  # what the model provider charged (USD)
    reported_cost: float | None  # the task's ``cost`` when above 0 (task_get replies say 0)
    sections: tuple[Section, ...]
    reasoning: str
    fan_out_queries: tuple[str, ...]
    system_message: str | None
    message_chain: tuple[tuple[str, str], ...]
    country: str | None
    city: str | None
    force_web_search: bool | None
    use_reasoning: bool | None
    temperature: float | None
    has_result: bool
    unknown_items: tuple[dict[str, Any], ...]  # items of a type this reader does not know, kept raw

    @property
    def has_answer(self) -> bool:
        """A result with at least one message section of text."""
        return any(section.text.strip() for section in self.sections)

    @property
    def text(self) -> str:
        return "\n\n".join(section.text for section in self.sections)


def read_task(task: object) -> TaskRecord:
    """The checked reading of a raw task dict; :class:`MalformedTask` if a field is off."""
    task = _dict(task, "task")
    task_id = _text(task.get("id"), "id") or ""
    data = _dict(task.get("data"), "data")
    results = _list(task.get("result"), "result")
    result = _dict(results[0], "result[0]") if results else {}
    sections, reasoning, unknown = _items(_list(result.get("items"), "result.items"))
    cost = _usd(task.get("cost"), "cost")
    return TaskRecord(
        task_id=task_id,
        prompt=_text(data.get("user_prompt"), "data.user_prompt"),
        model=_text(result.get("model_name"), "result.model_name") or _text(data.get("model_name"),
                                                                           "data.model_name"),
        tag=_text(data.get("tag"), "data.tag"),
        datetime=_datetime(result.get("datetime"), "result.datetime"),
        web_search=_flag(result.get("web_search"), "result.web_search") if result else None,
        input_tokens=_count(result.get("input_tokens"), "result.input_tokens"),
        output_tokens=_count(result.get("output_tokens"), "result.output_tokens"),
        reasoning_tokens=_count(result.get("reasoning_tokens"), "result.reasoning_tokens"),
        money_spent=_usd(result.get("money_spent"), "result.money_spent"),
        reported_cost=cost if cost > 0 else None,
        sections=tuple(sections), reasoning="\n\n".join(reasoning),
        fan_out_queries=_queries(result.get("fan_out_queries")),
        system_message=_text(data.get("system_message"), "data.system_message"),
        message_chain=_chain(data.get("message_chain")),
        country=_text(data.get("web_search_country_iso_code"), "data.web_search_country_iso_code"),
        city=_text(data.get("web_search_city"), "data.web_search_city"),
        force_web_search=_flag(data.get("force_web_search"), "data.force_web_search"),
        use_reasoning=_flag(data.get("use_reasoning"), "data.use_reasoning"),
        temperature=_number(data.get("temperature"), "data.temperature"),
        has_result=bool(result), unknown_items=tuple(unknown),
    )


def _items(items: list) -> tuple[list[Section], list[str], list[dict]]:
    """Message sections, reasoning summaries, and the items of unknown type (kept, never dropped)."""
    sections, reasoning, unknown = [], [], []
    for i, item in enumerate(items):
        item = _dict(item, f"result.items[{i}]")
        kind = item.get("type")
        parts = _list(item.get("sections"), f"result.items[{i}].sections") if kind in (
            "message", "reasoning") else []
        for j, part in enumerate(parts):
            where = f"result.items[{i}].sections[{j}]"
            part = _dict(part, where)
            text = _text(part.get("text"), f"{where}.text") or ""
            if kind == "reasoning":
                reasoning.append(text)
            elif part.get("type", "text") == "text":
                notes = _list(part.get("annotations"), f"{where}.annotations")
                sections.append(Section(text, tuple(_citation(n, f"{where}.annotations[{k}]")
                                                    for k, n in enumerate(notes))))
        if kind not in ("message", "reasoning"):
            unknown.append(item)
    return sections, reasoning, unknown


def _citation(note: object, where: str) -> Citation:
    note = _dict(note, where)
    return Citation(_text(note.get("title"), f"{where}.title"), _text(note.get("url"), f"{where}.url"),
                    _text(note.get("direct_url"), f"{where}.direct_url"), _text(note.get("text"), f"{where}.text"),
                    _index(note.get("start_index"), f"{where}.start_index"),
                    _index(note.get("end_index"), f"{where}.end_index"))


def _queries(value: object) -> tuple[str, ...]:
    queries = _list(value, "result.fan_out_queries")
    return tuple(q for i, q in enumerate(queries)
                 if (_text(q, f"result.fan_out_queries[{i}]") or "").strip())


def _chain(value: object) -> tuple[tuple[str, str], ...]:
    chain = []
    for i, turn in enumerate(_list(value, "data.message_chain")):
        turn = _dict(turn, f"data.message_chain[{i}]")
        chain.append((_text(turn.get("role"), f"data.message_chain[{i}].role") or "?",
                      _text(turn.get("message"), f"data.message_chain[{i}].message") or ""))
    return tuple(chain)


# -- checked primitives: None is "absent"; anything of another type is malformed ------------------
def _dict(value: object, field: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedTask(field, f"an object was expected, not {type(value).__name__}")
    return value


def _list(value: object, field: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedTask(field, f"a list was expected, not {type(value).__name__}")
    return value


def _text(value: object, field: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise MalformedTask(field, f"text was expected, not {type(value).__name__}")


def _flag(value: object, field: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise MalformedTask(field, f"true or false was expected, not {type(value).__name__}")


def _number(value: object, field: str, low: float = -math.inf, high: float = math.inf) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MalformedTask(field, f"a number was expected, not {type(value).__name__}")
    if not math.isfinite(value) or not low <= value <= high:
        raise MalformedTask(field, f"{value!r} is out of range")
    return float(value)


def _count(value: object, field: str) -> int:
    number = _number(value, field, 0, MAX_TOKENS)
    if number is not None and number != int(number):
        raise MalformedTask(field, f"{value!r} is not a whole number")
    return int(number or 0)


def _index(value: object, field: str) -> int | None:
    number = _number(value, field, 0, MAX_TOKENS)
    return None if number is None else int(number)


def _usd(value: object, field: str) -> float:
    return _number(value, field, 0, MAX_USD) or 0.0


def _datetime(value: object, field: str) -> datetime | None:
    text = _text(value, field)
    if not text:
        return None
    text = text.strip()
    try:  # "2026-11-29 10:00:00 +00:00": fromisoformat (without the space) is ~10x faster than strptime
        when = (datetime.fromisoformat(text[:19] + text[20:]) if len(text) == 26 and text[19] == " "
                else datetime.strptime(text, DATETIME_FORMAT))
        if when.tzinfo is None:
            raise ValueError("no UTC offset")
        when = when.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise MalformedTask(field, f"{text[:40]!r} is not a date-time like 2026-11-29 10:00:00 +00:00") from None
    if when.year not in YEARS:
        raise MalformedTask(field, f"{text[:40]!r} is out of range")
    return when
