"""Shared inputs (ids, engine, brands, filters) kept in one session key each and in the URL.

In Streamlit's ``pages/`` mode each page's widget is a different widget and a
``st.page_link`` click drops the query string, so each value lives in a plain session
key: seeded from ``st.query_params`` when a session starts, seeding each page's widget
through ``value=``, and written back to the URL explicitly after every run.
"""
from __future__ import annotations

import streamlit as st

from core.ids import split_list

# session key -> query parameter; every value is a list of strings
SHARED = {
    "ids": "ids", "ref": "ref", "engine": "engine", "source": "source",
    "brands": "brand", "competitors": "competitor",
    "f_engines": "f_engine", "f_models": "f_model", "f_prompts": "f_prompt",
    "f_dates": "f_date", "by": "by",
}
JOINED = ("ids", "brand", "competitor")  # parameters holding one comma-separated list
OPEN_ANSWER = "answer_task"  # a task id another page sets to open it on the Answers page


def _from_url(param: str) -> list[str]:
    values = st.query_params.get_all(param)
    if param in JOINED:  # comma- or newline-separated lists
        return [v for value in values for v in split_list(value)]
    return [v for v in values if v]


def init() -> None:
    """Seed every shared key from the URL once per session."""
    if st.session_state.get("_seeded"):
        return
    for key, param in SHARED.items():
        st.session_state[key] = _from_url(param)
    st.session_state["_seeded"] = True


def get(key: str) -> list[str]:
    return list(st.session_state.get(key) or [])


def first(key: str, default: str = "") -> str:
    values = get(key)
    return values[0] if values else default


def put(key: str, values: list[str] | str | None) -> None:
    if isinstance(values, str):
        values = [values] if values else []
    st.session_state[key] = list(values or [])


def sync_url() -> None:
    """Write every shared value to the URL (comma-joined lists for ids and domains)."""
    for key, param in SHARED.items():
        values = [] if key == "ids" and get("ref") else get(key)  # a ref stands in for long lists
        if param in JOINED:
            values = [",".join(values)] if values else []
        current = st.query_params.get_all(param)
        if not values and param in st.query_params:
            del st.query_params[param]
        elif values and current != values:
            st.query_params[param] = values if len(values) > 1 else values[0]
