"""Which tracked brands an answer names, how often, where first, and whether it cites them.

Only the answer's message text counts (the ``answers`` table's ``text``), never the reasoning
summary. A mention is an alias in any letter case, as a whole word or phrase: "Acme's" and
"ACME" are Acme, "Acmeville" is not. A letter or digit of a script written with spaces
(Latin, Cyrillic, ...) next to the alias blocks it; a character of a script written without
spaces (Chinese, Japanese, Thai, ... and Korean, whose particles attach to names) does not,
so "我们推荐Acme和Globex" names both. Markdown bold, list items and link text are plain text
here; a link's target (``](https://...)``) is not read. Where aliases of two brands overlap
("monday.com" and "Monday", "Notion AI" and "Notion"), the longest match wins and is counted
once. One compiled pattern per brand set. Pure functions: no I/O.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import cached_property
from typing import NamedTuple

import pandas as pd

from core import metrics
from core.brands import BrandSet

# Scripts written without spaces between words: Thai, Lao, Tibetan, Myanmar, Khmer, Hangul Jamo,
# CJK punctuation, Hiragana, Katakana, Hangul syllables, CJK ideographs (with extensions and
# compatibility forms), halfwidth Katakana.
UNSPACED = ("\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u3000-\u30ff\u3130-\u318f"
            "\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f"
            "\U00020000-\U0003134f")
_BLOCKS = re.compile(rf"(?![{UNSPACED}])[^\W_]")  # a character that glues onto a word next to it
_GLUED = re.compile(rf"{_BLOCKS.pattern}+")  # text no mention can start inside
_LINK_TARGET = re.compile(r"\]\(([^()\s]*)\)")
# ".", "!" or "?" before a space (not the "2. " of a numbered list), "。！？" or a new line; it opens
# with one character class so the engine skips ahead in C.
_SENTENCE_END = re.compile(r"[.!?。！？\n](?:(?<=[.!?])(?<!\d\.)(?=\s)|(?<=[。！？\n]))")
SNIPPET_CHARS, MIN_SNIPPET_CHARS = 200, 60
MENTION_COLUMNS = ["task_id", "engine", "name", "role", "count", "first_offset", "rank", "snippet"]
PRESENCE_COLUMNS = ["task_id", "engine", "model", "prompt", "datetime", "name", "role", "named", "count",
                    "first_offset", "rank", "cited", "visible"]


def _trie_pattern(words: list[str]) -> str:
    """An alternation of ``words`` factored by common prefixes, longest first at every branch,
    so the engine tries one branch per character instead of every alias at every position."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [(r"[^\S\r\n]+" if ch == " " else re.escape(ch)) + build(child)
                    for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body  # greedy: the longer alias first
    return build(trie)


class Mention(NamedTuple):
    start: int
    end: int
    name: str


class BrandMatcher:
    """One compiled pattern for every alias of a BrandSet, and the alias -> brand mapping."""

    def __init__(self, brands: BrandSet):
        self.brands = brands
        self.owner = {alias.lower(): brand.name for brand in brands.all for alias in brand.aliases}
        aliases = sorted(self.owner, key=len, reverse=True)
        pattern = _trie_pattern(aliases) if aliases else r"(?!)"
        self.pattern = re.compile(rf"{pattern}(?!{_BLOCKS.pattern})")  # matched on lower-cased text
        self.ignorecase = re.compile(rf"{pattern}(?!{_BLOCKS.pattern})", re.IGNORECASE)

    def find(self, text: str) -> list[Mention]:
        """Every mention in ``text`` in order, each counted once (the longest alias wins)."""
        if not isinstance(text, str) or not text or not self.owner:
            return []
        if "](" in text:  # link targets are not read: blanked, so offsets stay the text's own
            text = _LINK_TARGET.sub(lambda m: "](" + " " * len(m.group(1)) + ")", text)
        lowered = text.lower()
        pattern = self.pattern
        if len(lowered) != len(text):  # a few letters grow when lower-cased (İ): keep the offsets
            lowered, pattern = text, self.ignorecase
        found, position = [], 0
        while position is not None:
            resume, position = position, None
            for match in pattern.finditer(lowered, resume):
                start, key = match.start(), match.group()
                if start and lowered[start - 1].isalnum() and _BLOCKS.match(lowered, start - 1):  # glued on
                    if not _GLUED.fullmatch(key):  # another alias may start inside it
                        position = start + 1
                        break
                    continue
                name = self.owner.get(key) or self.owner[" ".join(key.lower().split())]
                found.append(Mention(start, match.end(), name))
        return found

    def names_in(self, text: str) -> list[str]:
        """The brands ``text`` names, in order of first mention."""
        return list(dict.fromkeys(m.name for m in self.find(text)))

    @cached_property
    def roles(self) -> dict[str, str]:
        return {brand.name: brand.role for brand in self.brands.all}


def sentence_ends(text: str) -> list[int]:
    """Where each sentence (or line) of ``text`` ends, in order."""
    return [m.end() for m in _SENTENCE_END.finditer(text)]


def snippet(text: str, start: int, end: int, limit: int = SNIPPET_CHARS, ends: list[int] | None = None) -> str:
    """The sentence around ``text[start:end]`` on one line, widened by the next sentences while
    it is shorter than ``MIN_SNIPPET_CHARS`` (a bare "**2. Acme**" heading), cut to about
    ``limit`` characters around the mention (with "…" where cut). ``ends``: the text's
    ``sentence_ends``, when computed already."""
    ends = sentence_ends(text) if ends is None else ends
    first = bisect_right(ends, start)
    left = ends[first - 1] if first else 0
    after = bisect_right(ends, end)
    right = ends[after] if after < len(ends) else len(text)
    while right - left < MIN_SNIPPET_CHARS and after + 1 < len(ends):
        after += 1
        right = ends[after]
    if right - left < MIN_SNIPPET_CHARS:
        right = len(text)
    if right - left > limit:
        cut_left = max(left, start - max(limit - (end - start), 0) // 2)
        cut_right = min(right, max(end, cut_left + limit))
        return ("…" if cut_left > left else "") + " ".join(text[cut_left:cut_right].split()) + \
            ("…" if cut_right < right else "")
    return " ".join(text[left:right].split())


def mentions_table(answers: pd.DataFrame, brands: BrandSet, snippets: bool = True) -> pd.DataFrame:
    """One row per answer and brand it names: ``count`` of mentions, ``first_offset`` (in the
    answer's ``text``), ``rank`` (1 = named first among the tracked brands it names) and
    ``snippet``, the sentence around the first mention (``snippets=False`` leaves it empty, for
    :func:`add_snippets` to fill on the rows a person reads: it costs as much as the scan)."""
    matcher = BrandMatcher(brands)
    rows = []
    for task_id, engine, text in zip(answers["task_id"], answers["engine"], answers["text"]):
        firsts: dict[str, Mention] = {}
        counts: dict[str, int] = {}
        for mention in matcher.find(text):
            firsts.setdefault(mention.name, mention)
            counts[mention.name] = counts.get(mention.name, 0) + 1
        ends = sentence_ends(text) if firsts and snippets else []
        for rank, (name, first) in enumerate(firsts.items(), 1):
            rows.append((task_id, engine, name, matcher.roles[name], counts[name], first.start, rank,
                         snippet(text, first.start, first.end, ends=ends) if snippets else "", first.end))
    table = pd.DataFrame.from_records(rows, columns=[*MENTION_COLUMNS, "first_end"])
    table["engine"] = table["engine"].astype(object)
    return table.drop(columns="first_end") if snippets else table


def add_snippets(mentions: pd.DataFrame, answers: pd.DataFrame) -> pd.DataFrame:
    """``mentions`` (from ``mentions_table(..., snippets=False)``) with each first mention's sentence."""
    texts = dict(zip(answers["task_id"], answers["text"]))
    ends: dict[str, list[int]] = {}
    shown = [snippet(texts[t], start, end, ends=ends.get(t) or ends.setdefault(t, sentence_ends(texts[t])))
             for t, start, end in zip(mentions["task_id"], mentions["first_offset"], mentions["first_end"])]
    return mentions.assign(snippet=shown)[MENTION_COLUMNS]


def cited_brands(citations: pd.DataFrame, brands: BrandSet, by: str = "domain") -> pd.DataFrame:
    """``(task_id, name)`` for each answer citing a brand's domain (or a subdomain), by the rule
    of ``metrics.tracked_name``; a domain two brands list counts for the first (ours first)."""
    owner: dict[str, str] = {}
    for brand in brands.all:
        for domain in brand.domains:
            owner.setdefault(domain, brand.name)
    if not owner or citations.empty:
        return pd.DataFrame(columns=["task_id", "name"])
    domain = metrics.tracked(citations, list(owner), by)
    cited = pd.DataFrame({"task_id": citations["task_id"].to_numpy(), "name": domain.map(owner).to_numpy()})
    return cited.dropna().drop_duplicates(ignore_index=True)


def brand_presence(answers: pd.DataFrame, citations: pd.DataFrame, brands: BrandSet,
                   mentions: pd.DataFrame | None = None, by: str = "domain") -> pd.DataFrame:
    """One row per completed answer and tracked brand (``PRESENCE_COLUMNS``): named (with count,
    first_offset, rank; 0/NaN when not named), cited, and visible (named or cited). The base of
    every visibility metric: its rows are the denominators."""
    if mentions is None:
        mentions = mentions_table(answers, brands)
    context = answers[["task_id", "engine", "model", "prompt", "datetime"]].copy()
    for column in ("engine", "model"):
        context[column] = context[column].astype(object)
    names = pd.DataFrame({"name": brands.names(), "role": [b.role for b in brands.all]})
    grid = context.merge(names, how="cross")
    grid = grid.merge(mentions[["task_id", "name", "count", "first_offset", "rank"]], on=["task_id", "name"],
                      how="left")
    grid["count"] = grid["count"].fillna(0).astype(int)
    grid["named"] = grid["count"] > 0
    cited = cited_brands(citations, brands, by).assign(cited=True)
    grid = grid.merge(cited, on=["task_id", "name"], how="left")
    grid["cited"] = grid["cited"].astype("boolean").fillna(False).astype(bool)
    grid["visible"] = grid["named"] | grid["cited"]
    return grid[PRESENCE_COLUMNS]
