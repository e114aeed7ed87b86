"""Usage and cost: tokens by kind, money spent and task cost, per answer, per model and per day."""
from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from core import metrics, theme
from core.tables import TOKEN_FIELDS
from core.text import counted
from ui import charts, data, shell, tables_ui

TOKEN_LABELS = {"input_tokens": "Input", "output_tokens": "Output", "reasoning_tokens": "Reasoning"}
TOKEN_COLORS = {TOKEN_LABELS[field]: color for field, color in theme.TOKEN_COLORS.items()}
AMOUNTS = {"spend": "Spend", "money_spent": "Money spent"}
PER_ANSWER_BARS = 300  # above this, the per-answer chart becomes a distribution


def _usd(value: float | None, digits: int = 4) -> str:
    return "n/a" if value is None else f"${value:,.{digits}f}"


def _total_usd(value: float) -> str:
    """Cents for large totals, four decimals for small ones (a few tasks cost fractions of a cent)."""
    return _usd(value, 2 if value >= 100 else 4)


def _tokens_long(frame, keys: list[str]):
    """One row per (keys, token kind): what a stacked token bar chart draws."""
    return frame.melt(id_vars=keys, value_vars=list(TOKEN_FIELDS), var_name="kind",
                      value_name="tokens").assign(kind=lambda f: f["kind"].map(TOKEN_LABELS))


view = shell.page("Usage and cost")
tasks, citations = view.tables.tasks, view.tables.citations
completed = view.tables.completed
if completed.empty:
    st.info(shell.empty_reason(view) + " Tokens and cost come with a task's result.",
            icon=":material/hourglass_empty:")
    st.stop()

drawn = view.tables.key  # the figures and charts below are kept while the tasks shown stay the same


def _figures() -> dict:
    """Every figure of the page made from all the rows shown, whatever the widgets say."""
    dated = completed["datetime"].dropna()
    ordered = theme.with_engine_labels(completed).assign(
        total_tokens=completed[list(TOKEN_FIELDS)].sum(axis=1)).sort_values(["datetime", "task_id"])
    return {"summary": metrics.usage_summary(tasks, citations), "by_model": metrics.usage_by_model(tasks, citations),
            "not_counted": tasks.loc[tasks["status"] != "completed", "status"].astype(str).value_counts(),
            "span": (dated.max() - dated.min()).days if len(dated) else 0, "ordered": ordered}


figures = data.memo("usage_figures", drawn, _figures)
summary = figures["summary"]
answers = summary["answers"]
over = f"Over {counted(answers, 'completed answer')}."
row = shell.metric_row()
row.metric("Input tokens", f"{summary['input_tokens']:,}", help=over)
row.metric("Output tokens", f"{summary['output_tokens']:,}", help=over)
row.metric("Reasoning tokens", f"{summary['reasoning_tokens']:,}",
         help=f"{over} Only reasoning models report them.")
row.metric("All tokens", f"{summary['total_tokens']:,}", help=f"Input + output + reasoning. {over}")
estimate = " (estimate)" if summary["total_spend_is_estimate"] else ""
row = shell.metric_row()
row.metric("Money spent", _total_usd(summary["money_spent"]),
         help=f"money_spent: what the model providers charged for tokens and searches, as the replies report "
              f"it (exact). {over}")
row.metric("DataForSEO task price" + estimate,
         _total_usd(summary["total_spend"] - summary["money_spent"]),
         help="What DataForSEO charges per task on top of money spent. task_get replies report a cost of 0 "
              "(the charge is made when a task is posted), so unless a reply reports a cost this is an "
              "estimate from the price table (settings: task_price_usd).")
row.metric("Spend" + estimate, _total_usd(summary["total_spend"]),
         help=f"Money spent plus the task price. {over}")
row.metric("Spend per answer" + estimate, _usd(summary["spend_per_answer"]),
         help=f"Spend / {counted(answers, 'completed answer')}; per citation: "
              f"{_usd(summary['spend_per_citation'])} over {counted(summary['citations'], 'citation')}.")
not_counted = figures["not_counted"]
st.caption(f"Counted over **{counted(answers, 'completed answer')}**"
           + (f"; {counted(int(not_counted.sum()), 'task')} without an answer ("
              + ", ".join(f"{n} {status}" for status, n in not_counted.items())
              + ") cost nothing here and are not counted: the API reports tokens and cost only with a result."
              if len(not_counted) else ".") + " USD. Money spent is exact; "
           + ("the task price is an estimate (the replies report none)." if estimate else
              "the task price is what the replies report."))

by_model = figures["by_model"]
st.subheader("Tokens by model")
scale = st.segmented_control("Tokens shown", ["total", "mean"], default="total", key="w_usage_token_scale",
                             format_func={"total": "Total", "mean": "Mean per answer"}.get) or "total"
per_model = by_model.copy()
if scale == "mean":
    for field in TOKEN_FIELDS:
        per_model[field] = per_model[field] / per_model["answers"]


def _model_bars():
    model_bars = px.bar(
        _tokens_long(theme.with_engine_labels(per_model), ["engine", "model", "answers"]), x="model", y="tokens", color="kind",
        color_discrete_map=TOKEN_COLORS, category_orders={"kind": list(TOKEN_COLORS),
                                                          "model": list(by_model["model"])},
        hover_data={"engine": True, "answers": True},
        labels={"model": "", "kind": "Tokens", "tokens": "Tokens per answer" if scale == "mean" else "Tokens"},
        title=("Mean tokens per answer" if scale == "mean" else "Tokens") + f" by model, {counted(answers, 'answer')} "
              "(models by spend)")
    return model_bars


charts.plotly_chart(charts.cached("model_bars", (drawn, scale), _model_bars), "usage_tokens_by_model")

left, right = st.columns(2)
labelled = theme.with_engine_labels(by_model)
orders = {"engine": sorted(labelled["engine"].unique()), "model": sorted(by_model["model"].unique())}


def _cost_bars():
    cost_bars = px.bar(labelled, x="spend_per_answer", y="model", orientation="h", color="engine",
                       category_orders={"engine": orders["engine"]},
                       color_discrete_map=theme.ENGINE_COLORS_BY_LABEL, hover_data={"answers": True, "spend": ":$.4f"},
                       labels={"spend_per_answer": f"Spend per answer (USD){estimate}", "model": "", "engine": "Engine"},
                       title="Spend per answer by model")
    cost_bars.update_layout(xaxis_tickprefix="$", height=max(320, 34 * len(by_model)))
    cost_bars.update_yaxes(categoryorder="total ascending")
    return cost_bars


charts.plotly_chart(charts.cached("cost_bars", drawn, _cost_bars), "usage_cost_per_answer", left)

with right:
    span = figures["span"]
    one, two, three = st.columns(3)
    split = one.selectbox("Split by", ["engine", "model"], key="w_usage_split", format_func=str.capitalize)
    amount = two.selectbox("Amount", list(AMOUNTS), key="w_usage_amount", format_func=AMOUNTS.get)
    period = three.selectbox("Per", list(metrics.PERIODS), index=1 if span > 60 else 0, key="w_usage_period",
                             format_func=str.capitalize, help="Weeks start on Monday; all in UTC.")
    spend = data.memo("usage_spend", (drawn, split, amount, period), lambda: theme.with_engine_labels(
        metrics.spend_over_time(tasks, by=split, amount=amount, period=period)))
    undated = len(completed) - int(spend["answers"].sum())

    def _day_bars():
        day_bars = px.bar(spend, x="day", y=amount, color=split, category_orders={split: orders[split]},
                          color_discrete_map=theme.ENGINE_COLORS_BY_LABEL if split == "engine" else theme.color_map(
                              completed["model"].dropna()),
                          hover_data={"answers": True},
                          labels={"day": f"Answer {period} (UTC)", amount: f"{AMOUNTS[amount]} (USD)",
                                  split: split.capitalize()},
                          title=f"{AMOUNTS[amount]} per {period} by {split}")
        day_bars.update_layout(yaxis_tickprefix="$", bargap=0.15)
        days = {"day": 1, "week": 7, "month": 30}[period]
        day_bars.update_traces(xperiod={"day": 86_400_000, "week": 7 * 86_400_000, "month": "M1"}[period],
                               xperiodalignment="middle", width=0.8 * days * 86_400_000)  # in ms, even when alone
        if len(spend):
            step = pd.Timedelta(days=days)
            pad = max(step, (pd.Timedelta(days=7) - (max(spend["day"]) - min(spend["day"]))) / 2)  # at least a week
            first, last = pd.Timestamp(min(spend["day"])), pd.Timestamp(max(spend["day"]))
            day_bars.update_xaxes(range=[first - pad, last + step + pad])
        return day_bars

    charts.plotly_chart(charts.cached("day_bars", (drawn, split, amount, period), _day_bars), "usage_over_time")
    if undated:
        st.caption(f"{counted(undated, 'answer')} without a date, not in this chart.")

tables_ui.table(by_model, "usage-by-model", key="usage_by_model_table", drawn=drawn,
                columns=["engine", "model", "answers", "spend", "spend_per_answer", "money_spent", "total_tokens",
                         "tokens_per_answer", "web_search_share", "reasoning_share", *TOKEN_FIELDS, "citations",
                         "spend_per_citation"])
st.caption("Shares are of each model's answers; the reasoning share is reasoning tokens out of output + "
           "reasoning tokens. Spend per citation is blank for a model whose answers cite nothing.")

st.subheader("Tokens per answer")
ordered = figures["ordered"]


def _task_bars():
    if len(ordered) <= PER_ANSWER_BARS:
        hover = ordered.assign(prompt=ordered["prompt"].fillna("").str.slice(0, 80))  # escaped by ui.charts
        task_bars = px.bar(_tokens_long(hover, ["task_id", "engine", "model", "prompt"]), x="task_id", y="tokens",
                           color="kind", color_discrete_map=TOKEN_COLORS,
                           category_orders={"kind": list(TOKEN_COLORS), "task_id": list(ordered["task_id"])},
                           hover_data={"engine": True, "model": True, "prompt": True},
                           labels={"task_id": f"{counted(answers, 'completed answer')}, oldest first (hover for the task)",
                                   "tokens": "Tokens", "kind": "Tokens"},
                           title="Tokens of each answer")
        task_bars.update_xaxes(showticklabels=False)
    else:  # thousands of bars say less than their distribution, and cost seconds to draw
        binned = metrics.distribution(ordered, "total_tokens", "engine")  # binned here: the browser gets 60 bars
        task_bars = px.bar(binned.assign(middle=(binned["low"] + binned["high"]) / 2), x="middle", y="rows",
                           color="engine", barmode="stack", color_discrete_map=theme.ENGINE_COLORS_BY_LABEL,
                           hover_data={"low": ":,.0f", "high": ":,.0f", "middle": False},
                           labels={"middle": "Tokens of one answer (input + output + reasoning)", "rows": "Answers",
                                   "low": "From", "high": "Below"},
                           title=f"Tokens per answer: distribution over {counted(answers, 'answer')}")
        task_bars.update_layout(bargap=0)  # equal ranges side by side, as a histogram
    return task_bars


charts.plotly_chart(charts.cached("task_bars", drawn, _task_bars), "usage_tokens_by_task")
with st.expander("Every answer's tokens and cost", icon=":material/table_rows:"):
    tables_ui.table(ordered, "usage-by-task", key="usage_task_table", drawn=drawn,
                    columns=["task_id", "engine", "model", "prompt", "datetime", "web_search", *TOKEN_FIELDS,
                             "total_tokens", "money_spent", "spend", "spend_estimated", "citations"])

tables_ui.view_downloads({"usage_by_model": by_model, "usage_over_time": spend, "tasks": tasks},
                         {"page": "usage and cost", "demo": view.loaded.demo,
                          "counted": counted(answers, "completed answer"),
                          "spend": "money_spent exact; task price " + ("estimated from the price table"
                                                                       if estimate else "as reported")},
                         key="usage_export")
