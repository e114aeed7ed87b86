"""The Brand visibility page's pieces: the cached mention scan, the headline figures, the grid, the trend.

Scanning answer text for brands is the costly step, so it runs once per loaded set of answers and brand
definitions and is kept for the process (``ui.data.memo``); filters and the branded switch only re-slice it.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from core import theme, visibility
from core.brands import BRAND, BrandSet
from core.mentions import add_snippets, brand_presence
from core.model import engine_label
from core.text import counted
from ui import charts, data, state, tables_ui
from ui.safe import md_text

GRID_ICONS = {"named": "● named", "cited only": "◐ cited only", "neither": "○ neither", "no answer": "· no answer"}


@dataclass(frozen=True)
class Facts:
    presence: pd.DataFrame  # one row per completed answer in scope and tracked brand
    mentions: pd.DataFrame  # one row per answer and brand it names
    tasks: pd.DataFrame  # every task in scope (for "no answer" cells)
    prompts: int
    branded: int
    answers: int
    key: tuple  # what these depend on: the memo key of every table derived from them


def presence(view, which: str) -> Facts:
    """The presence table for the filtered answers, restricted to ``which`` prompts (all, branded, unbranded)."""
    tables, brands, loaded = view.tables, view.brands, view.loaded.tables
    brands_key = (state.first("brands"), state.first("competitors"))
    # Every loaded answer is scanned once per brand set; a filter only picks rows of the scan.
    scanned = data.mentions(view.loaded, brands, brands_key, view.settings.archive_key)
    mentions = scanned if tables.key == loaded.key else data.memo(
        "mentions_shown", (tables.key, brands_key), lambda: scanned[scanned["task_id"].isin(set(tables.answers["task_id"]))])
    everything = data.memo("presence", (tables.key, brands_key, view.by),
                           lambda: brand_presence(tables.answers, tables.citations, brands, mentions, view.by))
    key = (tables.key, brands_key, view.by, which)

    def scope() -> Facts:
        branded = visibility.branded_prompts(pd.Series(tables.answers["prompt"].dropna().unique()), brands)
        scoped = visibility.filter_branded(everything, brands, which)
        tasks = visibility.filter_branded(tables.tasks, brands, which)
        kept = set(scoped["task_id"])
        return Facts(scoped, mentions[mentions["task_id"].isin(kept)], tasks, len(branded), int(branded.sum()),
                     len(kept), key)
    return data.memo("brand_facts", key, scope)


# The tables below are kept like the scan: a rerun that changes none of their inputs (another
# widget, the evidence brand, the measure) reuses them instead of grouping 10k answers again.

def summary(facts: Facts, brands: BrandSet, together: bool) -> pd.DataFrame:
    """``visibility.brand_summary`` per engine, or all engines together."""
    return data.memo("brand_summary", (facts.key, together), lambda: visibility.brand_summary(
        facts.presence, per_engine=not together, brands=brands))


def grid_cells(facts: Facts, brands: BrandSet) -> pd.DataFrame:
    """``visibility.prompt_engine_grid`` for our brands."""
    return data.memo("brand_grid", facts.key, lambda: visibility.prompt_engine_grid(
        facts.presence, facts.tasks, brands.names(BRAND)))


def over_time(facts: Facts, together: bool, grain_choice: str) -> tuple[pd.DataFrame, str]:
    """``visibility.visibility_over_time`` at the chosen grain (``auto``: from the span), and that grain."""
    def compute() -> tuple[pd.DataFrame, str]:
        grain = (grain_choice if grain_choice != "auto"
                 else visibility.choose_grain(facts.presence["datetime"].dropna()))
        return visibility.visibility_over_time(facts.presence, grain, per_engine=not together), grain
    return data.memo("brand_over_time", (facts.key, together, grain_choice), compute)


def evidence(facts: Facts, answers: pd.DataFrame, name: str, shown: int) -> pd.DataFrame:
    """The mentions of one brand, with the sentence around the first mention in the first ``shown`` rows (the
    rows a person reads; a year of answers names a brand hundreds of thousands of times)."""
    def compute() -> pd.DataFrame:
        named = facts.mentions[facts.mentions["name"] == name]
        return pd.concat([add_snippets(named.head(shown), answers), named.iloc[shown:].drop(columns="first_end")],
                         ignore_index=True)
    return data.memo("brand_evidence", (facts.key, name, shown), compute)


def evidence_whole(facts: Facts, answers: pd.DataFrame, name: str) -> pd.DataFrame:
    """Every mention of one brand with its sentence (the CSV download, made when clicked)."""
    return add_snippets(facts.mentions[facts.mentions["name"] == name], answers)


def gaps(facts: Facts) -> pd.DataFrame:
    """``visibility.prompt_gaps``: prompts where competitors are named and we are not."""
    return data.memo("brand_gaps", facts.key, lambda: visibility.prompt_gaps(facts.presence))


def headline(ours: pd.DataFrame, labels: dict[str, str]) -> None:
    """Per engine: our brand's rates as n of N with their interval."""
    if ours.empty:
        st.caption("Our brand is not defined: add it in the sidebar.")
        return
    for row in ours.itertuples():
        columns = st.columns([1.2, 2, 2, 2, 1.4])
        columns[0].markdown(f"**{md_text(engine_label(row.engine))}**  \n{md_text(row.name)} · {counted(row.answers, 'answer')}")
        for column, (rate, label) in zip(columns[1:], labels.items()):
            count = getattr(row, visibility.RATES[rate])
            value, low, high = (getattr(row, rate), getattr(row, f"{rate}_ci_low"), getattr(row, f"{rate}_ci_high"))
            column.metric(label, "n/a" if pd.isna(value) else f"{value:.0%}",
                          help=f"{count} of {counted(row.answers, 'completed answer')}; 95% interval "
                               + ("n/a" if pd.isna(low) else f"{low:.0%} to {high:.0%}") + ".")
        columns[4].metric("Average rank", "n/a" if pd.isna(row.avg_rank) else f"{row.avg_rank:.1f}",
                          help="Where our brand is named among the tracked brands (1 = first), over the "
                               f"{counted(row.mentioned, 'answer')} naming it.")


def grid(cells: pd.DataFrame, drawn: tuple) -> None:
    """The prompt x engine states as a table, and the cells as rows that open the answers behind them
    (``drawn``: what ``cells`` are made from, the facts' key; both tables are kept under it)."""
    if cells.empty:
        st.caption("No prompts in scope.")
        return

    def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
        shown = cells.assign(engine=cells["engine"].map(engine_label), state=cells["state"].map(GRID_ICONS))
        rows = cells.assign(task_id=cells["task_ids"].map(lambda ids: ids[0] if ids else None),
                            answers_behind=cells["task_ids"].map(len))
        return shown.pivot(index="prompt", columns="engine", values="state").reset_index(), rows[rows["task_id"].notna()]

    table, rows = data.memo("brand_grid_tables", drawn, tables)
    st.dataframe(table, hide_index=True, key="brand_grid")
    st.caption("● named in at least one answer · ◐ cited but never named · ○ neither · · no completed answer. "
               "Select a row below to open an answer behind a cell.")
    tables_ui.table(rows, "prompt-engine-cells", key="grid_cells", drawn=drawn,
                    columns=["task_id", "prompt", "engine", "state", "answers", "named", "cited", "answers_behind"],
                    height=240)


def rates_chart(facts: Facts, summary: pd.DataFrame, together: bool, rate: str, label: str,
                brands: BrandSet) -> None:
    """The rate per brand and engine as grouped bars with their 95% intervals as error bars."""
    def build() -> go.Figure:
        rates = summary.assign(engine_label=summary["engine"].map(engine_label),
                               err_plus=summary[f"{rate}_ci_high"] - summary[rate],
                               err_minus=summary[rate] - summary[f"{rate}_ci_low"])
        bars = px.bar(rates, x="name", y=rate, color="engine_label", barmode="group", error_y="err_plus",
                      error_y_minus="err_minus", color_discrete_map=theme.ENGINE_COLORS_BY_LABEL,
                      category_orders={"name": brands.names()},
                      hover_data={"answers": True, visibility.RATES[rate]: True, "err_plus": False,
                                  "err_minus": False},
                      labels={rate: f"{label} (share of completed answers)", "name": "",
                              "engine_label": "Engine", "answers": "Answers"},
                      title=f"{label} per brand and engine, with 95% intervals")
        bars.update_layout(yaxis_tickformat=".0%", yaxis_range=[0, 1])
        return bars
    charts.plotly_chart(charts.cached("brand_rates", (facts.key, together, rate), build), "brands_rates")


def trend(facts: Facts, over_time: pd.DataFrame, memo_key: tuple, rate: str, label: str, grain: str, thin: int,
          brands: BrandSet) -> None:
    """The rate per period and brand, an engine per panel; periods with few answers are drawn hollow.
    ``memo_key``: what ``over_time`` was made from besides ``facts`` (together, the grain choice)."""
    def build() -> go.Figure:
        frame = over_time.assign(engine=over_time["engine"].map(engine_label),
                                 certainty=over_time["answers"].map(lambda n: "few answers" if n < thin else "enough"),
                                 err_plus=over_time[f"{rate}_ci_high"] - over_time[rate],
                                 err_minus=over_time[rate] - over_time[f"{rate}_ci_low"])
        names = brands.names()
        colors = theme.color_map(names, theme.OTHER_COLORS)
        colors.update(dict.fromkeys(brands.names(BRAND), theme.ROLE_COLORS["brand"]))
        figure = px.line(frame, x="period", y=rate, color="name", facet_col="engine", markers=True,
                         symbol="certainty", symbol_map={"enough": "circle", "few answers": "circle-open"},
                         error_y="err_plus", error_y_minus="err_minus", color_discrete_map=colors,
                         category_orders={"name": names}, hover_data={"answers": True, "err_plus": False,
                                                                      "err_minus": False, "certainty": False},
                         labels={rate: label, "period": f"Answer {grain} (UTC)", "name": "Brand", "engine": "Engine"},
                         title=f"{label} per {grain}, with 95% intervals (hollow: under {thin} answers)")
        figure.update_layout(yaxis_tickformat=".0%", yaxis_range=[0, 1])
        return figure
    charts.plotly_chart(charts.cached("brand_trend", (facts.key, *memo_key, rate), build), "brands_trend")
