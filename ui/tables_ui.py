"""Tables with readable columns, safe links and a CSV download; the whole view as Excel or JSON."""
from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st

from core import export, theme
from core.text import counted, without_bidi
from ui import data, state

COLUMN_CONFIG = {
    "task_id": st.column_config.TextColumn("Task id", width="medium"),
    "share_of_voice": st.column_config.ProgressColumn("Share of voice", format="percent", min_value=0, max_value=1),
    "first_position": st.column_config.NumberColumn("First citation position", format="%.1f",
                                                    help="Mean rank of the first citation in the answers citing it"),
    "link": st.column_config.LinkColumn("Link", help="Only http/https links are clickable", width="medium"),
    "datetime": st.column_config.DatetimeColumn("Answered (UTC)", format="YYYY-MM-DD HH:mm"),
    "money_spent": st.column_config.NumberColumn("Money spent (USD)", format="$%.4f"),
    "spend": st.column_config.NumberColumn("Spend (USD)", format="$%.4f",
                                           help="Money spent plus DataForSEO's task price (estimated when "
                                                "the reply reports no cost)"),
    "spend_estimated": st.column_config.CheckboxColumn("Spend estimated"),
    "task_cost": st.column_config.NumberColumn("Task cost reported (USD)", format="$%.4f"),
    "citation_share": st.column_config.ProgressColumn("Share of citations", format="percent", min_value=0, max_value=1),
    "answer_share": st.column_config.ProgressColumn("Share of answers", format="percent", min_value=0, max_value=1),
    "status_code": st.column_config.NumberColumn("Code", format="%d"),
    "rate_before": st.column_config.NumberColumn("Rate before", format="percent"),
    "rate_after": st.column_config.NumberColumn("Rate after", format="percent"),
    "difference": st.column_config.NumberColumn("Difference", format="percent",
                                                help="After minus before, in percentage points"),
    "p_value": st.column_config.NumberColumn("p", format="%.3f", help="Two-proportion z-test; a change below 0.05"),
    "tokens_per_answer": st.column_config.NumberColumn("Tokens per answer", format="%.0f",
                                                       help="Input + output + reasoning tokens, mean per answer"),
    "spend_per_answer": st.column_config.NumberColumn("Spend per answer (USD)", format="$%.4f"),
    "spend_per_citation": st.column_config.NumberColumn("Spend per citation (USD)", format="$%.4f"),
    "web_search_share": st.column_config.ProgressColumn("Web search on", format="percent", min_value=0, max_value=1,
                                                        width="small", help="Share of answers with web search on"),
    "reasoning_share": st.column_config.ProgressColumn("Reasoning share", format="percent", min_value=0, max_value=1,
                                                       width="small",
                                                       help="Reasoning tokens out of output + reasoning tokens"),
}


MAX_SHOWN_ROWS = 2_000


def table(frame: pd.DataFrame, name: str, key: str, columns: list[str] | None = None,
          height: int | str = "auto", max_rows: int = MAX_SHOWN_ROWS, drawn: object = None,
          whole: Callable[[], pd.DataFrame] | None = None) -> None:
    """Show ``frame`` (optionally only ``columns``) with a CSV download of exactly what is shown.

    Downloads are callables: the file is built when clicked, not on every rerun. A table with a
    ``task_id`` column traces its figures to the answers: selecting a row opens that answer. At most
    ``max_rows`` rows go to the browser (a selectable table is sent whole); the CSV has every row.
    Engines are shown (and saved) by their labels. ``drawn``, when given, names what ``frame`` is made from
    (a memo key, as for ``ui.data.memo``): the rows sent are then prepared once and kept under it.
    ``whole``, when given, makes the CSV's rows when clicked (a frame whose rows past ``max_rows`` are not
    complete yet, such as snippets made only for the rows shown).
    """
    def chosen(rows: pd.DataFrame) -> pd.DataFrame:
        return theme.with_engine_labels(rows[columns] if columns else rows)

    def prepared() -> pd.DataFrame:
        return _without_bidi(chosen(frame.head(max_rows)))  # only what is sent is copied and labelled

    shown = prepared() if drawn is None else data.memo("table_rows", (drawn, key, columns and tuple(columns),
                                                                      max_rows), prepared)
    traceable = "task_id" in shown.columns
    event = st.dataframe(shown, key=key, hide_index=True, height=height,
                         column_config={c: COLUMN_CONFIG[c] for c in shown.columns if c in COLUMN_CONFIG},
                         on_select="rerun" if traceable else "ignore", selection_mode="single-row")
    if len(frame) > max_rows:
        st.caption(f"Showing the first {max_rows:,} of {len(frame):,} rows; the CSV has every row.")
    if traceable:
        st.caption("Select a row to open its answer.")
        if event and event.selection.rows:
            state.put(state.OPEN_ANSWER, str(shown["task_id"].iloc[event.selection.rows[0]]))
            st.switch_page("pages/answers.py")
    st.download_button(f"CSV ({counted(len(frame), 'row')})", lambda: export.to_csv(chosen(whole() if whole else frame)),
                       file_name=f"{name}.csv",
                       mime="text/csv", icon=":material/download:", key=f"{key}_csv", on_click="ignore")


def _without_bidi(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with bidi controls dropped from its text cells (they would reorder what a cell shows)."""
    def clean(value):
        return without_bidi(value) if isinstance(value, str) else value

    out = frame
    for column in frame.columns:
        series = frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            categories = [clean(c) for c in series.cat.categories]
            if categories != list(series.cat.categories):
                out = out.assign(**{column: series.astype(object).map(clean)})
        elif series.dtype == object or isinstance(series.dtype, pd.StringDtype):
            out = out.assign(**{column: series.map(clean)})
    return out


def view_downloads(frames: dict[str, pd.DataFrame], about: dict, key: str) -> None:
    """The whole view as one Excel workbook or one JSON bundle, built only when clicked."""
    left, right = st.columns(2)
    stem = export.file_stem(about.get("page", "view"))
    left.download_button("Excel workbook", lambda: export.to_excel(frames, about), on_click="ignore",
                         file_name=f"{stem}.xlsx",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         icon=":material/table_view:", key=f"{key}_xlsx")
    right.download_button("JSON bundle", lambda: export.to_json(frames, about), on_click="ignore", file_name=f"{stem}.json",
                          mime="application/json", icon=":material/data_object:", key=f"{key}_json")
