"""Cited domains: which sites the AI cites, how often, in how many answers, for which prompts."""
from __future__ import annotations

import plotly.express as px
import streamlit as st

from core import metrics, theme
from core.brands import BRAND, COMPETITOR
from core.text import counted
from ui import charts, data, shell, tables_ui
from ui.safe import md_text

view = shell.page("Cited domains")
tables, by = view.tables, view.by
citations = tables.citations
if citations.empty:
    st.info(shell.empty_reason(view, "citations"), icon=":material/link_off:")
    st.stop()

drawn = (view.tables.key, by)  # what the figures below depend on
counts = data.memo("domain_counts", drawn, lambda: metrics.domain_counts(citations, view.answers_total, by=by))
citing_answers, unlinked, redirects = data.memo("domain_figures", drawn, lambda: (
    citations["task_id"].nunique(), int(citations[by].isna().sum()), int(citations["is_redirect"].sum())))
row = shell.metric_row()
row.metric("Citations", len(citations), help="Annotations in the completed answers shown; shares are out of all "
         "of them." + (f" {unlinked} have no http(s) link to credit to a site." if unlinked else ""))
row.metric(f"Cited {by}s", len(counts))
row.metric("Answers citing anything", f"{citing_answers} of {view.answers_total}")
row.metric("Gemini redirects resolved", f"{redirects}",
         help="Vertex AI redirect links credited to the real site (direct_url, else title).")

top_n = st.slider("Sites shown", 5, 50, 15, key="w_top_n")
top = counts.head(top_n).copy()
ours, rivals = view.brands.domains(BRAND), view.brands.domains(COMPETITOR)
top["role"] = [metrics.role_of(x, ours, rivals) for x in top[by]]
colored_by_role = bool(ours or rivals)


def _bars():
    figure = px.bar(
        top.iloc[::-1], x="citations", y=by, orientation="h",
        color="role" if colored_by_role else by,
        color_discrete_map=theme.ROLE_COLORS if colored_by_role else theme.color_map(counts[by]),
        hover_data={"answers": True, "citation_share": ":.1%", "answer_share": ":.1%"},
        labels={"citations": f"Citations (of {len(citations)})", by: by.capitalize()},
        title=f"Top {len(top)} cited {by}s in {counted(view.answers_total, 'answer')}")
    figure.update_layout(showlegend=colored_by_role, height=max(320, 26 * len(top)))
    figure.update_yaxes(categoryorder="total ascending")  # most cited on top, whatever the colours
    return figure


charts.plotly_chart(charts.cached("domains_bar", (drawn, top_n, tuple(ours), tuple(rivals)), _bars), "domains_bar")

tables_ui.table(counts, f"cited-{by}s", key="domain_counts", drawn=drawn)

st.subheader("Which prompts cite which sites")


def _heat():
    matrix = metrics.domain_by_prompt(citations, list(top[by].head(20)), by=by)
    heat = px.imshow(matrix, text_auto=True, aspect="auto", color_continuous_scale="Blues",
                     labels={"x": "Prompt", "y": by.capitalize(), "color": "Answers citing"},
                     title="Answers citing each site, per prompt")
    heat.update_xaxes(tickangle=-30, ticktext=[p[:40] + ("…" if len(p) > 40 else "") for p in matrix.columns],
                      tickvals=list(matrix.columns))
    return heat


charts.plotly_chart(charts.cached("domains_heatmap", (drawn, top_n), _heat), "domains_heatmap")

st.subheader("The citations behind a site")
chosen = st.selectbox(f"Cited {by}", counts[by], key="w_trace_domain")


def _behind() -> tuple:
    """The citations of the chosen site, and how many answers hold them."""
    rows = citations[citations[by] == chosen]
    return rows, rows["task_id"].nunique()


behind, behind_answers = data.memo("domain_citations", (drawn, chosen), _behind)
st.caption(f"{counted(len(behind), 'citation')} of {md_text(chosen)} in {counted(behind_answers, 'answer')}.")
tables_ui.table(behind, "citations-of-site", key="trace_table", drawn=(drawn, chosen),
                columns=["task_id", "engine", "model", "prompt", "title", "link", "host", "cited_text"])

with st.expander("All cited URLs and titles", icon=":material/link:"):
    tables_ui.table(citations, "citations", key="all_citations", drawn=drawn,
                    columns=["task_id", "engine", "model", "position", "title", "link", "host", "domain",
                             "is_redirect"])
tables_ui.view_downloads({"domains": counts, "citations": citations, "tasks": tables.tasks},
                         {"page": "cited domains", "demo": view.loaded.demo, "by": by}, key="domains_export")
