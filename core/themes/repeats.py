"""Does a fan-out query only restate its own prompt, or widen it into a new angle?

A query repeats its prompt when at least 80% of its character trigrams (after normalization and
stop-word removal; works for any script) occur in the prompt: "best pm tools for small teams 2026"
repeats "What are the best PM tools for small teams?", "asana vs trello pricing" widens it.
Row-wise flags over normalized columns; no clustering, no I/O.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.themes.normalize import STOP_WORDS

REPEAT_THRESHOLD = 0.8  # share of the query's trigrams found in the prompt


def _content_trigrams(normalized: str) -> frozenset:
    words = [w for w in normalized.split() if w not in STOP_WORDS]
    text = " ".join(words) if words else normalized
    if not text:
        return frozenset()
    padded = f" {text} "
    if len(padded) < 3:
        return frozenset([padded])
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def repeats_prompt(norm_query: pd.Series, norm_prompt: pd.Series) -> np.ndarray:
    """Row-wise: does the query only restate its prompt? (computed once per distinct pair)"""
    pairs = pd.DataFrame({"q": norm_query.to_numpy(), "p": norm_prompt.to_numpy()})
    uniq = pairs.drop_duplicates(ignore_index=True)
    cache: dict[str, frozenset] = {}

    def grams(s: str) -> frozenset:
        g = cache.get(s)
        if g is None:
            g = cache[s] = _content_trigrams(s)
        return g

    flags = np.zeros(len(uniq), dtype=bool)
    for i, (q, p) in enumerate(zip(uniq["q"].tolist(), uniq["p"].tolist())):
        if not q or not p:
            continue
        if q == p:
            flags[i] = True
            continue
        a = grams(q)
        flags[i] = bool(a) and len(a & grams(p)) / len(a) >= REPEAT_THRESHOLD
    uniq["flag"] = flags
    merged = pairs.merge(uniq, on=["q", "p"], how="left", sort=False)
    return merged["flag"].to_numpy(dtype=bool)
