"""Untrusted text as Streamlit markdown: no raw HTML, no image, only http(s) links, no Streamlit markup.

``safe_markdown`` keeps an answer's own formatting (bold, lists, headings, http(s) links), cut at
``DISPLAY_LIMIT`` characters; ``md_text`` shows any other untrusted string (a tag, an id, a reference,
a model name, an error that quotes one) as plain text; ``md_link`` links a URL only if it is http(s).
Bidi controls are dropped from all three. ``highlight_brands`` colours tracked brand names in markdown
that ``safe_markdown`` already made safe, adding only Streamlit colour directives around plain words. Every pattern here has bounded, possessive repetition, so a
hostile answer costs a bounded amount of work per character (no backtracking): linear time.
"""
from __future__ import annotations

import re
from urllib.parse import quote

from core.domains import safe_link
from core.mentions import BrandMatcher
from core.text import without_bidi

DISPLAY_LIMIT = 60_000  # characters of one text shown; the full text stays in the downloads

_URL_PART = r"[^\s()<>]{1,2048}+|\([^\s()<>]{0,2048}+\)"  # a run of URL characters, or one (...) in it
_LINK = re.compile(r"(!?+)\[([^\[\]\n]{0,1000}+)\]\(\s{0,16}+<?+((?:" + _URL_PART + r"){0,16}+)>?+"
                   r"(?:\s{1,16}+\"[^\"\n]{0,500}+\")?+\s{0,16}+\)")
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]{0,31}+:[^<>\s]{0,4096}+)>")
_DIRECTIVE = re.compile(r":(?=[a-z\-]{1,64}+\[|material/)")
_MARKUP = re.compile(r"[\\`*_\[\]<>$:!|~&#]")  # what starts markup inline (links, images, LaTeX, emphasis)
_BLOCK_START = re.compile(r"^(?:([-+=])|(\d{1,9})([.)]))")  # a list item or a heading rule at the start
_URL_SAFE = ":/?#@!$&'*+,;=%~[]"  # kept as is in a link; whitespace, () <> " \ and the rest %-encoded


def _escape_text(text: str) -> str:
    """Escape what Streamlit markdown would turn into HTML, LaTeX, colour directives, images or links.

    Brackets are escaped too: a link ``_LINK`` could not parse (``[x](data:text/html,...)``) or a
    reference link (``[x][r]`` with ``[r]: javascript:...``) must stay text. A ``!`` needs no escape:
    ``_LINK`` takes a ``!`` before a link as an image (shown as its label), so none precedes a link.
    """
    text = text.replace("\\", "\\\\").replace("<", "\\<").replace(">", "\\>").replace("$", "\\$")
    return _DIRECTIVE.sub("\\:", text).replace("[", "\\[").replace("]", "\\]")


def _href(url: str) -> str:
    """A link destination markdown cannot end early: spaces, newlines and parentheses %-encoded."""
    return quote(url, safe=_URL_SAFE)


def _link(match: re.Match) -> str:
    is_image, label, url = match.group(1), match.group(2), safe_link(match.group(3))
    if is_image or not url:  # images (tracking pixels) and unsafe links become plain text
        return _escape_text(label)
    return f"[{_escape_text(label)}]({_href(url)})"


def _autolink(match: re.Match) -> str:
    return match.group(1) if safe_link(match.group(1)) else ""


def safe_markdown(text: str | None, limit: int = DISPLAY_LIMIT) -> str:
    """Markdown that shows the text as written (its first ``limit`` characters) but runs nothing,
    loads nothing and links only http(s)."""
    if not text:
        return ""
    text = without_bidi(str(text))
    rest = len(text) - limit
    text = _AUTOLINK.sub(_autolink, text[:limit])
    parts, end = [], 0
    for match in _LINK.finditer(text):
        parts += [_escape_text(text[end:match.start()]), _link(match)]
        end = match.end()
    parts.append(_escape_text(text[end:]))
    if rest > 0:
        parts.append(f"\n\n_… {rest:,} more characters not shown._")
    return "".join(parts)


def md_text(value: object, limit: int = 300) -> str:
    """Any untrusted string as inert markdown text: one line, every markup character escaped.

    For tags, ids, references, model names, facets and messages that quote them: nothing in it can
    become a link, an image, LaTeX, a heading or a Streamlit directive. Cut at ``limit`` characters.
    """
    text = " ".join(without_bidi("" if value is None else str(value)).split())
    if len(text) > limit:
        text = text[:limit] + "…"
    text = _MARKUP.sub(lambda m: "\\" + m.group(0), text)
    return _BLOCK_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), text)


def md_link(label: str | None, url: str | None, limit: int = 300) -> str:
    """A markdown link for a safe URL, else the label (one line, cut at ``limit``) as plain text."""
    label = " ".join(without_bidi(label or url or "").split()).replace("[", "(").replace("]", ")")
    label = label[:limit] + "…" if len(label) > limit else label
    url = safe_link(url)
    return f"[{_escape_text(label)}]({_href(url)})" if url else _escape_text(label)


_UNSAFE_IN_DIRECTIVE = re.compile(r"[\\`*_\[\]<>$:!|~&#()]")  # a match holding one is left plain


def highlight_brands(markdown: str, matcher: BrandMatcher, colors: dict[str, str]) -> str:
    """``markdown`` (the output of :func:`safe_markdown`) with each tracked brand's mentions wrapped in
    ``:<color>-background[...]``; ``colors`` maps a brand name to a Streamlit colour name (blue, red, ...).

    Runs after escaping, so the answer's own text can never open a directive: a match is wrapped only
    when it holds no markup character, is outside link targets (the matcher skips them) and outside
    code spans (where a directive would show as text)."""
    parts, end, ticks, counted = [], 0, 0, 0  # backticks before ``counted``: odd inside a code span
    for mention in matcher.find(markdown):
        ticks, counted = ticks + markdown.count("`", counted, mention.start), mention.start
        found = markdown[mention.start:mention.end]
        color = colors.get(mention.name)
        if not color or ticks % 2 or _UNSAFE_IN_DIRECTIVE.search(found):
            continue
        parts += [markdown[end:mention.start], f":{color}-background[{found}]"]
        end = mention.end
    parts.append(markdown[end:])
    return "".join(parts)
