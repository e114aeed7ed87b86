"""The frame every page draws first: page config, gate, navigation, shared inputs, the loaded data.

:func:`page` draws and reads; it never writes to the archive (callbacks on Load tasks do).
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core.archive import Archive, ArchiveError
from core.brands import BRAND, COMPETITOR, BrandSet, to_query
from core.demo import demo_brands
from core.model import COMPLETED
from core.tables import Tables
from core.text import counted
from ui import data, gate, sidebar, state
from ui.data import Loaded, Settings
from ui.safe import md_text

PAGES = [
    ("app.py", "Load tasks", ":material/download:"),
    ("pages/overview.py", "Overview", ":material/dashboard:"),
    ("pages/domains.py", "Cited domains", ":material/language:"),
    ("pages/brands.py", "Brand visibility", ":material/verified:"),
    ("pages/usage.py", "Usage and cost", ":material/payments:"),
    ("pages/fan_out.py", "Fan-out queries", ":material/travel_explore:"),
    ("pages/answers.py", "Answers", ":material/article:"),
]
FAVICON = "📈"  # an emoji: a ``:material/...:`` favicon makes every browser fetch it from fonts.gstatic.com
NOTICE_ICONS = {"info": ":material/info:", "warning": ":material/warning:", "error": ":material/error:"}


@dataclass(frozen=True)
class View:
    """What a page draws from: all loaded tables, the filtered ones, the shared inputs, the archive."""

    settings: Settings
    loaded: Loaded
    tables: Tables
    brands: BrandSet  # ours and the competitors (core.brands)
    by: str  # "domain" (registrable domain) or "host"
    archive: Archive | None
    archive_error: str | None

    @property
    def answers_total(self) -> int:
        return len(self.tables.answers)


def page(title: str) -> View:
    """Draw the shared frame and return the data; every page calls this first.

    Each page's icon is its navigation link's (:data:`PAGES`); the tab shows :data:`FAVICON`, so no
    page makes the browser ask another host for anything."""
    st.set_page_config(page_title=f"{title} · AI visibility", page_icon=FAVICON, layout="wide",
                       initial_sidebar_state="auto")  # collapsed on narrow screens (Streamlit: under 768 px)
    config = data.settings()
    gate.require_access(config.gate)  # stops here (login or password form) unless the visitor is let in
    state.init()
    _seed_demo_brands(config)
    store, archive_error = data.archive(config)  # once per run, for the whole page
    with st.sidebar:
        st.markdown("### :material/insights: AI visibility")
        for path, label, page_icon in PAGES:
            st.page_link(path, label=label, icon=page_icon)
        st.divider()
        brands = sidebar.brand_inputs()
    engine = state.first("engine") or None
    loaded = data.load(_ids(store, archive_error), engine, config, store, archive_error,
                       st.session_state.get(state.REFRESH, 0), whole_archive=state.first("source") == "archive")
    with st.sidebar:
        tables, by = sidebar.filters(loaded.tables)
        st.caption("The address bar holds this view (ids, engine, brands, filters, never credentials): "
                   "copy it to share.")
    state.sync_url()
    st.title(title)
    for kind, text in state.take_notices():
        getattr(st, kind)(md_text(text, limit=2000), icon=NOTICE_ICONS[kind])
    _status_line(config, loaded, tables)
    return View(config, loaded, tables, brands, by, store, archive_error)


def metric_row():
    """A row of metrics that wraps onto more lines in a narrow window, so no figure is cut: use it as
    ``row = shell.metric_row(); row.metric(...)`` (columns keep their share of the width and cut instead)."""
    return st.container(horizontal=True, gap="medium")


def empty_reason(view: View, searched_for: str | None = None) -> str:
    """Why a page has nothing to draw: nothing loaded, nothing completed, the filters, or (for a page that
    draws ``searched_for``, such as citations, which come only with web search) web search was off."""
    if not view.loaded.ids:
        return "Nothing loaded yet: paste task ids on **Load tasks**, or open the archive there."
    if view.loaded.tables.answers.empty:
        return ("None of the loaded tasks has an answer yet (pending, failed or not found: see **Load tasks**). "
                "Pending tasks can be asked again there.")
    if view.tables.answers.empty or not searched_for:
        return "The sidebar's filters exclude every answer: widen them."
    if searched_for and not view.tables.answers["web_search"].any():
        return (f"Web search was off in every answer shown, so there are no {searched_for}: load tasks that ran "
                "with web search on.")
    return f"None of the {counted(view.answers_total, 'answer')} shown has {searched_for}, though web search was on."


def _seed_demo_brands(config: Settings) -> None:
    """Prefill the demo market's brands once per session, so a user can still clear them."""
    if config.demo and not st.session_state.get(state.DEMO_BRANDS_SEEDED):
        st.session_state[state.DEMO_BRANDS_SEEDED] = True
        if not state.get("brands") and not state.get("competitors"):
            query = to_query(demo_brands())
            state.put("brands", query.get(BRAND, ""))
            state.put("competitors", query.get(COMPETITOR, ""))


def _ids(store: Archive | None, archive_error: str | None) -> list[str]:
    """The shared ids: a ``ref=`` link resolved through the archive; a long list that arrived in the URL
    given a ``ref`` once (kept in the archive), so the link stays short enough to reload."""
    ref, ids = state.first("ref"), state.get("ids")
    if ref and not ids:
        try:
            state.put("ids", store.id_list(ref)[:state.MAX_IDS_PER_LOAD] if store else [])
        except KeyError:
            st.error("This link's id list is not in this deployment's archive.", icon=":material/link_off:")
            state.put("ref", [])
        if archive_error:
            st.error(md_text(archive_error, limit=1000), icon=":material/database:")
    elif len(ids) > state.URL_ID_LIMIT and not ref and store is not None:
        try:
            state.put("ref", store.save_id_list(ids))
        except ArchiveError:
            pass  # the link then carries no ids; the session keeps them
    return state.get("ids")


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
        st.caption(f"Everything in the archive: {counted(len(loaded.ids), 'completed answer')}." + (
            " The archive has changed since: its newer answers are being read and appear on a later rerun."
            if loaded.refreshing else ""))
        return
    counts = loaded.batch.counts()
    if not loaded.ids:
        return
    done = counts.get(COMPLETED, 0)
    others = ", ".join(f"{n} {status}" for status, n in counts.items() if status != COMPLETED)
    shown = len(tables.answers)
    line = f"{counted(len(loaded.ids), 'task id')}: {counted(done, 'completed answer')}" + (
        f"; {others} (listed on Load tasks, never counted as not named or not cited)" if others else "")
    if shown != done:
        line += f". Filters show {shown} of {counted(done, 'answer')}."
    st.caption(line)
