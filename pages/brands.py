"""Brand visibility: is our brand named in the answers, how early, next to whom, on which engine, over time."""
from __future__ import annotations

import plotly.express as px
import streamlit as st

from core import visibility
from core.brands import BRAND
from core.model import engine_label
from ui import brand_view, charts, shell, state, tables_ui, theme
from ui.safe import md_text

RATE_LABELS = {"mention_rate": "Mention rate", "visibility_rate": "Visibility", "citation_rate": "Citation rate"}
THIN = 5  # a period or cell with fewer answers is drawn faint: its rate is far from certain

view = shell.page("Brand visibility", ":material/verified:")
if not view.brands:
    st.info("Name your brand and your competitors in the sidebar (`monday.com`, `asana.com`, or plain names): "
            "this page shows how often each engine's answers name and cite each.", icon=":material/arrow_back:")
    st.stop()
if view.tables.answers.empty:
    st.info(shell.empty_reason(view), icon=":material/hourglass_empty:")
    st.stop()

left, middle, right = st.columns([2, 2, 3])
rate = left.segmented_control("Measure", list(RATE_LABELS), format_func=RATE_LABELS.get, key="w_brand_rate",
                              default="mention_rate") or "mention_rate"
which = middle.segmented_control("Prompts", list(visibility.BRANDED_CHOICES), key="w_branded", default="all",
                                 format_func=str.capitalize,
                                 help="A branded prompt names our brand, which inflates visibility.") or "all"
together = right.toggle("All engines together", key="w_all_engines",
                        help="Off: each engine on its own (they answer differently). On: one blended figure.")
facts = brand_view.presence(view, which)
presence = facts.presence
ours = [b.name for b in view.brands.brands]
summary = facts.memo("summary", together, compute=lambda: visibility.brand_summary(
    presence, per_engine=not together, brands=view.brands))
st.caption(f"{facts.branded} of {facts.prompts} prompts are branded (they name our brand); showing **{which}** "
           f"prompts: {facts.answers} completed answers. Pending and failed tasks are not in any denominator.")

st.subheader("Our brand, engine by engine")
brand_view.headline(summary[summary["role"] == BRAND], RATE_LABELS)

rates = summary.assign(engine_label=summary["engine"].map(engine_label),
                       err_plus=summary[f"{rate}_ci_high"] - summary[rate],
                       err_minus=summary[rate] - summary[f"{rate}_ci_low"])
bars = px.bar(rates, x="name", y=rate, color="engine_label", barmode="group", error_y="err_plus",
              error_y_minus="err_minus", color_discrete_map=theme.ENGINE_COLORS_BY_LABEL,
              category_orders={"name": [b.name for b in view.brands.all]},
              hover_data={"answers": True, visibility.RATES[rate]: True, "err_plus": False, "err_minus": False},
              labels={rate: f"{RATE_LABELS[rate]} (share of completed answers)", "name": "",
                      "engine_label": "Engine", "answers": "Answers"},
              title=f"{RATE_LABELS[rate]} per brand and engine, with 95% intervals")
bars.update_layout(yaxis_tickformat=".0%", yaxis_range=[0, 1])
charts.plotly_chart(bars, "brands_rates")
tables_ui.table(summary, "brand-visibility", key="brand_summary_table",
                columns=["engine", "name", "role", "answers", "mentioned", "mention_rate", "mention_rate_ci_low",
                         "mention_rate_ci_high", "cited", "citation_rate", "visible", "visibility_rate",
                         "cited_not_named", "named_not_cited", "share_of_voice", "avg_rank"])
st.caption("Mention rate: answers naming the brand / completed answers. Citation rate: answers citing one of its "
           "domains. Visibility: named or cited. Share of voice: its mentions / all tracked brands' mentions. "
           "Average rank: where it is named among the tracked brands (1 = first), over the answers naming it.")

st.subheader("Prompt by engine: where our brand is named")
grid = facts.memo("grid", compute=lambda: visibility.prompt_engine_grid(presence, facts.tasks, ours))
brand_view.grid(grid)

st.subheader("Over time")
grain_choice = st.segmented_control("Per", ["auto", "day", "week", "month"], default="auto", key="w_brand_grain",
                                    format_func=str.capitalize) or "auto"
over_time = facts.memo("over_time", grain_choice, together, compute=lambda: visibility.visibility_over_time(
    presence, None if grain_choice == "auto" else grain_choice, per_engine=not together))
if over_time.empty:
    st.caption("No dated answers to draw over time.")
else:
    grain = grain_choice if grain_choice != "auto" else visibility.choose_grain(presence["datetime"].dropna())
    brand_view.trend(over_time, rate, RATE_LABELS[rate], grain, THIN, view.brands)

st.subheader("Evidence: the sentence around each mention")
chosen = st.selectbox("Brand", [b.name for b in view.brands.all], key="w_evidence_brand")
evidence = brand_view.evidence(facts, view.tables.answers, chosen)
st.caption(f"{md_text(chosen)} is named in {len(evidence)} answers. Read a few: a brand called like a common word "
           "(Notion, Monday) can match ordinary text; fix its aliases in the sidebar's brand definitions.")
tables_ui.table(evidence, "mentions", key="evidence_table", columns=["task_id", "engine", "count", "rank", "snippet"],
                max_rows=300)

st.subheader("Prompts where competitors are named and we are not")
gaps = facts.memo("gaps", compute=lambda: visibility.prompt_gaps(presence))
tables_ui.table(gaps, "prompt-gaps", key="gaps_table")

tables_ui.view_downloads({"visibility": summary, "over_time": over_time, "prompt_engine": grid.drop(
    columns="task_ids"), "mentions": facts.mentions.drop(columns=["snippet", "first_end"]), "prompt_gaps": gaps},
    {"page": "brand visibility", "brands": state.first("brands"), "competitors": state.first("competitors"),
     "prompts": which, "demo": view.loaded.demo}, key="brands_export")
