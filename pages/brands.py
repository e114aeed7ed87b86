"""Brand visibility: is our brand named in the answers, how early, next to whom, on which engine, over time."""
from __future__ import annotations

import streamlit as st

from core import visibility
from core.brands import BRAND
from core.text import counted
from ui import brand_view, shell, state, tables_ui
from ui.safe import md_text

RATE_LABELS = {"mention_rate": "Mention rate", "visibility_rate": "Visibility", "citation_rate": "Citation rate"}
THIN = 5  # a period or cell with fewer answers is drawn faint: its rate is far from certain

view = shell.page("Brand visibility")
if not view.brands:
    st.info("Name your brand and your competitors in the sidebar (`monday.com`, `asana.com`, or plain names): "
            "this page shows how often each engine's answers name and cite each.", icon=":material/arrow_back:")
    st.stop()
if view.tables.answers.empty:
    st.info(shell.empty_reason(view), icon=":material/hourglass_empty:")
    st.stop()

left, middle, right = st.columns([3, 2, 2])
rate = left.segmented_control("Measure", list(RATE_LABELS), format_func=RATE_LABELS.get, key="w_brand_rate",
                              default="mention_rate") or "mention_rate"
which = middle.segmented_control("Prompts", list(visibility.BRANDED_CHOICES), key="w_branded", default="all",
                                 format_func=str.capitalize,
                                 help="A branded prompt names our brand, which inflates visibility.") or "all"
together = right.toggle("All engines together", key="w_all_engines",
                        help="Off: each engine on its own (they answer differently). On: one blended figure.")
facts = brand_view.presence(view, which)
summary = brand_view.summary(facts, view.brands, together)
st.caption(f"{facts.branded} of {counted(facts.prompts, 'prompt')} are branded (they name our brand); showing **{which}** "
           f"prompts: {counted(facts.answers, 'completed answer')}. Pending and failed tasks are not in any denominator.")

st.subheader("Our brand, engine by engine")
brand_view.headline(summary[summary["role"] == BRAND], RATE_LABELS)

brand_view.rates_chart(facts, summary, together, rate, RATE_LABELS[rate], view.brands)
tables_ui.table(summary, "brand-visibility", key="brand_summary_table", drawn=(facts.key, together),
                columns=["engine", "name", "role", "answers", "mentioned", "mention_rate", "mention_rate_ci_low",
                         "mention_rate_ci_high", "cited", "citation_rate", "visible", "visibility_rate",
                         "cited_not_named", "named_not_cited", "share_of_voice", "avg_rank"])
st.caption("Mention rate: answers naming the brand / completed answers. Citation rate: answers citing one of its "
           "domains. Visibility: named or cited. Share of voice: its mentions / all tracked brands' mentions. "
           "Average rank: where it is named among the tracked brands (1 = first), over the answers naming it.")

st.subheader("Prompt by engine: where our brand is named")
grid = brand_view.grid_cells(facts, view.brands)
brand_view.grid(grid, facts.key)

st.subheader("Over time")
grain_choice = st.segmented_control("Per", ["auto", "day", "week", "month"], default="auto", key="w_brand_grain",
                                    format_func=str.capitalize) or "auto"
over_time, grain = brand_view.over_time(facts, together, grain_choice)
if over_time.empty:
    st.caption("No dated answers to draw over time.")
else:
    brand_view.trend(facts, over_time, (together, grain_choice), rate, RATE_LABELS[rate], grain, THIN, view.brands)

st.subheader("Evidence: the sentence around each mention")
chosen = st.selectbox("Brand", [b.name for b in view.brands.all], key="w_evidence_brand")
EVIDENCE_ROWS = 300  # rows of the evidence table sent to the browser, with their sentences
evidence = brand_view.evidence(facts, view.tables.answers, chosen, EVIDENCE_ROWS)
st.caption(f"{md_text(chosen)} is named in {counted(len(evidence), 'answer')}. Read a few: a brand called like a common word "
           "(Notion, Monday) can match ordinary text; fix its aliases in the sidebar's brand definitions.")
tables_ui.table(evidence, "mentions", key="evidence_table", drawn=(facts.key, chosen), columns=["task_id", "engine", "count", "rank", "snippet"],
                max_rows=EVIDENCE_ROWS, whole=lambda: brand_view.evidence_whole(facts, view.tables.answers, chosen))

st.subheader("Prompts where competitors are named and we are not")
gaps = brand_view.gaps(facts)
tables_ui.table(gaps, "prompt-gaps", key="gaps_table", drawn=facts.key)

tables_ui.view_downloads({"visibility": summary, "over_time": over_time, "prompt_engine": grid.drop(
    columns="task_ids"), "mentions": facts.mentions.drop(columns=["snippet", "first_end"]), "prompt_gaps": gaps},
    {"page": "brand visibility", "brands": state.first("brands"), "competitors": state.first("competitors"),
     "prompts": which, "demo": view.loaded.demo}, key="brands_export")
