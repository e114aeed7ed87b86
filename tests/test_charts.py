"""core.figures: every string a figure shows reaches plotly with ``&`` and ``<`` escaped; numbers untouched."""
from __future__ import annotations

import pandas as pd
import plotly.express as px

from tests.page_values import values
from core.figures import escape_figure, escape_label

SPAN = '<span style="fill:url(http://evil.example/x)">m</span>'
LINK = '<a href="http://evil.example/">AT&T</a>'


def _figure():
    frame = pd.DataFrame({"model": [SPAN, LINK], "tokens": [3, 4], "prompt": [LINK, "\u202eplain"]})
    figure = px.bar(frame, x="model", y="tokens", color="model", hover_data={"prompt": True},
                    title=f"Tokens of {SPAN}")
    figure.update_xaxes(ticktext=[SPAN, LINK], tickvals=[SPAN, LINK], categoryarray=[SPAN, LINK])
    figure.add_annotation(text=LINK, x=0, y=0)
    return figure


def test_every_shown_string_is_escaped():
    spec = escape_figure(_figure())
    traces = spec["data"]
    assert [list(t["x"]) for t in traces] == [[escape_label(SPAN)], [escape_label(LINK)]]
    assert [t["name"] for t in traces] == [escape_label(SPAN), escape_label(LINK)]
    assert [list(t["customdata"][0]) for t in traces] == [[escape_label(LINK)], ["plain"]]
    layout = spec["layout"]
    assert layout["title"]["text"] == f"Tokens of {escape_label(SPAN)}"
    assert layout["xaxis"]["ticktext"] == layout["xaxis"]["tickvals"] == [escape_label(SPAN), escape_label(LINK)]
    assert layout["xaxis"]["categoryarray"] == [escape_label(SPAN), escape_label(LINK)]
    assert layout["annotations"][0]["text"] == "&lt;a href=\"http://evil.example/\">AT&amp;T&lt;/a>"
    assert [values(t["y"]) for t in traces] == [[3], [4]]  # numbers untouched
    assert "<br>" in traces[0]["hovertemplate"]  # the app's own template keeps its line break


def test_escape_label():
    assert escape_label("a < b & c\u202e") == "a &lt; b &amp; c"
