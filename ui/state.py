"""Every session key and URL parameter of the app, named once, and the values that travel in the URL.

Shared inputs (ids, engine, brands, filters) live in one plain session key each: seeded from
``st.query_params`` when a session starts (ids and engine checked there, at the edge where they
enter), seeding each page's widget through ``value=``, and written back to the URL explicitly
after every run. In Streamlit's ``pages/`` mode each page's widget is a different widget and a
``st.page_link`` click drops the query string, hence this registry.
"""
from __future__ import annotations

import streamlit as st

from core import errors
from core.ids import is_task_id, parse_ids, split_list
from core.model import parse_engine

# session key -> query parameter; every value is a list of strings
SHARED = {
    "ids": "ids", "ref": "ref", "engine": "engine", "source": "source",
    "brands": "brand", "competitors": "competitor",
    "f_engines": "f_engine", "f_models": "f_model", "f_prompts": "f_prompt", "f_tags": "f_tag",
    "f_countries": "f_country", "f_prompt_contains": "f_prompt_has",  # text in the prompt (many prompts)
    "f_dates": "f_date", "by": "by",
    "answer_task": "answer",  # the answer open on the Answers page (one task id)
}
JOINED = ("ids",)  # parameters holding one comma-separated list (brand definitions keep their own text)
URL_ID_LIMIT = 100  # longer id lists travel as a short reference kept in the archive
MAX_URL_PARAM = 8_000  # characters of one parameter read from a URL; more is cut, and said
MAX_IDS_PER_LOAD = 20_000

OPEN_ANSWER = "answer_task"  # the shared key of the open answer: any page may put a task id in it

# Session keys that are not URL parameters.
REFRESH = "refresh"  # bumped to ask the not-completed ids again
NOTICES = "notices"  # (kind, text) messages a callback leaves for the next run to show
BRAND_EDIT = "_brand_edit"  # brand definitions edited in the table or loaded from a file, for the inputs
DEMO_BRANDS_SEEDED = "_demo_brands"  # the demo's brands were prefilled once (so they can be cleared)
CLIENT = "_client"  # this session's API client: (account key, Client)
SEEDED = "_seeded"
LOADED = "_loaded"  # this session's loaded ids: (what was asked, ui.data.Loaded)


def _from_url(param: str) -> list[str]:
    values = [v[:MAX_URL_PARAM] for v in st.query_params.get_all(param)]
    if param in JOINED:  # comma- or newline-separated lists
        return [v for value in values for v in split_list(value)]
    return [v for v in values if v]


def init() -> None:
    """Seed every shared key from the URL once per session; ids, engine and the open answer are checked here."""
    if st.session_state.get(SEEDED):
        return
    for key, param in SHARED.items():
        st.session_state[key] = _from_url(param)
    parsed = parse_ids(get("ids"))
    put("ids", parsed.valid[:MAX_IDS_PER_LOAD])
    if parsed.malformed:
        notice("warning", malformed_message(parsed.malformed, "in the link"))
    if get("engine"):
        try:
            put("engine", parse_engine(first("engine")))
        except errors.ConfigurationError as exc:
            put("engine", [])
            notice("warning", f"The link's engine was ignored: {exc}")
    answer = first(OPEN_ANSWER).strip().lower()
    put(OPEN_ANSWER, answer if is_task_id(answer) else [])
    if answer and not get(OPEN_ANSWER):
        notice("warning", f"The link's answer {answer[:40]!r} is not a task id: it was ignored.")
    refs = get("ref")[:1]
    put("ref", [r for r in refs if r.isalnum() and len(r) <= 32])
    if refs and not get("ref"):
        notice("warning", f"The link's id list reference {refs[0][:40]!r} is not one: it was ignored.")
    st.session_state[SEEDED] = True


def malformed_message(malformed: list[tuple[str, str]], where: str) -> str:
    """One message listing the rejected entries (at most 20 named) and why; plain text."""
    named = "; ".join(f"{text[:60]!r}: {reason}" for text, reason in malformed[:20])
    more = f"; and {len(malformed) - 20} more" if len(malformed) > 20 else ""
    count = len(malformed)
    return f"{count} {'entry' if count == 1 else 'entries'} {where} not requested: {named}{more}."


def notice(kind: str, text: str) -> None:
    """Leave a message (``info``, ``warning``, ``error``) for the page to show on its next run."""
    st.session_state.setdefault(NOTICES, []).append((kind, text))


def take_notices() -> list[tuple[str, str]]:
    return st.session_state.pop(NOTICES, [])


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
    """Write every shared value to the URL (comma-joined lists for ids and domains).

    Id lists longer than :data:`URL_ID_LIMIT` travel only as ``ref`` (kept in the archive); without
    an archive (the demo) the link then carries no ids rather than a URL too long to reload.
    """
    for key, param in SHARED.items():
        values = get(key)
        if key == "ids" and (get("ref") or len(values) > URL_ID_LIMIT):
            values = []
        if param in JOINED:
            values = [",".join(values)] if values else []
        current = st.query_params.get_all(param)
        if not values and param in st.query_params:
            del st.query_params[param]
        elif values and current != values:
            st.query_params[param] = values if len(values) > 1 else values[0]
