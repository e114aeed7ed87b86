"""Plotly figures whose labels come from replies, made safe to show: every string escaped for plotly's pseudo-HTML.

Plotly renders ``<a href>``, ``<span style>`` and entities in trace names, categories, tick labels,
hover text, titles and annotations, so a model name or a prompt could make the browser load a remote
URL. :func:`escape_figure` escapes ``&`` and ``<`` (and drops bidi controls) in every string of the
figure, data and layout, except the templates the app itself wrote (``hovertemplate``,
``texttemplate``, the layout's theme), whose ``%{...}`` slots are filled with the escaped values. It
never changes numbers, colours' meaning or the figure's shape. The pages draw through
``ui.charts.plotly_chart``, the HTML report through :mod:`core.report`; both use this. No Streamlit.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.text import without_bidi

_OWN_KEYS = ("template", "hovertemplate", "texttemplate", "hovertemplatefallback", "texttemplatefallback")


def escape_label(text: str) -> str:
    """A string plotly shows as written: ``&`` and ``<`` as entities, no bidi controls."""
    return without_bidi(text).replace("&", "&amp;").replace("<", "&lt;")


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return escape_label(value)
    if isinstance(value, dict):
        return {key: item if key in _OWN_KEYS else _escaped(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_escaped(item) for item in value]
    if isinstance(value, np.ndarray) and value.dtype.kind in "OUS":
        return np.vectorize(_escaped, otypes=[object])(value) if value.size else value
    return value


def escape_figure(figure: go.Figure) -> dict:
    """The figure as a dict with every string escaped (see the module docstring)."""
    return _escaped(figure.to_dict())
