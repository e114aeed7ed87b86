"""Answers at a year's scale: a search narrows the picker, at most 200 options (newest first), the open answer
always offered, its raw reply read from the archive when the batch holds none; beyond 500 prompts the sidebar
filters prompts by text. Expected options are re-derived from the raw replies."""
from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest
import streamlit

from core import sansio
from core.answer_search import newest, search_answers
from core.archive import Archive, ArchiveError
from core.model import ENGINE_LABELS, Batch
from tests.page_values import demo_tasks, result_of
from tests.test_page_answers import _label
from ui import answer_picker, data

WIDGET, SEARCH = answer_picker.WIDGET_KEY, answer_picker.SEARCH_KEY
CAP = 200
DATED = re.compile(r" · \d{4}-\d\d-\d\d \d\d:\d\d$")  # the time a repeated label gets


def _holds(task: dict, typed: str) -> bool:
    """The search rule, written from the raw task: prompt, model, engine label or id holds the text."""
    model = result_of(task).get("model_name") or task["data"]["model_name"]
    fields = (task["data"]["user_prompt"], model, ENGINE_LABELS[task["data"]["se"]], task["id"])
    return any(typed.strip().lower() in str(field).lower() for field in fields)


def _when(task: dict) -> datetime:
    return datetime.strptime(result_of(task)["datetime"], "%Y-%m-%d %H:%M:%S %z")


def _year(count: int) -> list[dict]:
    """``count`` answers cloned from the demo replies: ids, prompts (``#n`` first) and hours all distinct."""
    start, answers = datetime(2025, 1, 1, tzinfo=timezone.utc), demo_tasks()
    tasks = []
    for n in range(count):
        task = copy.deepcopy(answers[n % len(answers)])
        task["id"] = f"{task['id'][:24]}{n:012x}"
        task["data"]["user_prompt"] = f"#{n} {task['data']['user_prompt']}"
        task["result"][0]["datetime"] = f"{start + timedelta(hours=n):%Y-%m-%d %H:%M:%S} +00:00"
        tasks.append(task)
    return tasks


@pytest.fixture
def archived(api_env):
    """A factory: ``archived(n)`` keeps ``n`` cloned answers in the test's archive and returns their raw tasks."""
    def keep(count: int) -> list[dict]:
        tasks = _year(count)
        with Archive(os.environ["AIVIS_ARCHIVE_URL"]) as archive:
            archive.save(sansio.outcome_of(t["data"]["se"], t["id"], t) for t in tasks)
        return tasks
    return keep


@pytest.fixture
def downloads(monkeypatch):
    calls = []
    original = streamlit.download_button
    monkeypatch.setattr(streamlit, "download_button",
                        lambda label, payload, *a, **k: calls.append(payload) or original(label, payload, *a, **k))
    return calls


def _newest_first(tasks: list[dict]) -> list[dict]:
    return sorted(tasks, key=_when, reverse=True)


def test_a_search_narrows_the_options_to_the_answers_holding_it(demo_env, app):
    tasks = demo_tasks()
    at = app(page="pages/answers.py")
    assert [m.label for m in at.sidebar.multiselect if m.label == "Prompts"]  # 500 prompts or fewer: offered
    assert not [t for t in at.sidebar.text_input if t.label == "Prompt contains"]
    opened = next(t for t in tasks if t["id"] == at.selectbox(key=WIDGET).value)
    assert opened["id"] == _newest_first(tasks)[0]["id"]  # newest first
    other = next(t for t in tasks if t["data"]["se"] != opened["data"]["se"])
    words = [w for w in other["data"]["user_prompt"].split() if len(w) > 6]
    for typed in ("claude", (result_of(other).get("model_name") or "")[:6].upper(), other["id"][-10:].upper(),
                  f" {words[0].swapcase()} "):
        at.text_input(key=SEARCH).set_value(typed).run()
        matches = [t for t in tasks if _holds(t, typed)]
        assert 0 < len(matches) < len(tasks), typed
        box = at.selectbox(key=WIDGET)
        assert box.value == opened["id"]  # the open answer stays, offered even when it does not match
        expected = matches + ([] if opened in matches else [opened])
        assert sorted(DATED.sub("", o) for o in box.options) == sorted(_label(t) for t in expected), typed
        assert box.label.startswith(f"Completed answer ({len(matches)} of {len(tasks)} match"), box.label
    at.text_input(key=SEARCH).set_value("zz-in-no-answer-zz").run()
    assert at.selectbox(key=WIDGET).options == [_label(opened)]
    assert any("No answer shown matches the search; the open answer stays." in c.value for c in at.caption)


def test_at_most_200_options_newest_first_with_a_caption(archived, app):
    tasks = archived(CAP + 60)
    at = app(page="pages/answers.py", source="archive")
    box = at.selectbox(key=WIDGET)
    newest = _newest_first(tasks)
    assert box.options == [_label(t) for t in newest[:CAP]]  # prompts differ: labels undated
    assert box.value == newest[0]["id"]
    assert any(f"{CAP} of {len(tasks)} answers offered, newest first: refine the search." in c.value
               for c in at.caption)
    at.text_input(key=SEARCH).set_value("#12").run()
    matches = _newest_first([t for t in tasks if _holds(t, "#12")])
    assert at.selectbox(key=WIDGET).options == [_label(newest[0])] + [_label(t) for t in matches]
    assert not any("refine the search" in c.value for c in at.caption)


def test_the_open_answer_is_offered_outside_the_cap(archived, app, downloads):
    tasks = archived(CAP + 30)
    oldest = _newest_first(tasks)[-1]
    at = app(page="pages/answers.py", source="archive", answer=oldest["id"])
    box = at.selectbox(key=WIDGET)
    assert box.value == oldest["id"] and at.query_params["answer"] == oldest["id"]
    assert box.options == [_label(oldest)] + [_label(t) for t in _newest_first(tasks)[:CAP]]
    assert json.loads(downloads[-1]) == oldest


def _without_replies(monkeypatch) -> None:
    """The whole archive opened as it will be at scale: its tables, no raw replies in the session."""
    load = data._load
    monkeypatch.setattr(data, "_load", lambda *a, **k: (lambda loaded: replace(loaded, batch=Batch([]))
                                                       if loaded.from_archive else loaded)(load(*a, **k)))


def test_the_raw_reply_is_read_from_the_archive_when_the_batch_holds_none(archived, app, monkeypatch, downloads):
    tasks = archived(5)
    _without_replies(monkeypatch)
    at = app(page="pages/answers.py", source="archive", answer=tasks[2]["id"])
    assert at.selectbox(key=WIDGET).value == tasks[2]["id"]
    assert json.loads(downloads[-1]) == tasks[2]
    assert f"${result_of(tasks[2])['money_spent']:.4f}" in [m.value for m in at.metric]


def test_an_archive_that_fails_or_lost_the_reply_says_so(archived, app, monkeypatch):
    tasks = archived(3)
    _without_replies(monkeypatch)

    def broken(self, ids):
        raise ArchiveError("The archive sqlite:///x cannot be read: database is locked. Try again.")

    monkeypatch.setattr(Archive, "completed", broken)
    at = app(page="pages/answers.py", source="archive")
    assert any("cannot be read from the archive" in e.value and "database is locked" in e.value for e in at.error)
    assert not at.metric
    monkeypatch.setattr(Archive, "completed", lambda self, ids: {})
    at = app(page="pages/answers.py", source="archive", answer=tasks[0]["id"])
    assert any("the archive no longer has it" in w.value for w in at.warning)
    assert not at.metric


def test_beyond_500_prompts_the_sidebar_filters_by_prompt_text(archived, app):
    tasks = archived(520)
    at = app(page="pages/answers.py", source="archive")
    assert not [m for m in at.sidebar.multiselect if m.label == "Prompts"]
    typed = next(t for t in at.sidebar.text_input if t.label == "Prompt contains")
    typed.set_value("#12").run()
    kept = [t for t in tasks if "#12" in t["data"]["user_prompt"]]
    assert at.selectbox(key=WIDGET).label.startswith(f"Completed answer ({len(kept)} shown")
    assert at.query_params["f_prompt_has"] == "#12"
    at.switch_page("pages/domains.py")
    at.run()
    assert next(t for t in at.sidebar.text_input if t.label == "Prompt contains").value == "#12"  # kept across pages


def test_newest_keeps_the_latest_answers_undated_last_and_ties_in_table_order():
    when = ["2025-01-02 10:00", None, "2025-01-03 09:00", "2025-01-02 10:00", "2025-01-01 08:00"]
    answers = pd.DataFrame({"task_id": list("abcde"), "datetime": pd.to_datetime(when, utc=True),
                            "engine": pd.Categorical(["chat_gpt", "claude", "gemini", "claude", "chat_gpt"]),
                            "model": ["gpt-4o", "claude-x", None, "claude-x", "gpt-4o"],
                            "prompt": ["Best CRM?", None, "best crm for teams", "Other", "crm (cheap)"]})
    every = search_answers(answers, "  ")
    assert list(answers["task_id"].iloc[newest(answers, every, 10)]) == ["c", "a", "d", "e", "b"]
    assert list(answers["task_id"].iloc[newest(answers, every, 2)]) == ["c", "a"]
    assert list(newest(answers, every, 0)) == []
    assert list(answers["task_id"].iloc[search_answers(answers, "CRM")]) == ["a", "c", "e"]
    assert list(answers["task_id"].iloc[search_answers(answers, "chatgpt")]) == ["a", "e"]  # the engine's label
    assert list(answers["task_id"].iloc[search_answers(answers, "(cheap")]) == ["e"]  # literal, not a pattern
    assert isinstance(search_answers(answers.iloc[:0], "x"), np.ndarray)
