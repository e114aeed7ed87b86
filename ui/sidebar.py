"""The sidebar's shared inputs: tracked brands, and the filters that narrow every page.

Each input is seeded from and written to its key in :mod:`ui.state`, so it keeps its value across
pages and in the shared URL. Filter options narrow each other: a model is offered only if it
answered under the chosen engines, a prompt only under the chosen engines and models.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from core.ids import split_list
from core.model import engine_label
from core.tables import Tables, filter_tables
from ui import state


def brand_inputs() -> tuple[list[str], list[str]]:
    brands = st.text_input("Our brand domains", value=", ".join(state.get("brands")), key="w_brands",
                           placeholder="monday.com", help="Comma-separated registrable domains.")
    competitors = st.text_input("Competitor domains", value=", ".join(state.get("competitors")),
                                key="w_competitors", placeholder="asana.com, clickup.com")
    state.put("brands", [d.lower() for d in split_list(brands)])
    state.put("competitors", [d.lower() for d in split_list(competitors)])
    return state.get("brands"), state.get("competitors")


def _multiselect(label: str, key: str, options: list[str], format_func=str) -> list[str]:
    chosen = st.multiselect(label, options, default=[v for v in state.get(key) if v in options],
                            key=f"w_{key}", placeholder="All", format_func=format_func)
    state.put(key, chosen)
    return chosen


def _options(frame: pd.DataFrame, column: str) -> list[str]:
    return sorted(str(v) for v in frame[column].dropna().unique())


def filters(tables: Tables) -> tuple[Tables, str]:
    """The filter widgets and the filtered tables, and how sites are counted (domain or host)."""
    completed = tables.completed
    keys = ("f_engines", "f_models", "f_prompts", "f_tags", "f_countries", "f_dates")
    with st.expander("Filters", icon=":material/filter_list:", expanded=any(state.get(k) for k in keys)):
        engines = _multiselect("Engines", "f_engines", _options(completed, "engine"), engine_label)
        narrowed = completed[completed["engine"].isin(engines)] if engines else completed
        models = _multiselect("Models", "f_models", _options(narrowed, "model"))
        narrowed = narrowed[narrowed["model"].isin(models)] if models else narrowed
        prompts = _multiselect("Prompts", "f_prompts", _options(narrowed, "prompt"))
        tags = _multiselect("Tags", "f_tags", _options(narrowed, "tag"))
        countries = _multiselect("Search country", "f_countries", _options(narrowed, "country"))
        since, until = _date_range(completed)
    by = st.segmented_control("Count sites by", ["domain", "host"], default=state.first("by", "domain"),
                              key="w_by", format_func={"domain": "Registrable domain", "host": "Host"}.get,
                              help="bbc.co.uk (domain) or news.bbc.co.uk (host).") or "domain"
    state.put("by", [] if by == "domain" else by)
    return filter_tables(tables, engines, models, prompts, since, until, tags, countries), by


def _date_range(completed: pd.DataFrame):
    days = completed["datetime"].dropna().dt.date
    if days.empty:
        return None, None
    low, high = days.min(), days.max()
    seeded = state.get("f_dates")
    value = (max(low, _date(seeded[0], low)), min(high, _date(seeded[-1], high))) if seeded else (low, high)
    chosen = st.date_input("Answer dates (UTC)", value=value, min_value=low, max_value=high, key="w_dates")
    since, until = (chosen + (chosen[0],))[:2] if isinstance(chosen, tuple) and chosen else (low, high)
    narrowed = (since, until) != (low, high)
    state.put("f_dates", [since.isoformat(), until.isoformat()] if narrowed else [])
    return (since, until) if narrowed else (None, None)


def _date(text: str, fallback: date) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return fallback
