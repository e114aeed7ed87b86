"""Theme labels: the few terms that set a theme apart from the others ("pricing · free plan").

Each theme is labelled with 2-3 word terms whose mean TF-IDF inside the theme most exceeds their
mean in the other themes (distinctive, not just frequent) and that occur in at least two of its
distinct queries. A bigram is used only when it is a phrase ("free plan": it carries at least half
the score of each of its words, unlike "migrate asana") and then absorbs its words; a third term
must score at least 30% of the first; bare numbers (years) are skipped. If no word term qualifies
(e.g. Chinese without spaces) character n-grams are used instead; a theme of one single-character
query is labelled with that query. Two themes never share a label: a repeated one gets " (2)",
" (3)", ... appended. Reads the vectors and clusters it is given; never clusters nor counts rows.
"""
from __future__ import annotations

import re
from typing import Iterable

import numpy as np
import scipy.sparse as sp

from core.themes.cluster import Vectors

LABEL_TERMS = 3
LABEL_MIN_RELATIVE = 0.3  # a 3rd label term needs >= 30% of the best term's score
LABEL_SEPARATOR = " · "

_DIGITS = re.compile(r"^\d+$")


def _shifted(a: str, b: str) -> bool:
    """Do two char n-grams overlap as one shifted by a character ("理软件价", "软件价格")?"""
    return len(a) > 2 and len(b) > 2 and (a[1:] in b or a[:-1] in b or b[1:] in a or b[:-1] in a)


def _pick_terms(
    order: Iterable[int],
    terms: np.ndarray,
    score: np.ndarray,
    support: np.ndarray,
    min_support: float,
    as_words: bool,
    term_index: dict[str, int] | None = None,
) -> list[str]:
    """Best-scoring terms of one theme, without repeating themselves.

    Words: a bigram is only used when it carries at least half the score of
    each of its words (a phrase such as "free plan", not "migrate asana"); a
    term adding no new word to the chosen ones is skipped and a bigram
    replaces the chosen unigrams it contains (merging them into one phrase).
    Char n-grams: the same with substring containment; an n-gram that is a
    chosen one shifted by a character ("理软件价" after "软件价格") is skipped.
    """

    def parts(t: str) -> set[str]:
        return set(t.split()) if as_words else {t}

    def contains(big: str, small: str) -> bool:
        return parts(small) <= parts(big) if as_words else small in big

    chosen: list[str] = []
    top_score = None
    for j in order:
        if score[j] <= 0 or len(chosen) >= LABEL_TERMS:
            break
        if len(chosen) >= 2 and score[j] < LABEL_MIN_RELATIVE * top_score:
            break  # a weak third term adds noise, not meaning
        if support[j] < min_support:
            continue
        term = str(terms[j]).strip()
        if as_words:
            words = term.split()
            if _DIGITS.match(term):
                continue  # years and other bare numbers make poor labels
            if len(words) > 1 and term_index is not None:
                word_scores = [score[term_index[w]] for w in words if w in term_index]
                if word_scores and score[j] < 0.5 * max(word_scores):
                    continue
        elif len(term) < 2 or " " in term:
            continue
        absorbed = [i for i, c in enumerate(chosen) if contains(term, c)]
        if as_words:
            covered = set().union(*(parts(c) for c in chosen)) if chosen else set()
            merged = set().union(*(parts(chosen[i]) for i in absorbed)) if absorbed else set()
            # Skip a term that adds no word, unless it is the phrase joining
            # chosen unigrams ("api" + "integrations" -> "api integrations").
            if parts(term) <= covered and merged != parts(term):
                continue
        elif not absorbed and any(term in c or _shifted(term, c) for c in chosen):
            continue  # contained in, or a one-character shift of, a chosen n-gram
        elif absorbed:  # a longer n-gram replaces its parts and their shifts
            keep = [c for i, c in enumerate(chosen) if i in absorbed or not _shifted(term, c)]
            absorbed = [keep.index(chosen[i]) for i in absorbed]
            chosen = keep
        if absorbed:
            chosen[absorbed[0]] = term
            chosen = [c for i, c in enumerate(chosen) if i not in absorbed[1:]]
        else:
            chosen.append(term)
        if top_score is None:
            top_score = score[j]
    return chosen


def _distinctive_terms(
    labels: np.ndarray, k: int, X: sp.csr_matrix, terms: np.ndarray, as_words: bool
) -> list[list[str]]:
    """Per cluster, the terms whose mean TF-IDF inside it most exceeds their mean in the other clusters."""
    n = X.shape[0]
    out: list[list[str]] = [[] for _ in range(k)]
    if X.shape[1] == 0:
        return out
    M = sp.csr_matrix(
        (np.ones(n, dtype=np.float32), (labels, np.arange(n))), shape=(k, n)
    )
    sizes = np.asarray(M.sum(axis=1)).ravel()
    sums = np.asarray((M @ X).todense(), dtype=np.float64)
    support = np.asarray((M @ (X > 0).astype(np.float32)).todense())
    total = sums.sum(axis=0)
    term_index = {str(t): i for i, t in enumerate(terms)} if as_words else None
    for c in range(k):
        size = sizes[c]
        if size == 0:
            continue
        mean_in = sums[c] / size
        rest = n - size
        score = mean_in - (total - sums[c]) / rest if rest > 0 else mean_in
        min_support = 2 if size >= 2 else 1
        top = np.argsort(-score, kind="stable")[:200]
        out[c] = _pick_terms(top, terms, score, support[c], min_support, as_words, term_index)
    return out


def theme_labels(labels: np.ndarray, vectors: Vectors, texts: list[str]) -> list[str]:
    """A label per cluster id (``labels``: one id per text, 0..k-1): word terms, else char n-grams, else a text."""
    k = int(labels.max()) + 1
    word_terms = _distinctive_terms(labels, k, vectors.words, vectors.word_terms, as_words=True)
    char_terms = None  # computed only when a cluster has no word term
    label_text: list[str] = []
    for c in range(k):
        terms = word_terms[c]
        if not terms:
            if char_terms is None:
                char_terms = _distinctive_terms(labels, k, vectors.chars, vectors.char_terms, as_words=False)
            terms = char_terms[c]
        if not terms:  # e.g. a theme of one single-character query
            terms = [texts[int(np.flatnonzero(labels == c)[0])]]
        label_text.append(LABEL_SEPARATOR.join(terms))
    return label_text


def unique_labels(labels: list[str]) -> list[str]:
    """Disambiguate identical labels of different themes: "x", "x (2)", ..."""
    seen: dict[str, int] = {}
    out = []
    for lab in labels:
        seen[lab] = seen.get(lab, 0) + 1
        out.append(lab if seen[lab] == 1 else f"{lab} ({seen[lab]})")
    return out
