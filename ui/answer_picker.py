"""The Answers page's picker: search the shown answers, offer the newest few, read the raw reply of the one chosen.

A year of history holds a million answers, so the selectbox never gets them all: a search narrows them
(:mod:`core.answer_search`) and at most :data:`MAX_OFFERED` are offered, labels built for those only,
plus the open answer (:data:`ui.state.OPEN_ANSWER`, ``answer=`` in the URL) wherever it falls. The
chosen answer's raw task comes from the loaded batch, or, when the whole archive is open (its raw
replies are not held in memory), from the archive: one row. Never writes the archive.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core.answer_search import newest, search_answers
from core.archive import ArchiveError
from core.model import TaskOutcome, engine_label
from ui import data, state
from ui.shell import View
from ui.safe import md_text

MAX_OFFERED = 200  # options sent to the browser; the open answer may add one
TASK_KEY = state.OPEN_ANSWER  # the task the page shows; other pages may set it to open a task there
WIDGET_KEY = "w_answer_task"
SEARCH_KEY = "w_answer_search"


def _remember() -> None:
    state.put(TASK_KEY, st.session_state[WIDGET_KEY])


def _labels(answers: pd.DataFrame) -> dict[str, str]:
    """``engine · model · prompt (60 chars)`` per task id; the answer time is added where that repeats."""
    def label(row) -> str:
        prompt = " ".join(str(row.prompt or "").split())
        return f"{engine_label(row.engine)} · {row.model or '?'} · {prompt[:60]}{'…' if len(prompt) > 60 else ''}"

    labels = {row.task_id: label(row) for row in answers.itertuples()}
    repeated = pd.Series(labels).duplicated(keep=False)
    when = dict(zip(answers["task_id"], answers["datetime"]))
    return {task_id: text + (f" · {when[task_id]:%Y-%m-%d %H:%M}" if repeated[task_id]
                             and pd.notna(when[task_id]) else "") for task_id, text in labels.items()}


def _explain_hidden(view: View, wanted: str) -> None:
    """Why the open answer is not among those shown: the filters, or it has no answer."""
    if (view.loaded.tables.answers["task_id"].to_numpy() == wanted).any():
        st.caption(f"Task {md_text(wanted)} is hidden by the current filters; showing another answer.")
        return
    tasks = view.loaded.tables.tasks
    status = tasks.loc[tasks["task_id"] == wanted, "status"]
    st.caption(f"Task {md_text(wanted)} has no answer ({status.iloc[0] if len(status) else 'not loaded'}); "
               "showing another answer.")


def choose(view: View) -> pd.Series:
    """Draw the search and the picker over ``view.tables.answers`` (not empty); the chosen answer's row."""
    answers = view.tables.answers
    wanted = state.first(TASK_KEY)
    at = (data.memo("answer_position", (view.tables.key, wanted),
                    lambda: np.flatnonzero(answers["task_id"].to_numpy() == wanted))
          if wanted else np.array([], dtype=int))
    if wanted and not len(at):
        _explain_hidden(view, wanted)
    text = st.text_input("Search prompts, models, task ids", key=SEARCH_KEY, placeholder="All answers shown",
                         help="Case-insensitive; finds the text in the prompt, the model, the engine or the task id.")
    def matches() -> tuple[int, np.ndarray]:
        found = search_answers(answers, text) if text.strip() else np.arange(len(answers))
        return len(found), newest(answers, found, MAX_OFFERED)

    matched, offered = data.memo("answer_search", (view.tables.key, text.strip()), matches)
    if len(at) and at[0] not in offered:
        offered = np.concatenate([at[:1], offered])
    what = f"{matched:,} of {len(answers):,} match" if text.strip() else f"{len(answers):,} shown"
    if matched > MAX_OFFERED:
        st.caption(f"{MAX_OFFERED} of {matched:,} {'matches' if text.strip() else 'answers'} offered, newest "
                   "first: refine the search.")
    elif text.strip() and not matched:
        st.caption("No answer shown matches the search" + ("; the open answer stays." if len(offered) else "."))
    if not len(offered):
        st.stop()
    def offered_rows() -> tuple[pd.DataFrame, dict[str, str]]:
        rows = answers.iloc[offered]
        return rows, _labels(rows)

    choices, labels = data.memo("answer_choices", (view.tables.key, tuple(offered.tolist())), offered_rows)
    if len(at):
        st.session_state[WIDGET_KEY] = wanted
    task_id = st.selectbox(f"Completed answer ({what}, newest first)", list(choices["task_id"]), key=WIDGET_KEY,
                           format_func=labels.get, on_change=_remember)
    state.put(TASK_KEY, task_id)
    return choices[choices["task_id"] == task_id].iloc[0]


def raw_outcome(view: View, task_id: str) -> TaskOutcome:
    """The chosen answer's raw task and reading: from the loaded batch, else one row of the archive (the whole
    archive's raw replies are not held); the page stops with why when neither has it."""
    outcome = next((o for o in view.loaded.batch.outcomes if o.task_id == task_id), None)
    if outcome is None and view.archive is not None:
        try:
            outcome = data.memo("archived_answer", (view.loaded.tables.key, task_id),  # the key names the generation
                                lambda: view.archive.completed([task_id]).get(task_id))
        except ArchiveError as exc:
            st.error(f"This answer's reply cannot be read from the archive: {md_text(exc, limit=1000)}",
                     icon=":material/database:")
            st.stop()
    if outcome is None or not outcome.completed or outcome.record is None:
        where = "the archive no longer has it" if view.archive is not None else "the archive is unavailable"
        st.warning(f"Task {md_text(task_id)}'s reply cannot be shown: {where}. Load tasks again to refresh the view.",
                   icon=":material/database:")
        st.stop()
    return outcome
