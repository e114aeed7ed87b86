"""One look for every chart, on the pages and in the HTML report: a plotly template and a stable colour per domain, model and engine."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from core.model import ENGINE_LABELS, engine_label

PALETTE = ["#2563eb", "#f97316", "#10b981", "#e11d48", "#8b5cf6", "#eab308", "#06b6d4",
           "#db2777", "#65a30d", "#78716c", "#0ea5e9", "#a855f7"]
ENGINE_COLORS = {"gemini": "#2563eb", "chat_gpt": "#10b981", "claude": "#8b5cf6"}  # never a token kind's colour
ENGINE_COLORS_BY_LABEL = {**{ENGINE_LABELS[e]: c for e, c in ENGINE_COLORS.items()}, "all engines": "#475569"}
ROLE_COLORS = {"brand": "#2563eb", "competitor": "#e11d48", "other": "#a8a29e"}
ROLE_MARKDOWN_COLORS = {"brand": "blue", "competitor": "red"}  # the same hues as Streamlit markdown colours
TOKEN_COLORS = {"input_tokens": "#93c5fd", "output_tokens": "#2563eb", "reasoning_tokens": "#f97316"}

# One merged template (plotly_white plus ours): a "a+b" default is merged again on every figure,
# which doubled the cost of each chart.
_template = go.layout.Template(pio.templates["plotly_white"])
_template.update(layout=go.Layout(
    font=dict(family="Inter, system-ui, sans-serif", size=13),
    colorway=PALETTE, margin=dict(l=10, r=10, t=40, b=10),
    hoverlabel=dict(font_size=12), legend=dict(orientation="h", y=-0.2),
    xaxis=dict(gridcolor="#eee"), yaxis=dict(gridcolor="#eee"),
))
pio.templates["aivis"] = _template
pio.templates.default = "aivis"


def color_map(values, palette: list[str] = PALETTE) -> dict[str, str]:
    """A colour per value, stable for the same set of values (sorted, then the palette in turn)."""
    return {value: palette[i % len(palette)] for i, value in enumerate(sorted(set(map(str, values))))}


OTHER_COLORS = [c for c in PALETTE if c != ROLE_COLORS["brand"]]  # competitors never wear the brand's blue


def with_engine_labels(frame: pd.DataFrame, column: str = "engine") -> pd.DataFrame:
    """``frame`` with its engine column as people read it (Gemini, ChatGPT, Claude), for legends and tables;
    colour such a column with :data:`ENGINE_COLORS_BY_LABEL`."""
    if column not in frame.columns:
        return frame
    return frame.assign(**{column: frame[column].map(engine_label, na_action="ignore")})
