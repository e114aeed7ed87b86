"""Overview: how our brand does on each engine, what changed since last time, and the review to send."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import plotly.graph_objects as go
import streamlit as st

from core import changes, report, theme
from core.model import engine_label
from core.text import counted
from core.review import HEALTH_SHOWN, Scope, build_review
from ui import brand_view, charts, data, shell, state, tables_ui
from ui.safe import md_text

FILTER_LABELS = {"f_engines": "Engines", "f_models": "Models", "f_prompts": "Prompts",
                 "f_prompt_contains": "Prompt contains", "f_tags": "Tags", "f_countries": "Countries",
                 "f_dates": "Answer dates"}
RATES = {"mention_rate": ("Mention rate", "mentioned"), "visibility_rate": ("Visibility", "visible")}

view = shell.page("Overview")
if view.tables.answers.empty:
    st.info(shell.empty_reason(view), icon=":material/hourglass_empty:")
    st.stop()
if not view.brands:
    st.info("Name your brand and your competitors in the sidebar (`monday.com`, `asana.com`, or plain names): the "
            "overview is about how each engine names and cites them. Cited domains, Usage and Answers work "
            "without them.", icon=":material/arrow_back:")
    st.stop()
facts = brand_view.presence(view, "all")
filters = {label: ", ".join(state.get(key)) for key, label in FILTER_LABELS.items()}
scope = replace(data.memo(  # the dates and engines read from every row, kept; made now
    "overview_scope", (facts.key, len(view.loaded.ids), tuple(filters.items()), view.loaded.demo),
    lambda: Scope.of(view.tables, len(view.loaded.ids), view.brands, filters, view.loaded.demo)),
    made=datetime.now(timezone.utc))

overview = st.container()  # drawn once the periods below are read
st.subheader("What changed")
pick = st.segmented_control("Compare", ["last two periods", "two date ranges"], default="last two periods",
                            key="w_overview_compare") or "last two periods"
periods = None
if pick == "two date ranges":
    first, last = scope.first_day, scope.last_day
    left, right = st.columns(2)
    before = left.date_input("Before", value=(first, first), min_value=first, max_value=last, key="w_overview_before")
    after = right.date_input("After", value=(last, last), min_value=first, max_value=last, key="w_overview_after")
    try:
        periods = changes.Periods(tuple(before), tuple(after)) if len(before) == len(after) == 2 else None
    except ValueError as exc:
        st.warning(md_text(str(exc)), icon=":material/date_range:")
drawn = (facts.key, periods, view.by, tuple(filters.items()))  # what the review and its charts are made from
review = replace(data.memo(  # the numbers, kept while their inputs stay; the scope says when it was made
    "overview_review", drawn,
    lambda: build_review(view.tables, facts.presence, scope, view.by, periods)), scope=scope)
found = review.changes
if found is None:
    st.caption("No dated answers: nothing to compare.")
else:
    before_label, after_label = found.periods.labels
    moved = found.moved
    st.markdown(f"**{after_label}** against **{before_label}** (UTC): "
                + (f"{len(moved)} mention rate{'s' if len(moved) != 1 else ''} moved beyond noise."
                   if len(moved) else "no mention rate moved beyond noise."))
    st.caption("A move counts as a change only when a two-proportion test says so (p < 0.05); smaller "
               "moves are within noise. Samples are small: read the n in each period.")
    tables_ui.table(found.rates, "what-changed-rates", key="overview_rate_changes", drawn=drawn,
                    columns=["engine", "name", "answers_before", "mentioned_before", "rate_before", "answers_after",
                             "mentioned_after", "rate_after", "difference", "p_value", "verdict"])
    left, right = st.columns(2)
    with left:
        st.markdown("**Cited domains that appeared or disappeared**")
        tables_ui.table(found.domains, "what-changed-domains", key="overview_domain_changes", drawn=drawn)
    with right:
        st.markdown("**Prompts where our brand was gained or lost**")
        tables_ui.table(found.prompts, "what-changed-prompts", key="overview_prompt_changes", drawn=drawn)

with overview:
    st.subheader("Our brand, engine by engine")
    if review.ours.empty:
        st.caption("Our brand is not defined: add it in the sidebar.")
    for row in review.ours.itertuples():
        label = engine_label(row.engine)
        st.markdown(f"**{md_text(label)}** · {md_text(row.name)} · {counted(row.answers, 'answer')}")
        figures, trend = st.columns([3, 2])  # the metrics wrap in a narrow window; the trend goes beside them
        metrics = figures.container(horizontal=True, gap="medium")
        for rate, (title, count) in RATES.items():
            low, high = getattr(row, f"{rate}_ci_low"), getattr(row, f"{rate}_ci_high")
            metrics.metric(title, report.percent(getattr(row, rate)),
                           help=f"{getattr(row, count)} of {counted(row.answers, 'completed answer')}; 95% interval "
                                f"{report.interval(low, high)}.")
        metrics.metric("Share of voice", report.percent(row.share_of_voice),
                       help=f"{row.mentions} of {row.mentions_total} mentions of tracked brands on {label}.")
        own = review.trend[(review.trend["engine"] == row.engine) & (review.trend["name"] == row.name)]
        if len(own) > 1:
            def _spark(own=own, engine=str(row.engine)):
                spark = go.Figure([go.Scatter(x=own["period"].astype(str), y=own[rate], name=title,
                                              mode="lines+markers", line_color=color)
                                   for (rate, (title, _)), color in zip(RATES.items(), (theme.ENGINE_COLORS.get(
                                       engine, theme.PALETTE[0]), theme.ROLE_COLORS["other"]))])
                spark.update_layout(height=150, margin=dict(l=10, r=10, t=10, b=10), yaxis_tickformat=".0%",
                                    yaxis_range=[0, 1], showlegend=False)
                return spark
            charts.plotly_chart(charts.cached("overview_trend", (drawn, str(row.engine), row.name), _spark),
                                f"overview_trend_{row.engine}_{row.Index}", trend)
        else:
            trend.caption("One period only: no trend yet.")
    st.caption("Rates are over completed answers (pending and failed tasks are in no denominator), with 95% Wilson "
               "intervals in each figure's help. Trend lines: mention rate (engine colour) and visibility (grey) per "
               "period. Open **Brand visibility** for every brand and the answers behind each cell.")

    left, right = st.columns(2)
    with left:
        st.subheader("Most cited domains")
        tables_ui.table(review.top_domains, "top-domains", key="overview_domains", drawn=drawn)
    with right:
        st.subheader("Capture health")
        for cell, status in zip(st.columns(len(HEALTH_SHOWN)), HEALTH_SHOWN):
            cell.metric(status.capitalize(), review.health[status])
        st.caption(f"{counted(review.health['completed'], 'completed answer')} of {counted(scope.ids, 'task id')}. Pending tasks can be asked "
                   "again on **Load tasks**.")
        st.subheader("Spend")
        st.metric("Spend" + (" (estimate)" if review.usage["total_spend_is_estimate"] else ""),
                  report.usd(review.usage["total_spend"]),
                  help=f"Money spent {report.usd(review.usage['money_spent'])} (exact) plus DataForSEO's task price, "
                       f"over {counted(review.usage['answers'], 'completed answer')}.")


st.subheader("Send the review")
stamp = scope.made.strftime("%Y-%m-%d")
left, right = st.columns(2)
left.download_button("HTML report", lambda: report.to_html(review).encode("utf-8"), on_click="ignore",
                     file_name=f"ai-visibility-review-{stamp}.html", mime="text/html", icon=":material/description:",
                     key="overview_html", help="One file that opens offline and prints on A4.")
right.download_button("Markdown digest", lambda: report.to_markdown(review).encode("utf-8"), on_click="ignore",
                      file_name=f"ai-visibility-digest-{stamp}.md", mime="text/markdown", icon=":material/notes:",
                      key="overview_markdown")
