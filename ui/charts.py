"""Drawing plotly figures on a page: :func:`plotly_chart` is the one way pages draw a figure.

Every string of the figure is escaped for plotly's pseudo-HTML first (:func:`core.figures.escape_figure`):
a model name or a prompt shown as a label can never make the browser load a remote URL.
"""
from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from core.figures import escape_figure


def plotly_chart(figure: go.Figure, key: str, container: Any = None, **options: Any) -> None:
    """``st.plotly_chart`` (or ``container.plotly_chart``) of the escaped figure."""
    (container or st).plotly_chart(escape_figure(figure), key=key, **options)
