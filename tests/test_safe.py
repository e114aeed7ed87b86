"""Untrusted LLM text: no HTML, no script or data links, no Streamlit markup; http(s) links kept."""
from __future__ import annotations

import re

import pytest

from ui.safe import md_link, safe_markdown

LINK = re.compile(r"(?<!\\)\[([^\]]*)(?<!\\)\]\(([^)]*(?:\([^)]*\))?[^)]*)\)")


def links(markdown: str) -> list[str]:
    return [url for _, url in LINK.findall(markdown)]


@pytest.mark.parametrize("text", [
    "[x](javascript:alert(1))", "[x]( JavaScript:alert(1) )", "[x](data:text/html,<script>alert(1)</script>)",
    "![pixel](https://tracker.example/p.png)", "[x][r]\n\n[r]: javascript:alert(1)", "<javascript:alert(1)>",
    "[x](vbscript:msgbox)", "[x](//evil.example/path)",
])
def test_no_unsafe_link_survives(text):
    assert links(safe_markdown(text)) == []


def test_html_is_shown_as_text_and_streamlit_markup_is_inert():
    out = safe_markdown('<script>alert(1)</script> <img src=x onerror=alert(1)> costs $5 and $6 :red[alert] :material/home:')
    assert "<script" not in out.replace("\\<script", "") and "\\<img" in out
    assert "\\$5" in out and "\\$6" in out
    assert "\\:red" in out and "\\:material" in out


def test_http_links_are_kept_clickable_with_their_labels():
    out = safe_markdown("See [G2 <b>reviews</b>](https://www.g2.com/a_(b)) and <https://capterra.com/x>.")
    assert links(out) == ["https://www.g2.com/a_(b%29"]
    assert "https://capterra.com/x" in out and "\\<b\\>" in out


def test_md_link_only_links_http_and_escapes_its_label():
    assert md_link("Asana [pricing]", "https://asana.com/pricing") == "[Asana (pricing)](https://asana.com/pricing)"
    assert md_link("Bad", "javascript:alert(1)") == "Bad"
    assert md_link(None, None) == ""
