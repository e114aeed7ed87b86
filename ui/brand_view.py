"""The Brand visibility page's pieces: the cached mention scan, the headline figures, the grid, the trend.

Scanning answer text for brands is the costly step, so it runs once per set of answers and brand
definitions and is kept in the session; filters and the branded switch only re-slice it.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.express as px
import streamlit as st

from core import visibility
from core.brands import BrandSet
from core.mentions import add_snippets, brand_presence, mentions_table
from core.model import engine_label
from ui import charts, data, state, tables_ui, theme
from ui.safe import md_text

GRID_ICONS = {"named": "● named", "cited only": "◐ cited only", "neither": "○ neither", "no answer": "· no answer"}


@dataclass(frozen=True)
class Facts:
    presence: pd.DataFrame  # one row per completed answer in scope and tracked brand
    mentions: pd.DataFrame  # one row per answer and brand it names (snippets: see evidence())
    tasks: pd.DataFrame  # every task in scope (for "no answer" cells)
    prompts: int
    branded: int
    answers: int
    key: tuple  # what these facts depend on: answers, brand definitions, how sites count, prompts chosen

    def memo(self, name: str, *depends, compute):
        """``compute()`` kept in the session while these facts and ``depends`` stay the same."""
        return data.session_memo(f"brands_{name}", (self.key, depends), compute)


def presence(view, which: str) -> Facts:
    """The presence table for the filtered answers, restricted to ``which`` prompts (all, branded, unbranded)."""
    tables, brands = view.tables, view.brands
    answers_key = data.fingerprint(tables.answers["task_id"])
    brands_key = (state.first("brands"), state.first("competitors"))
    mentions = data.session_memo("mentions", (answers_key, brands_key),
                                 lambda: mentions_table(tables.answers, brands, snippets=False))
    everything = data.session_memo("presence", (answers_key, brands_key, view.by),
                                   lambda: brand_presence(tables.answers, tables.citations, brands, mentions, view.by))
    def scope():
        branded = visibility.branded_prompts(pd.Series(tables.answers["prompt"].dropna().unique()), brands)
        scoped = visibility.filter_branded(everything, brands, which)
        return branded, scoped, visibility.filter_branded(tables.tasks, brands, which), set(scoped["task_id"])

    branded, scoped, tasks, kept = data.session_memo("brand_scope", (answers_key, brands_key, view.by, which), scope)
    return Facts(scoped, mentions[mentions["task_id"].isin(kept)], tasks, len(branded), int(branded.sum()),
                 len(kept), (answers_key, brands_key, view.by, which))


def evidence(facts: Facts, answers: pd.DataFrame, name: str) -> pd.DataFrame:
    """The mentions of one brand with the sentence around each first mention."""
    return facts.memo("evidence", name, compute=lambda: add_snippets(
        facts.mentions[facts.mentions["name"] == name], answers))


def headline(ours: pd.DataFrame, labels: dict[str, str]) -> None:
    """Per engine: our brand's rates as n of N with their interval."""
    if ours.empty:
        st.caption("Our brand is not defined: add it in the sidebar.")
        return
    for row in ours.itertuples():
        columns = st.columns([1.2, 2, 2, 2, 1.4])
        columns[0].markdown(f"**{md_text(engine_label(row.engine))}**  \n{md_text(row.name)} · {row.answers} answers")
        for column, (rate, label) in zip(columns[1:], labels.items()):
            count = getattr(row, visibility.RATES[rate])
            value, low, high = (getattr(row, rate), getattr(row, f"{rate}_ci_low"), getattr(row, f"{rate}_ci_high"))
            column.metric(label, "n/a" if pd.isna(value) else f"{value:.0%}",
                          help=f"{count} of {row.answers} completed answers; 95% interval "
                               + ("n/a" if pd.isna(low) else f"{low:.0%} to {high:.0%}") + ".")
        columns[4].metric("Average rank", "n/a" if pd.isna(row.avg_rank) else f"{row.avg_rank:.1f}",
                          help="Where our brand is named among the tracked brands (1 = first), over the "
                               f"{row.mentioned} answers naming it.")


def grid(cells: pd.DataFrame) -> None:
    """The prompt x engine states as a table, and the cells as rows that open the answers behind them."""
    if cells.empty:
        st.caption("No prompts in scope.")
        return
    shown = cells.assign(engine=cells["engine"].map(engine_label), state=cells["state"].map(GRID_ICONS))
    table = shown.pivot(index="prompt", columns="engine", values="state").reset_index()
    st.dataframe(table, hide_index=True, key="brand_grid")
    st.caption("● named in at least one answer · ◐ cited but never named · ○ neither · · no completed answer. "
               "Select a row below to open an answer behind a cell.")
    rows = cells.assign(task_id=cells["task_ids"].map(lambda ids: ids[0] if ids else None),
                        answers_behind=cells["task_ids"].map(len))
    tables_ui.table(rows[rows["task_id"].notna()], "prompt-engine-cells", key="grid_cells",
                    columns=["task_id", "prompt", "engine", "state", "answers", "named", "cited", "answers_behind"],
                    height=240)


def trend(over_time: pd.DataFrame, rate: str, label: str, grain: str, thin: int, brands: BrandSet) -> None:
    """The rate per period and brand, an engine per panel; periods with few answers are drawn hollow."""
    frame = over_time.assign(engine=over_time["engine"].map(engine_label),
                             answers_label=over_time["answers"].map(lambda n: f"{n} answers"),
                             certainty=over_time["answers"].map(lambda n: "few answers" if n < thin else "enough"),
                             err_plus=over_time[f"{rate}_ci_high"] - over_time[rate],
                             err_minus=over_time[rate] - over_time[f"{rate}_ci_low"])
    names = [b.name for b in brands.all]
    colors = theme.color_map(names, theme.OTHER_COLORS)
    colors.update(dict.fromkeys([b.name for b in brands.brands], theme.ROLE_COLORS["brand"]))
    figure = px.line(frame, x="period", y=rate, color="name", facet_col="engine", markers=True,
                     symbol="certainty", symbol_map={"enough": "circle", "few answers": "circle-open"},
                     error_y="err_plus", error_y_minus="err_minus", color_discrete_map=colors,
                     category_orders={"name": names}, hover_data={"answers": True, "err_plus": False,
                                                                  "err_minus": False, "certainty": False},
                     labels={rate: label, "period": f"Answer {grain} (UTC)", "name": "Brand", "engine": "Engine"},
                     title=f"{label} per {grain}, with 95% intervals (hollow: under {thin} answers)")
    figure.update_layout(yaxis_tickformat=".0%", yaxis_range=[0, 1])
    charts.plotly_chart(figure, "brands_trend")
