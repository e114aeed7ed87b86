"""A review that can be sent: one self-contained HTML file, or a short markdown digest for a cron job.

:func:`to_html` writes one file with everything inline: the CSS, the plotly.js bundle (with the first
chart only) and the charts; no CDN, no web font, no request of any kind, so it opens offline and
prints on A4. Every untrusted string (prompts, brand names, domains, model names, tags, filters) is
HTML-escaped, and every chart label escaped for plotly (:func:`core.figures.escape_figure`).
:func:`to_markdown` is the digest: our brand per engine, what changed, capture health and spend, with
untrusted strings escaped for markdown. The numbers come from :mod:`core.review`. No I/O, no Streamlit.
"""
from __future__ import annotations

import html
import re

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from core import changes as changes_mod
from core.figures import escape_figure
from core.model import ENGINE_LABELS, STATUSES, engine_label
from core.review import HEALTH_SHOWN, Review
from core.text import counted, without_bidi
from core.theme import ENGINE_COLORS_BY_LABEL, ROLE_COLORS

CHART_WIDTH, CHART_HEIGHT = 680, 340  # px: fits an A4 page's printable width (186 mm at 96 dpi)
CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2937; margin: 24px auto;
       max-width: 960px; padding: 0 16px; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; border-bottom: 1px solid #e5e7eb;
       padding-bottom: 4px; margin-top: 1.6em; } h3 { font-size: 1.05em; }
.demo { background: #fef3c7; border: 2px solid #d97706; padding: 10px 14px; font-weight: 600; margin: 12px 0; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 0.9em; }
th, td { border: 1px solid #e5e7eb; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f4f6; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #6b7280; font-size: 0.85em; } .up { color: #047857; font-weight: 600; }
.down { color: #b91c1c; font-weight: 600; } .chart { width: 680px; max-width: 100%; }
@page { size: A4; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  section { break-before: auto; } h2 { break-after: avoid; }
  table, .chart, .demo { break-inside: avoid; } .chart { width: 680px; }
  .demo { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#!|~&$])")


def _text(value: object, limit: int = 300) -> str:
    """Untrusted text as HTML text, cut to ``limit`` characters, without bidi controls."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    text = without_bidi(text)
    return html.escape(text[:limit] + ("…" if len(text) > limit else ""), quote=True)


def percent(value: float | None) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:.0%}"


def interval(low: float | None, high: float | None) -> str:
    return "n/a" if low is None or pd.isna(low) else f"{low:.0%}–{high:.0%}"


def usd(value: float | None) -> str:
    return "n/a" if value is None or pd.isna(value) else f"${value:,.2f}" if value >= 100 else f"${value:,.4f}"


def spend_label(review: Review) -> str:
    """The total spend, said to be an estimate when the task price was estimated."""
    usage = review.usage
    return usd(usage["total_spend"]) + (" (estimate)" if usage["total_spend_is_estimate"] else "")


def _table(table_id: str, frame: pd.DataFrame, columns: dict[str, tuple[str, object]]) -> str:
    """``columns``: column -> (header, formatter or None for text); numbers right-aligned."""
    if frame.empty:
        return '<p class="note">None.</p>'
    head = "".join(f"<th>{html.escape(header)}</th>" for header, _ in columns.values())
    rows = []
    numeric = {column for column in columns if pd.api.types.is_numeric_dtype(frame[column])}
    for record in frame.to_dict("records"):
        cells = []
        for column, (_, formatter) in columns.items():
            value = record[column]
            shown = html.escape(formatter(value)) if formatter else _text(value)
            cells.append(f'<td class="n">{shown}</td>' if column in numeric else f"<td>{shown}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _count(value) -> str:
    return f"{int(value):,}"


class _Charts:
    """Charts as HTML divs: the plotly.js bundle goes inline with the first one only."""

    def __init__(self) -> None:
        self.drawn = 0

    def __call__(self, figure: go.Figure) -> str:
        figure.update_layout(width=CHART_WIDTH, height=figure.layout.height or CHART_HEIGHT, template="aivis",
                             margin=dict(l=60, r=20, t=50, b=40))
        div = pio.to_html(go.Figure(escape_figure(figure)), full_html=False, include_plotlyjs=not self.drawn,
                          include_mathjax=False, config={"displaylogo": False, "responsive": False},
                          div_id=f"chart-{self.drawn}")
        self.drawn += 1
        return f'<div class="chart">{div}</div>'


def _rate_bars(frame: pd.DataFrame, x: str, rate: str, title: str) -> go.Figure:
    figure = go.Figure()
    for engine, rows in frame.groupby("engine", sort=True, observed=True):
        label = engine_label(engine)
        figure.add_bar(x=rows[x].astype(str).tolist(), y=rows[rate].tolist(), name=label,
                       marker_color=ENGINE_COLORS_BY_LABEL.get(label),
                       error_y=dict(type="data", array=(rows[f"{rate}_ci_high"] - rows[rate]).tolist(),
                                    arrayminus=(rows[rate] - rows[f"{rate}_ci_low"]).tolist()),
                       customdata=rows["answers"].tolist(), hovertemplate="%{x}: %{y:.0%} of %{customdata} answers")
    figure.update_layout(title=title, barmode="group", yaxis_tickformat=".0%", yaxis_range=[0, 1])
    return figure


def _trend_lines(trend: pd.DataFrame) -> go.Figure:
    figure = go.Figure()
    for (engine, name), rows in trend.groupby(["engine", "name"], sort=True, observed=True):
        label = engine_label(engine)
        figure.add_scatter(x=[str(p) for p in rows["period"]], y=rows["mention_rate"].tolist(),
                           name=f"{label}: {name}", mode="lines+markers",
                           line_color=ENGINE_COLORS_BY_LABEL.get(label), customdata=rows["answers"].tolist(),
                           hovertemplate="%{x}: %{y:.0%} of %{customdata} answers")
    figure.update_layout(title="Our mention rate per period", yaxis_tickformat=".0%", yaxis_range=[0, 1])
    return figure


def _domain_bars(domains: pd.DataFrame) -> go.Figure:
    shown = domains.head(15).iloc[::-1]
    figure = go.Figure(go.Bar(x=shown["citations"].tolist(), y=shown["domain"].astype(str).tolist(),
                              orientation="h", marker_color=ROLE_COLORS["other"]))
    figure.update_layout(title="Most cited domains (citations)", height=max(CHART_HEIGHT, 24 * len(shown) + 80))
    return figure


def _scope_html(review: Review) -> str:
    scope = review.scope
    rows = [("Task ids", f"{scope.ids:,}"), ("Completed answers", f"{review.answers:,}"),
            ("Engines", ", ".join(ENGINE_LABELS.get(e, e) for e in scope.engines) or "none"),
            ("Answer dates (UTC)", scope.dates),
            ("Our brands", ", ".join(b.name for b in scope.brands.brands) or "none"),
            ("Competitors", ", ".join(b.name for b in scope.brands.competitors) or "none"),
            *((label, value) for label, value in scope.filters.items()),
            ("Data", "DEMO DATA (illustrative, not a real account)" if scope.demo else "live results"),
            ("Made", scope.made.strftime("%Y-%m-%d %H:%M UTC"))]
    body = "".join(f"<tr><th>{_text(k)}</th><td>{_text(v, 1000)}</td></tr>" for k, v in rows)
    return f'<table id="scope">{body}</table>'


RATE_COLUMNS = {"engine": ("Engine", engine_label), "name": ("Brand", None), "answers": ("Answers", _count),
                "mentioned": ("Named in", _count), "mention_rate": ("Mention rate", percent),
                "visible": ("Visible in", _count), "visibility_rate": ("Visibility", percent),
                "share_of_voice": ("Share of voice", percent)}


def _ours_html(review: Review) -> str:
    ours = review.ours.assign(mention_ci=[interval(lo, hi) for lo, hi in zip(review.ours["mention_rate_ci_low"],
                                                                          review.ours["mention_rate_ci_high"])],
                              visibility_ci=[interval(lo, hi) for lo, hi in
                                             zip(review.ours["visibility_rate_ci_low"],
                                                 review.ours["visibility_rate_ci_high"])],
                              sov_n=[f"{m:,} of {t:,} mentions" for m, t in
                                     zip(review.ours["mentions"], review.ours["mentions_total"])])
    columns = {**{k: v for k, v in RATE_COLUMNS.items() if k not in ("visible", "visibility_rate", "share_of_voice")},
               "mention_ci": ("95% interval", str), "visible": ("Visible in", _count),
               "visibility_rate": ("Visibility", percent), "visibility_ci": ("95% interval", str),
               "share_of_voice": ("Share of voice", percent), "sov_n": ("of", str)}
    return _table("ours", ours, columns)


def _changes_html(found: changes_mod.Changes | None) -> str:
    if found is None:
        return '<p class="note">No dated answers: nothing to compare.</p>'
    before, after = found.periods.labels
    rates = found.rates.assign(before=[f"{percent(r)} of {n}" for r, n in zip(found.rates["rate_before"],
                                                                              found.rates["answers_before"])],
                               after=[f"{percent(r)} of {n}" for r, n in zip(found.rates["rate_after"],
                                                                             found.rates["answers_after"])])
    moved = found.moved
    lines = [f"<p>{_text(after)} against {_text(before)} (UTC). A change is called one only when a two-proportion "
             "test says so (p &lt; 0.05); smaller moves are within noise.</p>"]
    lines.append("<p><strong>" + (f"{len(moved)} mention rate{'s' if len(moved) != 1 else ''} moved."
                                  if len(moved) else "No mention rate moved beyond noise.") + "</strong></p>")
    lines.append(_table("rate-changes", rates, {
        "engine": ("Engine", engine_label), "name": ("Brand", None), "before": ("Before", str),
        "after": ("After", str), "difference": ("Difference", lambda d: "n/a" if pd.isna(d) else f"{d:+.0%}"),
        "p_value": ("p", lambda p: "n/a" if pd.isna(p) else f"{p:.3f}"), "verdict": ("Verdict", str)}))
    lines.append("<h3>Cited domains that appeared or disappeared</h3>")
    lines.append(_table("domain-changes", found.domains, {
        "domain": ("Domain", None), "change": ("Change", str), "citations_before": ("Citations before", _count),
        "citations_after": ("Citations after", _count)}))
    lines.append("<h3>Prompts where our brand was gained or lost</h3>")
    lines.append(_table("prompt-changes", found.prompts, {
        "prompt": ("Prompt", None), "change": ("Change", str), "named_before": ("Named before", _count),
        "answers_before": ("of answers", _count), "named_after": ("Named after", _count),
        "answers_after": ("of answers", _count)}))
    return "".join(lines)


def _health_html(review: Review) -> str:
    shown = {status: n for status, n in review.health.items() if n or status in HEALTH_SHOWN}
    body = "".join(f"<tr><th>{html.escape(status)}</th><td class=\"n\">{n:,}</td></tr>" for status, n in shown.items())
    return f'<table id="health">{body}</table>'


def to_html(review: Review) -> str:
    """The whole review as one self-contained HTML document."""
    chart = _Charts()
    scope, usage = review.scope, review.usage
    demo = ('<div class="demo" id="demo-label">DEMO DATA: a bundled sample of illustrative tasks, not a real '
            "account. Do not read these numbers as results.</div>") if scope.demo else ""
    parts = [
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        f"<title>AI visibility review{' (demo data)' if scope.demo else ''}</title><style>{CSS}</style></head><body>",
        f"<h1>AI visibility review{' · DEMO DATA' if scope.demo else ''}</h1>", demo,
        f'<p class="note">Made {scope.made.strftime("%Y-%m-%d %H:%M UTC")} · {counted(review.answers, "completed answer")}.</p>',
        "<section><h2>Scope</h2>", _scope_html(review), "</section>",
        "<section><h2>Overview: our brand per engine</h2>", _ours_html(review),
        '<p class="note">Rates are over completed answers (pending and failed tasks are in no denominator), with '
        "95% Wilson intervals. Share of voice: our mentions over every tracked brand's mentions.</p>",
    ]
    if len(review.ours):
        parts.append(chart(_rate_bars(review.ours, "engine", "mention_rate", "Our mention rate per engine, 95% intervals")
                           .update_xaxes(ticktext=[engine_label(e) for e in review.ours["engine"]],
                                         tickvals=review.ours["engine"].astype(str).tolist())))
    if len(review.trend):
        parts.append(chart(_trend_lines(review.trend)))
    parts += ["<h3>Capture health</h3>", _health_html(review),
              f"<h3>Spend</h3><p id=\"spend\">{html.escape(spend_label(review))} over {usage['answers']:,} "
              f"completed answers; money spent {usd(usage['money_spent'])} (exact).</p>",
              "</section><section><h2>What changed</h2>", _changes_html(review.changes), "</section>",
              "<section><h2>Brand visibility</h2>", _table("brands", review.brands, RATE_COLUMNS)]
    if len(review.brands):
        parts.append(chart(_rate_bars(review.brands, "name", "mention_rate",
                                      "Mention rate per brand and engine, 95% intervals")))
    parts += ["</section><section><h2>Cited domains</h2>",
              _table("domains", review.domains.head(50), {
                  "domain": ("Domain", None), "citations": ("Citations", _count),
                  "citation_share": ("Share of citations", percent), "answers": ("Answers citing", _count),
                  "answer_share": ("Share of answers", percent)})]
    if len(review.domains):
        parts.append(chart(_domain_bars(review.domains)))
    parts += ["</section><section><h2>Usage</h2>",
              f"<p id=\"usage\">{usage['input_tokens']:,} input, {usage['output_tokens']:,} output and "
              f"{usage['reasoning_tokens']:,} reasoning tokens; spend {html.escape(spend_label(review))}.</p>",
              _table("usage-by-model", review.usage_by_model, {
                  "engine": ("Engine", engine_label), "model": ("Model", None), "answers": ("Answers", _count),
                  "total_tokens": ("Tokens", _count), "spend": ("Spend (USD)", usd),
                  "spend_per_answer": ("Per answer (USD)", usd)}),
              "</section></body></html>"]
    return "\n".join(parts)


def _md(value: object, limit: int = 120) -> str:
    """Untrusted text as one line of markdown text: no link, no HTML, no emphasis."""
    text = " ".join(without_bidi(str(value)).split())
    text = text[:limit] + ("…" if len(text) > limit else "")
    return _MD_SPECIAL.sub(r"\\\1", text)


def to_markdown(review: Review) -> str:
    """A short digest: scope, our brand per engine, what changed, capture health, spend."""
    scope = review.scope
    lines = [f"# AI visibility review{' (DEMO DATA: illustrative, not a real account)' if scope.demo else ''}", "",
             f"{counted(review.answers, 'completed answer')} of {counted(scope.ids, 'task id')} · "
             + ", ".join(ENGINE_LABELS.get(e, e) for e in scope.engines) + f" · {scope.dates} · made "
             + scope.made.strftime("%Y-%m-%d %H:%M UTC"), ""]
    if scope.filters:
        lines += ["Filters: " + "; ".join(f"{_md(k)}: {_md(v)}" for k, v in scope.filters.items()), ""]
    lines.append("## Our brand per engine")
    for row in review.ours.itertuples():
        lines.append(f"- {engine_label(row.engine)}, {_md(row.name)}: mentioned in {percent(row.mention_rate)} "
                     f"({row.mentioned} of {row.answers}; 95% {interval(row.mention_rate_ci_low, row.mention_rate_ci_high)})"
                     f", visible in {percent(row.visibility_rate)}, share of voice {percent(row.share_of_voice)}")
    if review.ours.empty:
        lines.append("- no brand of ours defined")
    lines += ["", "## What changed"]
    found = review.changes
    if found is None:
        lines.append("- no dated answers to compare")
    else:
        before, after = found.periods.labels
        lines.append(f"{after} against {before}:")
        for row in found.moved.itertuples():
            lines.append(f"- {engine_label(row.engine)}, {_md(row.name)}: {row.verdict} from "
                         f"{percent(row.rate_before)} ({counted(row.answers_before, 'answer')}) to {percent(row.rate_after)} "
                         f"({counted(row.answers_after, 'answer')})")
        if found.moved.empty:
            lines.append("- no mention rate moved beyond noise")
        for change in (changes_mod.APPEARED, changes_mod.DISAPPEARED):
            domains = found.domains[found.domains["change"] == change]["domain"].head(5)
            if len(domains):
                lines.append(f"- domains {change}: " + ", ".join(_md(d) for d in domains))
        for change in (changes_mod.GAINED, changes_mod.LOST):
            prompts = found.prompts[found.prompts["change"] == change]["prompt"].head(5)
            if len(prompts):
                lines.append(f"- our brand {change} on: " + "; ".join(_md(p) for p in prompts))
    health = ", ".join(f"{n} {s}" for s, n in review.health.items() if n and s in STATUSES)
    lines += ["", "## Capture and spend", f"- tasks: {health or 'none'}", f"- spend: {spend_label(review)}"]
    top = ", ".join(f"{_md(d)} ({n})" for d, n in zip(review.top_domains["domain"].head(5),
                                                     review.top_domains["citations"].head(5)))
    lines.append(f"- most cited: {top or 'nothing cited'}")
    return "\n".join(lines) + "\n"
