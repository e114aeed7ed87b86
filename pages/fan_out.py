"""Fan-out queries: the searches the models ran, grouped into themes."""
from __future__ import annotations

import plotly.express as px
import streamlit as st

from core.themes import fan_out_overview, prompt_repeats, queries_by_theme, theme_queries
from core import theme
from core.text import counted
from ui import charts, data, shell, tables_ui
from ui.safe import md_text

view = shell.page("Fan-out queries")
tables = view.tables
fan_out = tables.fan_out
if fan_out.empty:
    st.info(shell.empty_reason(view, "fan-out queries"), icon=":material/search_off:")
    st.stop()

limit = st.select_slider("Themes", options=["auto", 5, 10, 15, 20, 30], value="auto", key="w_max_themes",
                         help="auto: the number that separates the queries best (silhouette), up to 30.")
max_themes = None if limit == "auto" else int(limit)
key = (tables.key, max_themes)  # the answers' queries decide the themes
with st.spinner("Grouping queries into themes ..."):
    themes = data.fan_out_themes(fan_out, tables.citations, max_themes, key)
summary, rows = themes.themes, themes.clustered
overview = data.memo("fan_out_overview", key, lambda: fan_out_overview(themes.assignments, summary))

row = shell.metric_row()
row.metric("Fan-out queries", overview["queries"], help="Searches listed by the models, repeats included.")
row.metric("Answers that searched", f"{overview['answers_searched']} of {view.answers_total}")
row.metric("Themes", overview["themes"], help=f"Over {overview['distinct_queries']} distinct queries.")
row.metric("Queries repeating the prompt", f"{overview['repeat_share']:.0%}",
         help="Share of queries that restate the prompt nearly word for word; the rest widen it.")



def _bars():
    bars = px.bar(summary.iloc[::-1], x="queries", y="label", orientation="h",
                  hover_data=["unique_queries", "tasks", "prompts", "models"],
                  labels={"queries": f"Queries (of {len(rows)})", "label": "Theme"},
                  title="Themes by number of queries")
    bars.update_layout(height=max(320, 28 * len(summary)))
    return bars


charts.plotly_chart(charts.cached("themes_bar", key, _bars), "themes_bar")
by = st.segmented_control("Themes by", ["model", "prompt", "engine"], default="model", key="w_themes_by") or "model"


def _split():
    matrix = theme.with_engine_labels(queries_by_theme(rows, by))
    split = px.bar(matrix, x="queries", y="label", color=by, orientation="h",
                   color_discrete_map=theme.ENGINE_COLORS_BY_LABEL if by == "engine" else theme.color_map(matrix[by]),
                   category_orders={"label": list(summary["label"])}, labels={"label": "Theme"},
                   title=f"Queries per theme and {by}")
    split.update_layout(height=max(320, 28 * len(summary)), showlegend=by != "prompt",
                        legend=dict(orientation="v", x=1.02, y=1, title=None))
    return split


charts.plotly_chart(charts.cached("themes_split", (key, by), _split), "themes_split")

st.subheader("A theme's queries")
chosen = st.selectbox("Theme", summary["label"], key="w_theme")
picked = summary[summary["label"] == chosen].iloc[0]
st.caption(f"{counted(picked['queries'], 'query', 'queries')} ({picked['unique_queries']} distinct) from "
           f"{counted(picked['tasks'], 'answer')}, {counted(picked['prompts'], 'prompt')}, "
           f"{counted(picked['models'], 'model')}. Most cited in those answers: "
           f"{md_text(', '.join(picked['top_domains']) or 'nothing')}.")
tables_ui.table(data.memo("theme_queries", (key, int(picked["theme"])), lambda: theme_queries(rows, picked["theme"])),
                "theme-queries", key="theme_queries", drawn=(key, int(picked["theme"])))

st.subheader("Repeating the prompt or widening it")
widening = data.memo("prompt_repeats", key, lambda: prompt_repeats(rows, "model"))


def _share():
    share = px.bar(widening, x="model", y="repeat_share", color="model",
                   color_discrete_map=theme.color_map(widening["model"]),
                   labels={"repeat_share": "Share of queries repeating the prompt", "model": ""},
                   title="How often each model just restates the prompt")
    share.update_layout(yaxis_tickformat=".0%", showlegend=False)
    return share


charts.plotly_chart(charts.cached("repeat_share", key, _share), "repeat_share")
queries = data.memo("fan_out_queries", key, lambda: rows.drop(columns=["datetime"], errors="ignore"))
with st.expander("All fan-out queries", icon=":material/list:"):
    tables_ui.table(queries, "fan-out-queries", key="all_queries", drawn=key,
                    columns=["task_id", "engine", "model", "prompt", "query", "label", "repeats_prompt"])
tables_ui.view_downloads({"themes": summary.assign(top_domains=summary["top_domains"].map(", ".join)),
                          "queries": queries},
                         {"page": "fan-out queries", "demo": view.loaded.demo}, key="fan_out_export")
