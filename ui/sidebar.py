"""The sidebar's shared inputs: tracked brands (:mod:`core.brands`), and the filters that narrow every page.

Each input is seeded from and written to its key in :mod:`ui.state`, so it keeps its value across
pages and in the shared URL. Filter options narrow each other: a model is offered only if it
answered under the chosen engines, a prompt only under the chosen engines and models. Beyond
:data:`MAX_PROMPT_OPTIONS` distinct prompts (a year of history), prompts are filtered by the text they
contain instead of offered one by one.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from core.brands import (BRAND, COMPETITOR, ROLES, BrandSet, BrandsFileError, ParsedBrands, brands_from_text,
                         brands_json, definitions_from_rows, from_query, to_query)
from core.model import engine_label
from core.tables import Tables, filter_tables
from ui import data, state
from ui.safe import md_text

MAX_BRANDS_FILE = 256 * 1024
MAX_PROMPT_OPTIONS = 500  # more distinct prompts: a "Prompt contains" text input instead of a multiselect
PROMPT_TEXT_WIDGET = "w_f_prompt_contains"


ENTRY_HELP = ("Comma-separated. A domain or URL (`asana.com`, `https://www.notion.so/pricing`) tracks the brand "
              "named after it by name and by domain; other text (`Acme`) is a name. For more aliases and "
              "domains: `Name|alias|alias|@domain.com`, or edit the definitions below.")
EDITOR_COLUMNS = {"role": "Role", "name": "Name", "aliases": "Aliases", "domains": "Domains"}


def brand_inputs() -> BrandSet:
    """The tracked brands: quick entry, an editable table of definitions, a brands file; entries that
    cannot be read are named, never dropped in silence."""
    edited = st.session_state.pop(state.BRAND_EDIT, None)  # from the table or a file, last run
    for key, state_key, role in (("w_brands", "brands", BRAND), ("w_competitors", "competitors", COMPETITOR)):
        # Set through the Session State API before the widget exists: this page's widget then shows the
        # latest text (typed here or on another page, seeded from the link, or edited in the table).
        st.session_state[key] = (edited.get(role, "") if edited is not None
                                 else st.session_state.get(key, state.first(state_key)))
    ours = st.text_input("Our brand", key="w_brands", placeholder="monday.com", help=ENTRY_HELP)
    rivals = st.text_input("Competitors", key="w_competitors", placeholder="asana.com, ClickUp", help=ENTRY_HELP)
    typed = from_query(ours, rivals)
    with st.expander("Brand definitions", icon=":material/edit:"):
        parsed = _definitions_editor(typed)
    if parsed.brands != typed.brands:  # the table or a file changed them: the inputs show it next run
        st.session_state[state.BRAND_EDIT] = to_query(parsed.brands)
    for text, why in parsed.unreadable:
        st.warning(f"Brand entry {md_text(text, limit=60)} {md_text(why)}: not tracked.", icon=":material/warning:")
    for text, why in parsed.notes:
        st.caption(f"{md_text(text, limit=60)} {md_text(why)}.")
    query = to_query(parsed.brands)
    state.put("brands", query.get(BRAND, ""))
    state.put("competitors", query.get(COMPETITOR, ""))
    return parsed.brands


def _definitions_editor(parsed: ParsedBrands) -> ParsedBrands:
    """Names, aliases and domains of every tracked brand, editable; load from / save to a brands file."""
    rows = [{"role": b.role, "name": b.name, "aliases": ", ".join(b.aliases[1:]), "domains": ", ".join(b.domains)}
            for b in parsed.brands.all]
    edited = st.data_editor(
        pd.DataFrame(rows, columns=list(EDITOR_COLUMNS)), key=f"w_brand_editor_{hash(tuple(map(str, rows)))}",
        num_rows="dynamic", hide_index=True, width="stretch",
        column_config={"role": st.column_config.SelectboxColumn("Role", options=list(ROLES), required=True,
                                                                default=COMPETITOR),
                       "name": st.column_config.TextColumn("Name", required=True),
                       "aliases": st.column_config.TextColumn("Aliases", help="Comma-separated"),
                       "domains": st.column_config.TextColumn("Domains", help="Comma-separated")})
    result = definitions_from_rows(edited.to_dict("records")) if len(edited) else ParsedBrands()
    upload = st.file_uploader("Load a brands file (JSON or TOML)", type=["json", "toml"], key="w_brands_file")
    if upload is not None and upload.size <= MAX_BRANDS_FILE:
        try:
            result = ParsedBrands(brands_from_text(upload.getvalue(), upload.name))
        except BrandsFileError as exc:
            st.error(md_text(exc, limit=300), icon=":material/error:")
    st.download_button("Save as a brands file", lambda: brands_json(result.brands), file_name="brands.json",
                       mime="application/json", on_click="ignore", icon=":material/download:", key="w_brands_save")
    return ParsedBrands(result.brands, parsed.unreadable + result.unreadable, parsed.notes + result.notes)


def _multiselect(label: str, key: str, options: list[str], format_func=str) -> list[str]:
    chosen = st.multiselect(label, options, default=[v for v in state.get(key) if v in options],
                            key=f"w_{key}", placeholder="All", format_func=format_func)
    state.put(key, chosen)
    return chosen


def _options(completed: pd.DataFrame, column: str, key: str, **narrowed: list[str]) -> list[str]:
    """The distinct values of ``column`` among the answers with the ``narrowed`` values (column: chosen), kept
    under the tables' ``key`` and those choices, so a rerun does not scan every answer again."""
    def compute() -> list[str]:
        frame = completed
        for name, chosen in narrowed.items():
            frame = frame[frame[name].isin(chosen)] if chosen else frame
        return sorted(str(v) for v in frame[column].dropna().unique())
    return data.memo(f"options_{column}", (key, repr(narrowed)), compute)


def filters(tables: Tables) -> tuple[Tables, str]:
    """The filter widgets and the filtered tables, and how sites are counted (domain or host)."""
    completed = tables.completed
    keys = ("f_engines", "f_models", "f_prompts", "f_prompt_contains", "f_tags", "f_countries", "f_dates")
    with st.expander("Filters", icon=":material/filter_list:", expanded=any(state.get(k) for k in keys)):
        engines = _multiselect("Engines", "f_engines", _options(completed, "engine", tables.key), engine_label)
        models = _multiselect("Models", "f_models", _options(completed, "model", tables.key, engine=engines))
        within = {"engine": engines, "model": models}
        prompts, prompt_text = _prompt_filter(_options(completed, "prompt", tables.key, **within))
        tags = _multiselect("Tags", "f_tags", _options(completed, "tag", tables.key, **within))
        countries = _multiselect("Search country", "f_countries", _options(completed, "country", tables.key, **within))
        since, until = _date_range(completed, tables.key)
    by = st.segmented_control("Count sites by", ["domain", "host"], default=state.first("by", "domain"),
                              key="w_by", format_func={"domain": "Registrable domain", "host": "Host"}.get,
                              help="bbc.co.uk (domain) or news.bbc.co.uk (host).") or "domain"
    state.put("by", [] if by == "domain" else by)
    chosen = (engines, models, prompts, since, until, tags, countries, prompt_text)
    return data.memo("filtered", (tables.key, repr(chosen)), lambda: filter_tables(tables, *chosen)), by


def _prompt_filter(prompts: list[str]) -> tuple[list[str], str]:
    """The chosen ``prompts`` (a multiselect), or beyond :data:`MAX_PROMPT_OPTIONS` distinct ones the text they
    contain; the other filter is cleared, so what filters is always on screen (and in the URL)."""
    if len(prompts) <= MAX_PROMPT_OPTIONS:
        state.put("f_prompt_contains", [])
        st.session_state.pop(PROMPT_TEXT_WIDGET, None)
        return _multiselect("Prompts", "f_prompts", prompts), ""
    state.put("f_prompts", [])
    # Set before the widget exists (as the brand inputs): this page's widget shows the text typed on another.
    st.session_state[PROMPT_TEXT_WIDGET] = st.session_state.get(PROMPT_TEXT_WIDGET, state.first("f_prompt_contains"))
    text = st.text_input("Prompt contains", key=PROMPT_TEXT_WIDGET, placeholder="All prompts",
                         help="Case-insensitive: keeps the answers whose prompt holds this text.")
    state.put("f_prompt_contains", text.strip())
    return [], text.strip()


def _date_span(completed: pd.DataFrame) -> tuple[date, date] | None:
    dated = completed["datetime"].dropna()
    return (dated.min().date(), dated.max().date()) if len(dated) else None


def _date_range(completed: pd.DataFrame, key: str):
    """The chosen answer dates within those answered (the span kept under the tables' ``key``)."""
    span = data.memo("date_span", key, lambda: _date_span(completed))
    if span is None:
        return None, None
    low, high = span
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
