"""An independent, slow reference of the mention rule, for tests to derive expected values from.

Written from the rule's words, not from core.mentions: every occurrence of an alias in the
lower-cased text, kept when no letter or digit of a script written with spaces touches it,
leftmost first and the longest at a position; a markdown link's target is not read.
"""
from __future__ import annotations

import unicodedata

UNSPACED_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN",
                    "HALFWIDTH KATAKANA", "IDEOGRAPHIC")


def glues(ch: str) -> bool:
    return ch.isalnum() and not unicodedata.name(ch, "").startswith(UNSPACED_SCRIPTS)


def without_link_targets(text: str) -> str:
    out, i = list(text), text.find("](")
    while i >= 0:
        close = text.find(")", i + 2)
        target = text[i + 2:close] if close >= 0 else ""
        if close >= 0 and not any(c.isspace() or c == "(" for c in target):
            out[i + 2:close] = " " * len(target)
        i = text.find("](", i + 2)
    return "".join(out)


def reference_mentions(text: str, aliases: dict[str, str]) -> list[tuple[int, str]]:
    """``(offset, brand name)`` of every mention; ``aliases`` maps each alias to its brand."""
    low = without_link_targets(text).lower()
    candidates = []
    for alias, name in aliases.items():
        needle = alias.lower()
        i = low.find(needle)
        while i >= 0:
            j = i + len(needle)
            if not (i > 0 and glues(low[i - 1])) and not (j < len(low) and glues(low[j])):
                candidates.append((i, -len(needle), name, j))
            i = low.find(needle, i + 1)
    found, position = [], 0
    for start, _, name, end in sorted(candidates):
        if start >= position:
            found.append((start, name))
            position = end
    return found


def alias_map(brands_file: dict) -> dict[str, str]:
    """alias -> brand name from a brands-file dict (the name is an alias too)."""
    return {alias: entry["name"] for key in ("brands", "competitors") for entry in brands_file.get(key, [])
            for alias in [entry["name"], *entry.get("aliases", [])]}
