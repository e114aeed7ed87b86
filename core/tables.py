"""Normalized tables from task outcomes (their checked readings, :mod:`core.task`): pure, no I/O.

``build_tables(outcomes)`` gives four DataFrames (columns listed in ``COLUMNS``):
- ``tasks``: one row per requested id, completed or not (status says which), with the request
  fields people filter by (tag, country, ...) and what it cost (``spend``, see :func:`spend`);
- ``citations``: one row per annotation of a completed answer, with the cited site;
- ``fan_out``: one row per fan-out query (the searches the model ran);
- ``answers``: one row per completed task: the answer text and reasoning summary.
Missing or null fields (no annotations, no fan-out, no reasoning, results from before a
field existed) are normal and give zeros, empty strings or no rows, never an error.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import pandas as pd

from core import domains
from core.config import DEFAULT_TASK_PRICES
from core.model import COMPLETED, TaskOutcome
from core.task import Section, TaskRecord

CONTEXT = ["task_id", "engine", "model", "prompt", "datetime"]
COLUMNS = {
    "tasks": ["task_id", "engine", "model", "prompt", "status", "status_code", "status_message",
              "datetime", "web_search", "tag", "country", "city", "force_web_search", "use_reasoning",
              "temperature", "input_tokens", "output_tokens", "reasoning_tokens", "money_spent",
              "task_cost", "task_price", "spend", "spend_estimated", "citations", "fan_out_queries",
              "unknown_items"],
    "citations": CONTEXT + ["section", "position", "title", "url", "direct_url", "link", "host",
                            "domain", "is_redirect", "mixed_script", "cited_text", "start_index", "end_index"],
    "fan_out": CONTEXT + ["query"],
    "answers": CONTEXT + ["text", "reasoning", "sections", "web_search"],
}
TOKEN_FIELDS = ("input_tokens", "output_tokens", "reasoning_tokens")
CATEGORIES = ("engine", "model", "status", "tag", "country")


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
    """The rows of a ``tasks`` table that have an answer (pending, failed and empty ones have none)."""
    return tasks[tasks["status"] == COMPLETED]


def spend(record: TaskRecord, prices: Mapping[str, float]) -> dict[str, Any]:
    """What a task cost: the provider's ``money_spent`` (exact), DataForSEO's ``task_cost`` when the reply
    reports one (task_get replies say 0: the charge is made when a task is posted), and ``spend``, their
    total, with the task price estimated from ``prices`` (Standard method) when none was reported."""
    money = record.money_spent
    if record.reported_cost is not None:
        total = max(record.reported_cost, money)  # the reported cost includes money_spent
        return {"money_spent": money, "task_cost": record.reported_cost, "task_price": total - money,
                "spend": total, "spend_estimated": False}
    price = float(prices.get("standard", 0.0))
    return {"money_spent": money, "task_cost": None, "task_price": price, "spend": money + price,
            "spend_estimated": True}


def citation_rows(context: dict[str, Any], sections: tuple[Section, ...]) -> list[dict[str, Any]]:
    rows, position = [], 0
    for index, section in enumerate(sections):
        for note in section.citations:
            position += 1
            link, host, redirect = domains.attribute(note.url, note.direct_url, note.title)
            rows.append({**context, "section": index, "position": position, "title": note.title,
                         "url": note.url, "direct_url": note.direct_url, "link": link,
                         "host": host, "domain": domains.registrable_domain(host),
                         "is_redirect": redirect, "mixed_script": domains.mixed_script(host),
                         "cited_text": note.text,
                         "start_index": note.start_index, "end_index": note.end_index})
    return rows


_NO_USAGE = {**dict.fromkeys(TOKEN_FIELDS, 0), "money_spent": 0.0, "task_cost": None, "task_price": 0.0,
             "spend": 0.0, "spend_estimated": False}


def build_tables(outcomes: Iterable[TaskOutcome],
                 prices: Mapping[str, float] = DEFAULT_TASK_PRICES) -> Tables:
    """The four normalized tables for a list of task outcomes (any status)."""
    tasks, citations, fan_out, answers = [], [], [], []
    for outcome in outcomes:
        record = outcome.record
        context = {"task_id": outcome.task_id, "engine": outcome.engine,
                   "model": record.model if record else None, "prompt": record.prompt if record else None,
                   "datetime": record.datetime if record else None}
        row = {**context, "status": outcome.status, "status_code": outcome.status_code,
               "status_message": outcome.status_message}
        if record is None:
            tasks.append({**row, **_NO_USAGE, "citations": 0, "fan_out_queries": 0, "unknown_items": 0})
            continue
        task_citations = citation_rows(context, record.sections)
        tasks.append({**row, "web_search": record.web_search, "tag": record.tag, "country": record.country,
                      "city": record.city, "force_web_search": record.force_web_search,
                      "use_reasoning": record.use_reasoning, "temperature": record.temperature,
                      **{field: getattr(record, field) for field in TOKEN_FIELDS},
                      **spend(record, prices), "citations": len(task_citations),
                      "fan_out_queries": len(record.fan_out_queries),
                      "unknown_items": len(record.unknown_items)})
        if not outcome.completed:
            continue
        citations.extend(task_citations)
        fan_out.extend({**context, "query": query} for query in record.fan_out_queries)
        answers.append({**context, "text": record.text, "reasoning": record.reasoning,
                        "sections": len(record.sections), "web_search": bool(record.web_search)})
    frames = {name: _frame(rows, COLUMNS[name]) for name, rows in
              (("tasks", tasks), ("citations", citations), ("fan_out", fan_out), ("answers", answers))}
    return Tables(**frames)


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=columns)
    # Ids stay Python objects: pandas 3's Arrow strings make ``isin`` against many ids ~100x slower
    # (10k ids against 60k: 1.15 s instead of 0.01 s), and every filter and join here does that.
    frame["task_id"] = frame["task_id"].astype(object)
    frame["datetime"] = pd.to_datetime(frame["datetime"], utc=True)
    for column in CATEGORIES:
        if column in frame:
            frame[column] = frame[column].astype("category")
    if "status_code" in frame:
        frame["status_code"] = frame["status_code"].astype("Int64")
    return frame


def contains(column: pd.Series, text: str) -> pd.Series:
    """Where ``column`` holds ``text``: case-insensitive, literal (no regex), vectorised; missing values never
    match. A categorical column is searched in its categories only, so a million rows cost a few."""
    return column.str.contains(text, case=False, regex=False, na=False).astype(bool)


def filter_tables(tables: Tables, engines=(), models=(), prompts=(), since=None, until=None,
                  tags=(), countries=(), prompt_contains: str = "") -> Tables:
    """The tables restricted to tasks matching every given filter (an empty filter keeps all).

    ``since``/``until`` are dates (inclusive, UTC); ``prompt_contains`` keeps prompts holding that text
    (:func:`contains`; blank keeps all). Tasks without an answer have no model, date or request fields;
    they stay in ``tasks`` unless a filter excludes them by engine.
    """
    tasks = tables.tasks
    keep = pd.Series(True, index=tasks.index)
    if engines:
        keep &= tasks["engine"].isin(engines)
    answered = tasks["status"] == COMPLETED
    for column, chosen in (("model", models), ("prompt", prompts), ("tag", tags), ("country", countries)):
        if chosen:
            keep &= ~answered | tasks[column].isin(chosen)
    if prompt_contains.strip():
        keep &= ~answered | contains(tasks["prompt"], prompt_contains.strip())
    day = tasks["datetime"].dt.date.astype(object)  # all-NaT gives datetime64, which refuses a date
    if since is not None:
        keep &= ~answered | (day >= since)
    if until is not None:
        keep &= ~answered | (day <= until)
    if keep.all():
        return tables
    kept = tasks[keep]
    ids = set(completed_tasks(kept)["task_id"])
    return Tables(kept, *(frame[frame["task_id"].isin(ids)]
                          for frame in (tables.citations, tables.fan_out, tables.answers)))
