"""Rendering untrusted LLM text: no raw HTML, only http/https links, no Streamlit markup."""
from __future__ import annotations

import re

from core.domains import safe_link

_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(\s*<?((?:[^()\s>]|\([^()\s]*\))*)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]*)>")
_DIRECTIVE = re.compile(r":(?=[a-z\-]+\[|material/)")


def _escape_text(text: str) -> str:
    """Escape what Streamlit markdown would turn into HTML, LaTeX, colour directives or links.

    Brackets are escaped too: a link ``_LINK`` could not parse (``[x](data:text/html,<script>...)``)
    or a reference link (``[x][r]`` with ``[r]: javascript:...``) must stay text; the safe links
    are put back after this escaping.
    """
    text = text.replace("\\", "\\\\").replace("<", "\\<").replace(">", "\\>").replace("$", "\\$")
    return _DIRECTIVE.sub("\\:", text).replace("[", "\\[").replace("]", "\\]")


def _link(match: re.Match) -> str:
    is_image, label, url = match.group(1), match.group(2), match.group(3)
    url = safe_link(url)
    label = label.replace("[", "(").replace("]", ")")
    if is_image or not url:  # images (tracking pixels) and unsafe links become plain text
        return label
    return f"[{label}]({url.replace(')', '%29').replace(' ', '%20')})"


def safe_markdown(text: str | None) -> str:
    """Markdown that shows the answer as written but runs nothing and links only http(s)."""
    if not text:
        return ""
    placeholders: list[str] = []

    def keep(match: re.Match) -> str:
        placeholders.append(_link(match))
        return f"\x00{len(placeholders) - 1}\x00"

    text = _AUTOLINK.sub(lambda m: m.group(1) if safe_link(m.group(1)) else "", text)
    text = _escape_text(_LINK.sub(keep, text))
    return re.sub(r"\x00(\d+)\x00", lambda m: _escape_link(placeholders[int(m.group(1))]), text)


def _escape_link(link: str) -> str:
    if not link.startswith("["):
        return _escape_text(link)
    label, url = link[1:].split("](", 1)
    return f"[{_escape_text(label)}]({url}"


def md_link(label: str | None, url: str | None) -> str:
    """A markdown link for a safe URL, else the label as plain text."""
    label = _escape_text((label or url or "").replace("[", "(").replace("]", ")"))
    url = safe_link(url)
    return f"[{label}]({url.replace(')', '%29').replace(' ', '%20')})" if url else label
