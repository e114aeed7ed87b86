"""Normalized tables from raw task results: pure functions, no I/O.

``build_tables(outcomes)`` gives four DataFrames (columns listed in ``COLUMNS``):
- ``tasks``: one row per requested id, completed or not (status says which);
- ``citations``: one row per annotation of a completed answer, with the cited site;
- ``fan_out``: one row per fan-out query (the searches the model ran);
- ``answers``: one row per completed task: the answer text and reasoning summary.
Missing or null fields (no annotations, no fan-out, no reasoning, results from before a
field existed) are normal and give zeros, empty strings or no rows, never an error.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import pandas as pd

from core import domains
from core.sansio import COMPLETED, TaskOutcome

CONTEXT = ["task_id", "engine", "model", "prompt", "datetime"]
COLUMNS = {
    "tasks": ["task_id", "engine", "model", "prompt", "status", "status_code", "status_message",
              "datetime", "web_search", "tag", "cost", "money_spent", "input_tokens", "output_tokens",
              "reasoning_tokens", "citations", "fan_out_queries"],
    "citations": CONTEXT + ["section", "position", "title", "url", "direct_url", "link", "host",
                            "domain", "is_redirect", "cited_text", "start_index", "end_index"],
    "fan_out": CONTEXT + ["query"],
    "answers": CONTEXT + ["text", "reasoning", "sections", "web_search"],
}
TOKEN_FIELDS = ("input_tokens", "output_tokens", "reasoning_tokens")


@dataclass(frozen=True)
class Tables:
    tasks: pd.DataFrame
    citations: pd.DataFrame
    fan_out: pd.DataFrame
    answers: pd.DataFrame

    @property
    def completed(self) -> pd.DataFrame:
        return completed_tasks(self.tasks)


def completed_tasks(tasks: pd.DataFrame) -> pd.DataFrame:
    """The rows of a ``tasks`` table that have an answer (pending and failed ones have none)."""
    return tasks[tasks["status"] == COMPLETED]


def first_result(task: dict[str, Any] | None) -> dict[str, Any]:
    """The task's result object, or an empty dict when there is none."""
    results = (task or {}).get("result") or []
    return results[0] if results and isinstance(results[0], dict) else {}


def usage(result: dict[str, Any]) -> dict[str, float]:
    """Token counts and money, with absent or null fields as 0."""
    counts = {key: int(result.get(key) or 0) for key in TOKEN_FIELDS}
    counts["money_spent"] = float(result.get("money_spent") or 0)
    return counts


def _sections(result: dict[str, Any], item_type: str, section_type: str) -> list[dict[str, Any]]:
    return [section for item in result.get("items") or [] if isinstance(item, dict)
            and item.get("type") == item_type for section in item.get("sections") or []
            if isinstance(section, dict) and section.get("type", section_type) == section_type]


def message_sections(task: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The answer's text sections, each ``{"text", "annotations"}`` (annotations a list, maybe empty)."""
    return [{"text": s.get("text") or "", "annotations": [a for a in s.get("annotations") or []
                                                          if isinstance(a, dict)]}
            for s in _sections(first_result(task), "message", "text")]


def reasoning_text(task: dict[str, Any] | None) -> str:
    return "\n\n".join(s.get("text") or "" for s in _sections(first_result(task), "reasoning", "summary_text"))


def _context(outcome: TaskOutcome, result: dict[str, Any]) -> dict[str, Any]:
    data = (outcome.task or {}).get("data") or {}
    return {"task_id": outcome.task_id, "engine": outcome.engine,
            "model": result.get("model_name") or data.get("model_name"),
            "prompt": data.get("user_prompt"), "datetime": result.get("datetime")}


def citation_rows(context: dict[str, Any], sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows, position = [], 0
    for index, section in enumerate(sections):
        for note in section["annotations"]:
            position += 1
            url, direct_url, title = note.get("url"), note.get("direct_url"), note.get("title")
            link, host, redirect = domains.attribute(url, direct_url, title)
            rows.append({**context, "section": index, "position": position, "title": title,
                         "url": url, "direct_url": direct_url, "link": link,
                         "host": host, "domain": domains.registrable_domain(host),
                         "is_redirect": redirect, "cited_text": note.get("text"),
                         "start_index": note.get("start_index"), "end_index": note.get("end_index")})
    return rows


def build_tables(outcomes: Iterable[TaskOutcome]) -> Tables:
    """The four normalized tables for a list of task outcomes (any status)."""
    tasks, citations, fan_out, answers = [], [], [], []
    for outcome in outcomes:
        result = first_result(outcome.task)
        context = _context(outcome, result)
        sections = message_sections(outcome.task)
        task_citations = citation_rows(context, sections)
        queries = [q for q in result.get("fan_out_queries") or [] if isinstance(q, str) and q.strip()]
        tasks.append({**context, "status": outcome.status, "status_code": outcome.status_code,
                      "status_message": outcome.status_message,
                      "web_search": result.get("web_search") if result else None,
                      "tag": ((outcome.task or {}).get("data") or {}).get("tag"),
                      "cost": float((outcome.task or {}).get("cost") or 0), **usage(result),
                      "citations": len(task_citations), "fan_out_queries": len(queries)})
        if not outcome.completed:
            continue
        citations.extend(task_citations)
        fan_out.extend({**context, "query": query} for query in queries)
        answers.append({**context, "text": "\n\n".join(s["text"] for s in sections),
                        "reasoning": reasoning_text(outcome.task), "sections": len(sections),
                        "web_search": bool(result.get("web_search"))})
    frames = {name: _frame(rows, COLUMNS[name]) for name, rows in
              (("tasks", tasks), ("citations", citations), ("fan_out", fan_out), ("answers", answers))}
    return Tables(**frames)


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=columns)
    frame["datetime"] = pd.to_datetime(frame["datetime"], format="%Y-%m-%d %H:%M:%S %z",
                                       utc=True, errors="coerce")
    for column in ("engine", "model", "status"):
        if column in frame:
            frame[column] = frame[column].astype("category")
    return frame


def filter_tables(tables: Tables, engines=(), models=(), prompts=(), since=None, until=None) -> Tables:
    """The tables restricted to tasks matching every given filter (an empty filter keeps all).

    ``since``/``until`` are dates (inclusive, UTC). Not-completed tasks have no model or date;
    they stay in ``tasks`` unless a filter excludes them by engine.
    """
    tasks = tables.tasks
    keep = pd.Series(True, index=tasks.index)
    if engines:
        keep &= tasks["engine"].isin(engines)
    completed = tasks["status"] == COMPLETED
    if models:
        keep &= ~completed | tasks["model"].isin(models)
    if prompts:
        keep &= ~completed | tasks["prompt"].isin(prompts)
    day = tasks["datetime"].dt.date.astype(object)  # all-NaT gives datetime64, which refuses a date
    if since is not None:
        keep &= ~completed | (day >= since)
    if until is not None:
        keep &= ~completed | (day <= until)
    if keep.all():
        return tables
    kept = tasks[keep]
    ids = set(completed_tasks(kept)["task_id"])
    return Tables(kept, *(frame[frame["task_id"].isin(ids)]
                          for frame in (tables.citations, tables.fan_out, tables.answers)))
