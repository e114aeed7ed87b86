"""Query text made comparable: normalization, stop words and word tokens of any script.

"Best PM tools 2026?" and "best pm tools 2026" must be one query, and a Japanese query must have
words although it has no spaces. Pure string functions: no clustering, no tables beyond mapping a
column, no I/O.
"""
from __future__ import annotations

import re
import unicodedata

import pandas as pd
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_GERMAN_STOP_WORDS = frozenset(
    """
    aber als am an auch auf aus bei bin bis bist da dann das dass dem den der
    des die dies diese diesem diesen dieser dieses du durch ein eine einem
    einen einer eines er es für gibt hat hatte ich ihr im in ist ja kann man
    mit nach nicht noch nur ob oder sein seine sich sie sind so über um und
    uns vom von vor war was welche welcher welches wenn wer werden wie wir wird
    wo zu zum zur zwischen
    """.split()
)
# Words that carry no topic in search queries, on top of sklearn's list (and the pieces
# of domain names, "monday.com" normalizing to "monday com").
_EXTRA_STOP_WORDS = frozenset(
    "does did doing use using used set get make want need way ways like just com www org net io".split()
)
# sklearn's list has a few words that are topics in search queries ("top 10
# crm", "billing system", "video call").
_KEEP_WORDS = frozenset("top bill system interest call fire show".split())
STOP_WORDS = (frozenset(ENGLISH_STOP_WORDS) - _KEEP_WORDS) | _GERMAN_STOP_WORDS | _EXTRA_STOP_WORDS

# Japanese has no spaces between words; splitting where the script changes
# (kanji / katakana / hiragana / anything else) is a cheap, dependency-free
# approximation: "タスク管理アプリの料金" -> タスク, 管理, アプリ, の, 料金. A single
# kanji stays with the katakana after it (口コミ, 新プラン).
_HAN = "\u3005\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_KATA = "\u30a0-\u30ff\u31f0-\u31ff"
_HIRA = "\u3040-\u309f"
_TOKEN = re.compile(
    f"[{_HAN}][{_KATA}]+|[{_HAN}]+|[{_KATA}]+|[{_HIRA}]+|[^\\s{_HAN}{_KATA}{_HIRA}]+"
)
_HIRA_ONLY = re.compile(f"^[{_HIRA}]+$")
_NON_WORD = re.compile(r"[^\w\s]|_")  # whitespace is left to _SPACES: the callback sees only the rest
_SPACES = re.compile(r"\s+")


def _keep_mark(match: re.Match) -> str:
    """A combining mark (Devanagari, Thai vowel signs, ...) belongs to its word; other non-words are spaces."""
    ch = match.group()
    return ch if unicodedata.category(ch).startswith("M") else " "


def normalize_query(q: str) -> str:
    """Normalize a query so near duplicates compare equal.

    NFKC (full-width letters/digits become ASCII, ligatures split), casefold,
    every character that is not a letter, digit or combining mark becomes a
    space (punctuation, symbols, underscores), whitespace collapsed and
    stripped. Letters of every script are kept. Non-strings give ``""``.

    >>> normalize_query("  Best PM tools, 2026?? ")
    'best pm tools 2026'
    """
    if not isinstance(q, str):
        return ""
    s = unicodedata.normalize("NFKC", q).casefold()
    s = _NON_WORD.sub(_keep_mark, s)
    return _SPACES.sub(" ", s).strip()


def normalize_column(col: pd.Series) -> pd.Series:
    """normalize_query over a column, computed once per distinct value (same index; missing -> "")."""
    values = col.to_numpy(dtype=object, na_value=None)
    uniques = pd.unique(values)
    mapping = {v: normalize_query(v) for v in uniques if isinstance(v, str)}
    out = pd.Series(values, index=col.index, dtype=object).map(mapping)
    return out.where(out.notna(), "").astype(object)


def tokenize(text: str) -> list[str]:
    """Words of a normalized query: whitespace- and script-change-separated runs.

    One-character tokens and short hiragana runs (particles such as の, は,
    から) are dropped; stop words are removed by the vectorizer.
    """
    return [
        t
        for t in _TOKEN.findall(text)
        if len(t) >= 2 and not (len(t) < 3 and _HIRA_ONLY.match(t))
    ]
