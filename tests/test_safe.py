"""Untrusted LLM text: no HTML, no script or data links, no Streamlit markup; http(s) links kept."""
from __future__ import annotations

import re

import pytest

from ui.safe import DISPLAY_LIMIT, md_link, md_text, safe_markdown

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
    assert links(out) == ["https://www.g2.com/a_%28b%29"]
    assert "https://capterra.com/x" in out and "\\<b\\>" in out


def test_md_link_only_links_http_and_escapes_its_label():
    assert md_link("Asana [pricing]", "https://asana.com/pricing") == "[Asana (pricing)](https://asana.com/pricing)"
    assert md_link("Bad", "javascript:alert(1)") == "Bad"
    assert md_link(None, None) == ""


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@pytest.mark.parametrize("text", [
    "[](" + "\n" * 256_000, "[](x" * 64_000, "<a:" * 85_000, "![a](" * 51_000, "[" * 256_000,
    '[x](http://a "' * 18_000, "[](a(b" * 42_000,
])
def test_hostile_shapes_render_in_one_pass(text):
    """These shapes made the old link pattern backtrack (64k characters of the first took 13 s);
    at 256k characters a quadratic pattern would not finish. Nothing in them becomes a link."""
    out = safe_markdown(text, limit=len(text))
    assert links(out) == []
    assert "[" not in out.replace("\\[", "")


def test_long_text_is_cut_for_display_with_a_note():
    text = "word " * 20_000
    out = safe_markdown(text)
    assert out.startswith("word word") and f"{len(text) - DISPLAY_LIMIT:,} more characters not shown" in out
    assert len(out) < DISPLAY_LIMIT + 200


def test_a_link_with_newlines_cannot_smuggle_an_image():
    url = "https://example.com/a\n![t](http://evil.example/p.png)"
    assert re.fullmatch(r"\[Title\]\([^\s()<>]*\)", md_link("Title", url))  # one destination, one line
    out = safe_markdown(f"[Title]({url})")
    assert links(out) == [] and "![" not in out.replace("\\!", "")


def test_bidi_controls_are_dropped_everywhere():
    text = f"moc.elppa{BIDI}x"
    assert safe_markdown(text) == "moc.elppax"
    assert md_text(text) == "moc.elppax"
    assert md_link(text, "https://a.example") == "[moc.elppax](https://a.example)"


@pytest.mark.parametrize("value", ["![t](http://evil.example/x.png)", "$t$", ":red[x]", ":material/home:",
                                   "<img src=x>", "# big\n\n---", "`code`", "**bold**", "[x](https://a.b)"])
def test_md_text_is_plain_text(value):
    out = md_text(value)
    assert links(out) == [] and "\n" not in out
    unescaped = re.sub(r"\\.", "", out)  # what is left once every escaped character is taken out
    assert not re.search(r"[!\[\]<>$:`*#]", unescaped) and not unescaped.startswith(("-", "#")), out


def test_md_text_cuts_long_values():
    assert md_text("a" * 1000, limit=10) == "a" * 10 + "…"
    assert md_text(None) == ""
