"""Brand visibility: our domains against competitors, and the prompts where only competitors are cited."""
from __future__ import annotations

import plotly.express as px
import streamlit as st

from core import metrics
from ui import shell, tables_ui, theme

view = shell.page("Brand visibility", ":material/verified:")
tables, by = view.tables, view.by
if not view.brands and not view.competitors:
    st.info("Name your brand's domains and your competitors' in the sidebar (e.g. `monday.com`, "
            "`asana.com`): this page compares how often the AI cites each.", icon=":material/arrow_back:")
    st.stop()
if tables.answers.empty:
    st.info("No completed answers loaded yet: load tasks first.", icon=":material/hourglass_empty:")
    st.stop()

visibility = metrics.brand_visibility(tables.citations, view.answers_total, view.brands, view.competitors, by)
gaps = metrics.prompt_gaps(tables.citations, tables.answers, view.brands, view.competitors, by)
ours = visibility[visibility["role"] == "brand"]
brand_answers = tables.citations[metrics.tracked(tables.citations, view.brands, by).notna()]["task_id"].nunique()

a, b, c = st.columns(3)
a.metric("Answers citing our brand", f"{brand_answers} of {view.answers_total}",
         help="Completed answers with at least one citation of a brand domain. Pending and failed tasks "
              "are not counted.")
b.metric("Our share of voice", f"{ours['share_of_voice'].sum():.0%}",
         help=f"Brand citations out of all {int(visibility['citations'].sum())} citations of tracked domains.")
c.metric("Prompts citing competitors but not us", f"{int(gaps['gap'].sum())} of {len(gaps)}")

left, right = st.columns(2)
colors = theme.color_map(visibility["name"], theme.OTHER_COLORS)
colors.update(dict.fromkeys(ours["name"], theme.ROLE_COLORS["brand"]))
sov = px.pie(visibility[visibility["citations"] > 0], names="name", values="citations", hole=0.5,
             color="name", color_discrete_map=colors,
             title=f"Share of voice ({int(visibility['citations'].sum())} citations of tracked domains)")
left.plotly_chart(sov, key="brands_sov")
share = px.bar(visibility, x="name", y="answer_share", color="name", color_discrete_map=colors,
               labels={"answer_share": f"Share of {view.answers_total} answers citing", "name": ""},
               title="Share of answers citing each domain")
share.update_layout(yaxis_tickformat=".0%", showlegend=False)
right.plotly_chart(share, key="brands_answer_share")

tables_ui.table(visibility, "brand-visibility", key="visibility_table")
st.caption("First citation position: the mean rank of the domain's first citation in the answers citing it "
           "(1 = cited first).")

st.subheader("Prompts where competitors are cited and we are not")
tables_ui.table(gaps, "prompt-gaps", key="gaps_table")
gap_prompts = gaps.loc[gaps["gap"], "prompt"].tolist()
if gap_prompts:
    chosen = st.selectbox("See the answers behind a gap", gap_prompts, key="w_gap_prompt")
    behind = tables.citations[(tables.citations["prompt"] == chosen)
                              & metrics.tracked(tables.citations, view.competitors, by).notna()]
    tables_ui.table(behind, "gap-citations", key="gap_citations",
                    columns=["task_id", "engine", "model", "title", "link", "domain", "position"])

tables_ui.view_downloads({"visibility": visibility, "prompt_gaps": gaps}, {"page": "brand visibility",
                         "brands": view.brands, "competitors": view.competitors, "demo": view.loaded.demo},
                         key="brands_export")
