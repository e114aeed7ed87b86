"""The frame every page draws first: page config, navigation, shared inputs, the loaded data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from core import sansio
from core.demo import demo_brands
from core.ids import split_list
from core.tables import Tables, filter_tables
from ui import data, gate, state
from ui.data import Loaded, Settings
from ui.safe import md_text

PAGES = [
    ("app.py", "Load tasks", ":material/download:"),
    ("pages/domains.py", "Cited domains", ":material/language:"),
    ("pages/brands.py", "Brand visibility", ":material/verified:"),
    ("pages/usage.py", "Usage and cost", ":material/payments:"),
    ("pages/fan_out.py", "Fan-out queries", ":material/travel_explore:"),
    ("pages/answers.py", "Answers", ":material/article:"),
]


@dataclass(frozen=True)
class View:
    """What a page draws from: all loaded tables, the filtered ones, and the shared inputs."""

    settings: Settings
    loaded: Loaded
    tables: Tables
    brands: list[str]
    competitors: list[str]
    by: str  # "domain" (registrable domain) or "host"

    @property
    def answers_total(self) -> int:
        return len(self.tables.answers)


def page(title: str, icon: str) -> View:
    """Draw the shared frame and return the data; every page calls this first."""
    st.set_page_config(page_title=f"{title} · AI visibility", page_icon=icon, layout="wide")
    gate.require_access()  # stops here (login or password form) unless the visitor is let in
    state.init()
    config = data.settings()
    if config.demo and not st.session_state.get("_demo_brands"):  # once, so they can be cleared
        st.session_state["_demo_brands"] = True
        if not state.get("brands") and not state.get("competitors"):
            brands, competitors = demo_brands()
            state.put("brands", brands)
            state.put("competitors", competitors)
    with st.sidebar:
        st.markdown("### :material/insights: AI visibility")
        for path, label, page_icon in PAGES:
            st.page_link(path, label=label, icon=page_icon)
        st.divider()
        brands, competitors = _brand_inputs()
    loaded = data.load(_ids(config), state.first("engine", "gemini"), config,
                       st.session_state.get("refresh", 0), whole_archive=state.first("source") == "archive")
    _shorten_url(config, loaded)
    with st.sidebar:
        tables, by = _filters(loaded.tables)
        st.caption("The address bar holds this view (ids, engine, brands, filters, never credentials): "
                   "copy it to share.")
    state.sync_url()
    st.title(f"{title}")
    _status_line(config, loaded, tables)
    return View(config, loaded, tables, brands, competitors, by)


URL_ID_LIMIT = 100  # longer id lists travel as a short reference kept in the archive


def _ids(config: Settings) -> list[str]:
    """The shared ids, resolving a ``ref=`` link through the archive when there are none."""
    ref = state.first("ref")
    if ref and not state.get("ids"):
        store, error = data.archive(config)
        try:
            state.put("ids", store.id_list(ref) if store else [])
        except KeyError:
            st.error(f"This link's id list {md_text(ref, limit=20)} is not in this deployment's archive.",
                     icon=":material/link_off:")
            state.put("ref", [])
        if error:
            st.error(md_text(error, limit=1000), icon=":material/database:")
    return state.get("ids")


def _shorten_url(config: Settings, loaded: Loaded) -> None:
    """Swap a long id list in the URL for a reference kept in the archive."""
    ids = state.get("ids")
    store, _ = data.archive(config)
    if len(ids) > URL_ID_LIMIT and store and not state.get("ref") and not loaded.batch.archive_error:
        state.put("ref", store.save_id_list(ids))


def _brand_inputs() -> tuple[list[str], list[str]]:
    brands = st.text_input("Our brand domains", value=", ".join(state.get("brands")), key="w_brands",
                           placeholder="monday.com", help="Comma-separated registrable domains.")
    competitors = st.text_input("Competitor domains", value=", ".join(state.get("competitors")),
                                key="w_competitors", placeholder="asana.com, clickup.com")
    state.put("brands", [d.lower() for d in split_list(brands)])
    state.put("competitors", [d.lower() for d in split_list(competitors)])
    return state.get("brands"), state.get("competitors")


def _multiselect(label: str, key: str, options: list[str]) -> list[str]:
    chosen = st.multiselect(label, options, default=[v for v in state.get(key) if v in options],
                            key=f"w_{key}", placeholder="All")
    state.put(key, chosen)
    return chosen


def _filters(tables: Tables) -> tuple[Tables, str]:
    completed = tables.completed
    with st.expander("Filters", icon=":material/filter_list:", expanded=bool(
            state.get("f_engines") or state.get("f_models") or state.get("f_prompts") or state.get("f_dates"))):
        engines = _multiselect("Engines", "f_engines", sorted(completed["engine"].dropna().unique()))
        models = _multiselect("Models", "f_models", sorted(completed["model"].dropna().unique()))
        prompts = _multiselect("Prompts", "f_prompts", sorted(completed["prompt"].dropna().unique()))
        since, until = _date_range(completed)
    by = st.segmented_control("Count sites by", ["domain", "host"], default=state.first("by", "domain"),
                              key="w_by", format_func={"domain": "Registrable domain", "host": "Host"}.get,
                              help="bbc.co.uk (domain) or news.bbc.co.uk (host).") or "domain"
    state.put("by", [] if by == "domain" else by)
    return filter_tables(tables, engines, models, prompts, since, until), by


def _date_range(completed):
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


def _status_line(config: Settings, loaded: Loaded, tables: Tables) -> None:
    if loaded.demo:
        how = ("This public demo never calls the API." if config.demo_only else
               "To load your own, set `DATAFORSEO_LOGIN` and `DATAFORSEO_PASSWORD` (or `[dataforseo]` in "
               "`.streamlit/secrets.toml`) and restart.")
        st.info(f"**Demo data**: a bundled sample of illustrative tasks, not a real account. {how}",
                icon=":material/science:")
    if loaded.batch.error:
        st.error(f"The batch stopped: {md_text(loaded.batch.error, limit=1000)}", icon=":material/error:")
    if loaded.batch.archive_error:
        st.warning(f"Archive unavailable, nothing was kept: {md_text(loaded.batch.archive_error, limit=1000)}",
                   icon=":material/database:")
    if loaded.from_archive:
        st.caption(f"Everything in the archive: {len(loaded.ids)} completed answers.")
        return
    counts = loaded.batch.counts()
    if not loaded.ids:
        return
    done = counts.get(sansio.COMPLETED, 0)
    others = ", ".join(f"{n} {status}" for status, n in counts.items() if status != sansio.COMPLETED)
    shown = len(tables.answers)
    line = f"{len(loaded.ids)} task ids: {done} completed answers" + (f"; {others} (listed on Load tasks, never counted as not cited)" if others else "")
    if shown != done:
        line += f". Filters show {shown} of {done} answers."
    st.caption(line)
