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

import hashlib
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import cached_property
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from core import domains
from core.config import DEFAULT_TASK_PRICES
from core.model import COMPLETED, FINAL_STATUSES, STATUSES, TaskOutcome
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
    """The four tables, and ``key``: what they were made from (the ids and their statuses, or the archive's
    generation, and the filters), so what is computed from them can be kept under it and shared."""

    tasks: pd.DataFrame
    citations: pd.DataFrame
    fan_out: pd.DataFrame
    answers: pd.DataFrame
    key: str = ""

    @cached_property
    def completed(self) -> pd.DataFrame:
        return completed_tasks(self.tasks)

    def keyed(self, key: str) -> "Tables":
        return replace(self, key=key)


def completed_tasks(tasks: pd.DataFrame) -> pd.DataFrame:
    """The rows of a ``tasks`` table that have an answer (pending, failed and empty ones have none)."""
    return tasks[tasks["status"] == COMPLETED]


def status_counts(tasks: pd.DataFrame) -> dict[str, int]:
    """How many tasks of each status there are, in :data:`core.model.STATUSES` order, zeros left out."""
    counts = tasks["status"].value_counts()
    return {status: int(counts[status]) for status in STATUSES if counts.get(status, 0)}


def request_and_usage(record: TaskRecord, citations: int) -> dict[str, Any]:
    """The ``tasks`` columns read from a task's record: request fields, tokens, what it reported it cost,
    and how many citations, fan-out queries and unknown items it holds (the archive stores these too)."""
    return {"web_search": record.web_search, "tag": record.tag, "country": record.country, "city": record.city,
            "force_web_search": record.force_web_search, "use_reasoning": record.use_reasoning,
            "temperature": record.temperature, **{field: getattr(record, field) for field in TOKEN_FIELDS},
            "money_spent": record.money_spent, "task_cost": record.reported_cost, "citations": citations,
            "fan_out_queries": len(record.fan_out_queries), "unknown_items": len(record.unknown_items)}


def add_spend(tasks: pd.DataFrame, prices: Mapping[str, float]) -> pd.DataFrame:
    """``tasks`` with what each task cost: ``money_spent`` (the provider's, exact), ``task_cost`` (DataForSEO's
    price when the reply reports one: task_get replies say 0, the charge is made when a task is posted),
    ``task_price`` and ``spend``, their total, with the price estimated from ``prices`` (Standard method)
    when none was reported (``spend_estimated``). Tasks without a final result cost nothing here."""
    final = tasks["status"].isin(FINAL_STATUSES).to_numpy(dtype=bool)
    money = tasks["money_spent"].astype(float).fillna(0.0).to_numpy()
    reported = pd.to_numeric(tasks["task_cost"], errors="coerce").astype(float)
    has_cost = reported.notna().to_numpy() & final
    price = float(prices.get("standard", 0.0))
    total = np.where(has_cost, np.maximum(reported.fillna(0.0).to_numpy(), money), money + price)
    total = np.where(final, total, 0.0)
    return tasks.assign(money_spent=np.where(final, money, 0.0), task_cost=reported.where(has_cost),
                        task_price=total - np.where(final, money, 0.0), spend=total,
                        spend_estimated=final & ~has_cost)[COLUMNS["tasks"]]


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


# The request and usage columns of a task without a reading (pending, failed, not found): nothing asked, nothing spent.
NO_USAGE = {**dict.fromkeys(("web_search", "tag", "country", "city", "force_web_search", "use_reasoning",
                              "temperature")), **dict.fromkeys(TOKEN_FIELDS, 0), "money_spent": 0.0,
             "task_cost": None, "citations": 0, "fan_out_queries": 0, "unknown_items": 0}


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
            tasks.append({**row, **NO_USAGE})
            continue
        task_citations = citation_rows(context, record.sections)
        tasks.append({**row, **request_and_usage(record, len(task_citations))})
        if not outcome.completed:
            continue
        citations.extend(task_citations)
        fan_out.extend({**context, "query": query} for query in record.fan_out_queries)
        answers.append({**context, "text": record.text, "reasoning": record.reasoning,
                        "sections": len(record.sections), "web_search": bool(record.web_search)})
    frames = {name: frame_of(rows, COLUMNS[name]) for name, rows in
              (("tasks", tasks), ("citations", citations), ("fan_out", fan_out), ("answers", answers))}
    return Tables(**{**frames, "tasks": add_spend(frames["tasks"], prices)})


def frame_of(rows, columns: list[str]) -> pd.DataFrame:
    """A table from rows (dicts or tuples in ``columns`` order), with the dtypes every table here has."""
    return typed(pd.DataFrame.from_records(rows, columns=columns))


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the dtypes every table here has (the archive's reader gives its frames these too)."""
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
    if since is not None:
        keep &= ~answered | (tasks["datetime"] >= pd.Timestamp(since, tz="UTC"))
    if until is not None:
        keep &= ~answered | (tasks["datetime"] < pd.Timestamp(until + timedelta(days=1), tz="UTC"))
    if keep.all():
        return tables
    kept = tasks[keep]
    ids = set(completed_tasks(kept)["task_id"])
    chosen = repr((engines, models, prompts, since, until, tags, countries, prompt_contains)).encode()
    key = hashlib.sha256(tables.key.encode() + chosen).hexdigest()[:16] if tables.key else ""
    return Tables(kept, *(frame[frame["task_id"].isin(ids)]
                          for frame in (tables.citations, tables.fan_out, tables.answers)), key=key)
