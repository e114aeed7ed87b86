"""Drawing plotly figures on a page: :func:`plotly_chart` is the one way pages draw a figure.

Every string of the figure is escaped for plotly's pseudo-HTML first (:func:`core.figures.escape_figure`):
a model name or a prompt shown as a label can never make the browser load a remote URL. A figure
escaped once (:func:`cached`) can be kept and drawn again without escaping it again, nor having Streamlit
validate it again (a plotly ``Figure`` is taken as valid; a dict is rebuilt into one on every draw).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import plotly.graph_objects as go
import streamlit as st

from core.figures import escape_figure
from ui import data


@dataclass(frozen=True)
class Escaped:
    """A figure already escaped by :func:`escape_figure`, to keep (``ui.data.memo``) and draw on every rerun:
    the ``Figure`` of the escaped spec, validated once when made (never changed: drawing copies it)."""

    figure: go.Figure


def plotly_chart(figure: go.Figure | Escaped, key: str, container: Any = None, **options: Any) -> None:
    """``st.plotly_chart`` (or ``container.plotly_chart``) of the escaped figure."""
    drawn = figure.figure if isinstance(figure, Escaped) else escape_figure(figure)
    (container or st).plotly_chart(drawn, key=key, **options)


def cached(name: str, key: object, build: Callable[[], go.Figure]) -> Escaped:
    """The figure ``build()`` makes, escaped once and kept (``ui.data.memo``) while ``key`` (what it is drawn
    from) stays the same: building a plotly express figure costs tens of ms on every rerun."""
    return data.memo(f"chart_{name}", key, lambda: Escaped(go.Figure(escape_figure(build()))))
