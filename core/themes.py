"""Group fan-out queries into themes: what does the AI research around a market?

Fan-out queries are the web searches an LLM ran while answering a prompt. A
run of a few hundred prompts easily produces thousands of such strings, most
of them small variations of each other. This module turns them into a short
list of *themes* (e.g. "pricing · free plan", "slack · integration",
"reviews · complaints") with counts, so a marketing team sees which topics
the AI looks into, how often, for how many prompts/models/engines, and which
domains end up cited in those answers.

What a user sees
----------------
``find_themes`` returns two tables:

* ``themes`` -- one row per theme, largest first (theme 0 has the most query
  rows), with a short label made of its most *distinctive* terms and how many
  query rows, distinct queries, tasks, prompts, models and engines it covers,
  plus the most cited domains of the answers those queries fed.
* ``assignments`` -- every input row with its normalized query, its theme and
  whether the query merely repeats the prompt (``repeats_prompt``) or widens
  it into a new angle.

Method (and why)
----------------
1. **Normalize** (``normalize_query``): NFKC, casefold, every character that
   is not a letter/digit/combining mark becomes a space, whitespace is
   collapsed. "Best PM tools 2026?" and "best pm tools 2026" become the same
   string. Letters of any script (CJK, kana, umlauts, ...) are kept.
2. **Deduplicate**: the same query is asked again and again, so only the
   distinct normalized strings are clustered (sorted, so the input row order
   does not matter) and the result is mapped back to the rows. 100k rows with
   30k distinct strings cost as much as 30k.
3. **Vectorize** with two TF-IDF blocks, stacked side by side:
   word unigrams+bigrams (topic words, English and German stop words
   removed) and character n-grams within word boundaries (``char_wb`` 2-4),
   which match spelling variants, plurals, German compounds and Japanese or
   Chinese text without needing a tokenizer.
4. **Reduce** with TruncatedSVD (up to 64 dimensions, float32) and L2-normalize,
   so that Euclidean k-means behaves like clustering by cosine similarity and
   synonyms that co-occur land close together.
5. **Cluster** with k-means. The number of themes is chosen by the mean
   silhouette for k = 2 .. min(max_themes or 30, sqrt(#distinct queries)),
   computed on a fixed random sample of at most 2,000 distinct queries; the
   winning centroids then seed one k-means pass over all distinct queries.
   ``n_init`` and ``random_state`` are fixed: the same input gives the same
   themes.
6. **Label** each theme with up to 3 word terms whose mean TF-IDF inside the
   theme most exceeds their mean in the other themes (distinctive, not just
   frequent) and that occur in at least two of its distinct queries; a
   bigram absorbs its own unigrams. If no word term qualifies (typically
   CJK written without spaces) character n-grams are used instead.

Small inputs: with fewer than 4 distinct queries there is nothing to
cluster, so everything is one theme (theme 0). Rows whose query is empty or
missing (nothing left after normalization) get theme ``-1`` and label
``"(empty)"`` and are not counted in ``themes``.

``repeats_prompt`` is True when the query nearly repeats its own task's prompt:
Jaccard similarity >= 0.6 between the sets of character trigrams of both texts
after normalization and stop-word removal (works for any script). A query
that adds a new angle ("... pricing comparison") falls under the threshold.

``top_domains`` ranks domains by the number of distinct tasks of the theme
whose answer cited them (a task counts once per domain, however often it
cited it); a task whose queries fall into several themes counts for each.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize

__all__ = [
    "Themes",
    "THEME_COLUMNS",
    "ASSIGNMENT_COLUMNS",
    "EMPTY_THEME",
    "normalize_query",
    "find_themes",
]

#: Columns of ``Themes.themes``.
THEME_COLUMNS = [
    "theme",
    "label",
    "queries",
    "unique_queries",
    "tasks",
    "prompts",
    "models",
    "engines",
    "top_domains",
]
#: Columns added to the input rows in ``Themes.assignments``.
ASSIGNMENT_COLUMNS = ["normalized", "theme", "label", "repeats_prompt"]
#: Theme id of rows whose query is empty after normalization.
EMPTY_THEME = -1
EMPTY_LABEL = "(empty)"
LABEL_SEPARATOR = " · "

MIN_UNIQUE_TO_CLUSTER = 4  # fewer distinct queries -> one theme
DEFAULT_MAX_THEMES = 30
SVD_COMPONENTS = 64
SILHOUETTE_SAMPLE = 2000
SEARCH_N_INIT = 3
LABEL_TERMS = 3
TOP_DOMAINS = 5
REPEAT_THRESHOLD = 0.6
CHAR_WEIGHT = 1.0  # weight of the char n-gram block relative to the word block

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
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | _GERMAN_STOP_WORDS

_TOKEN_PATTERN = r"(?u)\b\w\w+\b"
_NON_WORD = re.compile(r"[\W_]")
_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"^\d+$")


@dataclass(frozen=True)
class Themes:
    """Result of :func:`find_themes`.

    ``themes``: one row per theme (columns ``THEME_COLUMNS``), largest first.
    ``assignments``: the input rows (same index and order) plus
    ``normalized``, ``theme``, ``label`` and ``repeats_prompt``.
    """

    themes: pd.DataFrame
    assignments: pd.DataFrame

    @property
    def n_themes(self) -> int:
        return len(self.themes)


# --------------------------------------------------------------------------
# Normalization
# --------------------------------------------------------------------------


def _keep_mark(match: re.Match) -> str:
    # \W also matches combining marks (Devanagari, Thai vowel signs, ...);
    # those belong to the word, everything else becomes a space.
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


# --------------------------------------------------------------------------
# Repeat-of-prompt detection
# --------------------------------------------------------------------------


def _content_trigrams(normalized: str) -> frozenset:
    words = [w for w in normalized.split() if w not in STOP_WORDS]
    text = " ".join(words) if words else normalized
    if not text:
        return frozenset()
    padded = f" {text} "
    if len(padded) < 3:
        return frozenset([padded])
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def _repeats_prompt(norm_query: pd.Series, norm_prompt: pd.Series) -> np.ndarray:
    """Row-wise: does the query nearly repeat its prompt? (computed per distinct pair)"""
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
        a, b = grams(q), grams(p)
        union = len(a | b)
        flags[i] = union > 0 and len(a & b) / union >= REPEAT_THRESHOLD
    uniq["flag"] = flags
    merged = pairs.merge(uniq, on=["q", "p"], how="left", sort=False)
    return merged["flag"].to_numpy(dtype=bool)


# --------------------------------------------------------------------------
# Vectorization, clustering, labels
# --------------------------------------------------------------------------


def _tfidf(texts: list[str], **kwargs) -> tuple[sp.csr_matrix, np.ndarray]:
    vec = TfidfVectorizer(
        lowercase=False, sublinear_tf=True, dtype=np.float32, **kwargs
    )
    try:
        X = vec.fit_transform(texts)
    except ValueError:  # empty vocabulary (e.g. only stop words / 1-char words)
        return sp.csr_matrix((len(texts), 0), dtype=np.float32), np.array([], dtype=object)
    return X.tocsr(), vec.get_feature_names_out()


def _vectorize(texts: list[str]):
    n = len(texts)
    min_df = 2 if n >= 2000 else 1  # drop one-off n-grams when there is plenty of data
    Xw, word_terms = _tfidf(
        texts,
        analyzer="word",
        token_pattern=_TOKEN_PATTERN,
        ngram_range=(1, 2),
        stop_words=sorted(STOP_WORDS),
        min_df=min_df,
    )
    Xc, char_terms = _tfidf(texts, analyzer="char_wb", ngram_range=(2, 4), min_df=min_df)
    return Xw, word_terms, Xc, char_terms


def _embed(Xw: sp.csr_matrix, Xc: sp.csr_matrix, random_state: int) -> np.ndarray:
    X = sp.hstack([Xw, CHAR_WEIGHT * Xc], format="csr", dtype=np.float32)
    n, d = X.shape
    k = min(SVD_COMPONENTS, d - 1, n - 1)
    if k >= 2:
        svd = TruncatedSVD(n_components=k, n_iter=4, random_state=random_state)
        Z = svd.fit_transform(X)
    else:
        Z = X.toarray()
    Z = np.asarray(Z, dtype=np.float32)
    return l2_normalize(Z)


def _silhouette(D: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Mean silhouette from a precomputed distance matrix (same definition as sklearn)."""
    onehot = np.zeros((len(labels), k), dtype=D.dtype)
    onehot[np.arange(len(labels)), labels] = 1.0
    sums = D @ onehot  # (n, k) sum of distances from each point to each cluster
    counts = onehot.sum(axis=0)
    own = counts[labels]
    rows = np.arange(len(labels))
    with np.errstate(divide="ignore", invalid="ignore"):
        a = sums[rows, labels] / np.maximum(own - 1, 1)
        means = sums / counts  # empty clusters -> inf/nan, masked below
    means[:, counts == 0] = np.inf
    means[rows, labels] = np.inf
    b = means.min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (b - a) / np.maximum(a, b)
    s[(own <= 1) | ~np.isfinite(s)] = 0.0
    return float(s.mean())


def _cluster(Z: np.ndarray, max_k: int, random_state: int) -> np.ndarray:
    n = len(Z)
    rng = np.random.RandomState(random_state)
    if n > SILHOUETTE_SAMPLE:
        sample = np.sort(rng.choice(n, SILHOUETTE_SAMPLE, replace=False))
        S = Z[sample]
    else:
        sample, S = None, Z
    max_k = min(max_k, len(S) - 1)
    if max_k < 2:
        return np.zeros(n, dtype=np.int64)

    S64 = S.astype(np.float64)
    sq = np.clip(2.0 - 2.0 * (S64 @ S64.T), 0.0, None)
    D = np.sqrt(sq).astype(np.float32)
    np.fill_diagonal(D, 0.0)

    best = None  # (score, k, centers, labels)
    for k in range(2, max_k + 1):
        km = KMeans(n_clusters=k, n_init=SEARCH_N_INIT, random_state=random_state)
        labels = km.fit_predict(S)
        n_used = len(np.unique(labels))
        if n_used < 2:
            continue
        score = _silhouette(D, labels, k)
        if best is None or score > best[0] + 1e-9:
            best = (score, k, km.cluster_centers_, labels)
    if best is None:
        return np.zeros(n, dtype=np.int64)
    _, k, centers, labels = best
    if sample is None:
        return labels.astype(np.int64)
    km = KMeans(n_clusters=k, init=centers, n_init=1, random_state=random_state)
    return km.fit_predict(Z).astype(np.int64)


def _pick_terms(
    order: Iterable[int],
    terms: np.ndarray,
    score: np.ndarray,
    support: np.ndarray,
    min_support: float,
    as_words: bool,
) -> list[str]:
    """Best-scoring terms, skipping ones covered by a chosen term.

    Words: a term whose words are all in a chosen term is skipped; a bigram
    that contains chosen unigrams replaces them. Char n-grams: same with
    substring containment.
    """

    def contains(big: str, small: str) -> bool:
        if as_words:
            return set(small.split()) <= set(big.split())
        return small in big

    chosen: list[str] = []
    for j in order:
        if score[j] <= 0 or len(chosen) >= LABEL_TERMS:
            break
        if support[j] < min_support:
            continue
        term = str(terms[j]).strip()
        if as_words:
            if _DIGITS.match(term):
                continue  # years and other bare numbers make poor labels
        elif len(term) < 2 or " " in term:
            continue
        if any(contains(c, term) for c in chosen):
            continue
        absorbed = [i for i, c in enumerate(chosen) if contains(term, c)]
        if absorbed:
            chosen[absorbed[0]] = term
            chosen = [c for i, c in enumerate(chosen) if i not in absorbed[1:]]
        else:
            chosen.append(term)
    return chosen


def _labels(
    labels: np.ndarray, k: int, X: sp.csr_matrix, terms: np.ndarray, as_words: bool
) -> list[list[str]]:
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
    for c in range(k):
        size = sizes[c]
        if size == 0:
            continue
        mean_in = sums[c] / size
        rest = n - size
        score = mean_in - (total - sums[c]) / rest if rest > 0 else mean_in
        min_support = 2 if size >= 2 else 1
        top = np.argsort(-score, kind="stable")[:200]
        out[c] = _pick_terms(top, terms, score, support[c], min_support, as_words)
    return out


# --------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------


def _empty_themes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "theme": pd.Series(dtype="int64"),
            "label": pd.Series(dtype="object"),
            "queries": pd.Series(dtype="int64"),
            "unique_queries": pd.Series(dtype="int64"),
            "tasks": pd.Series(dtype="int64"),
            "prompts": pd.Series(dtype="int64"),
            "models": pd.Series(dtype="int64"),
            "engines": pd.Series(dtype="int64"),
            "top_domains": pd.Series(dtype="object"),
        }
    )[THEME_COLUMNS]


def _top_domains(
    rows: pd.DataFrame, citations: pd.DataFrame | None, theme_ids: list[int]
) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {t: [] for t in theme_ids}
    if citations is None or len(citations) == 0 or len(rows) == 0:
        return result
    missing = {"task_id", "domain"} - set(citations.columns)
    if missing:
        raise ValueError(f"citations is missing columns: {sorted(missing)}")
    cites = citations[["task_id", "domain"]].dropna()
    cites = cites.assign(domain=cites["domain"].astype(str).str.strip())
    cites = cites[cites["domain"] != ""].drop_duplicates()
    theme_tasks = rows[["theme", "task_id"]].dropna().drop_duplicates()
    if len(cites) == 0 or len(theme_tasks) == 0:
        return result
    joined = theme_tasks.merge(cites, on="task_id", how="inner")
    counts = (
        joined.groupby(["theme", "domain"], sort=False)
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["theme", "n", "domain"], ascending=[True, False, True])
    )
    for t, grp in counts.groupby("theme", sort=False):
        result[int(t)] = grp["domain"].head(TOP_DOMAINS).tolist()
    return result


def find_themes(
    fan_out: pd.DataFrame,
    citations: pd.DataFrame | None = None,
    max_themes: int | None = None,
    random_state: int = 0,
) -> Themes:
    """Group fan-out queries into themes (see the module docstring for the method).

    Parameters
    ----------
    fan_out:
        One row per fan-out query with columns ``task_id, engine, model,
        prompt, query``. Only ``query`` is required; a missing
        ``task_id/engine/model/prompt`` column counts as all-missing.
    citations:
        Optional ``task_id, domain`` rows (domain may be None) used for
        ``top_domains``.
    max_themes:
        Upper bound on the number of themes (default 30; the automatic choice
        also never exceeds sqrt(#distinct queries)). ``1`` forces one theme.
    random_state:
        Seed for SVD, sampling and k-means; same input and seed give the same
        result, independent of the row order.
    """
    if "query" not in fan_out.columns:
        raise ValueError("fan_out must have a 'query' column")
    if max_themes is not None and max_themes < 1:
        raise ValueError("max_themes must be >= 1 or None")

    rows = fan_out.copy()
    for col in ("task_id", "engine", "model", "prompt"):
        if col not in rows.columns:
            rows[col] = None

    # Normalize each distinct raw string once.
    raw = rows["query"]
    raw_uniques = pd.unique(raw.to_numpy())
    norm_map = {q: normalize_query(q) for q in raw_uniques if not _isna(q)}
    normalized = raw.map(lambda q: norm_map.get(q, "") if not _isna(q) else "")
    rows["normalized"] = normalized.astype(object)

    prompt_uniques = pd.unique(rows["prompt"].to_numpy())
    pmap = {p: normalize_query(p) for p in prompt_uniques if not _isna(p)}
    norm_prompt = rows["prompt"].map(lambda p: pmap.get(p, "") if not _isna(p) else "")
    rows["repeats_prompt"] = _repeats_prompt(rows["normalized"], norm_prompt)

    texts = sorted(set(rows["normalized"].tolist()) - {""})
    n = len(texts)
    if n == 0:
        rows["theme"] = np.full(len(rows), EMPTY_THEME, dtype=np.int64)
        rows["label"] = EMPTY_LABEL
        return Themes(_empty_themes(), _order_columns(rows, fan_out))

    Xw, word_terms, Xc, char_terms = _vectorize(texts)
    k_cap = DEFAULT_MAX_THEMES if max_themes is None else max_themes
    max_k = min(k_cap, int(np.sqrt(n)))
    if n < MIN_UNIQUE_TO_CLUSTER or max_k < 2:
        labels = np.zeros(n, dtype=np.int64)
    else:
        Z = _embed(Xw, Xc, random_state)
        labels = _cluster(Z, max_k, random_state)

    # Compact cluster ids (k-means may leave a cluster empty).
    _, labels = np.unique(labels, return_inverse=True)
    k = int(labels.max()) + 1

    word_labels = _labels(labels, k, Xw, word_terms, as_words=True)
    char_labels = None
    label_text: list[str] = []
    for c in range(k):
        terms = word_labels[c]
        if not terms:
            if char_labels is None:
                char_labels = _labels(labels, k, Xc, char_terms, as_words=False)
            terms = char_labels[c]
        if not terms:  # e.g. a theme of one single-character query
            first = texts[int(np.flatnonzero(labels == c)[0])]
            terms = [first]
        label_text.append(LABEL_SEPARATOR.join(terms))

    theme_of = dict(zip(texts, labels.tolist()))
    rows["theme"] = rows["normalized"].map(theme_of).fillna(EMPTY_THEME).astype(np.int64)

    clustered = rows[rows["theme"] != EMPTY_THEME]
    stats = clustered.groupby("theme", sort=True).agg(
        queries=("normalized", "size"),
        unique_queries=("normalized", "nunique"),
        tasks=("task_id", "nunique"),
        prompts=("prompt", "nunique"),
        models=("model", "nunique"),
        engines=("engine", "nunique"),
    )
    stats["label"] = [label_text[c] for c in stats.index]
    stats["first"] = [texts[int(np.flatnonzero(labels == c)[0])] for c in stats.index]
    stats = stats.sort_values(
        ["queries", "unique_queries", "label", "first"],
        ascending=[False, False, True, True],
        kind="stable",
    )
    renumber = {old: new for new, old in enumerate(stats.index.tolist())}
    stats.index = [renumber[c] for c in stats.index]
    stats.index.name = "theme"
    stats = stats.drop(columns="first").reset_index()

    rows["theme"] = rows["theme"].map(lambda t: renumber.get(t, EMPTY_THEME)).astype(np.int64)
    label_by_new = dict(zip(stats["theme"], stats["label"]))
    rows["label"] = rows["theme"].map(label_by_new).fillna(EMPTY_LABEL).astype(object)

    domains = _top_domains(rows[rows["theme"] != EMPTY_THEME], citations, stats["theme"].tolist())
    stats["top_domains"] = [domains[t] for t in stats["theme"]]
    for col in ("queries", "unique_queries", "tasks", "prompts", "models", "engines"):
        stats[col] = stats[col].astype("int64")
    stats["theme"] = stats["theme"].astype("int64")
    return Themes(stats[THEME_COLUMNS].reset_index(drop=True), _order_columns(rows, fan_out))


def _isna(v) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _order_columns(rows: pd.DataFrame, fan_out: pd.DataFrame) -> pd.DataFrame:
    cols = list(fan_out.columns) + [c for c in ASSIGNMENT_COLUMNS if c not in fan_out.columns]
    out = rows[cols].copy()
    out["theme"] = out["theme"].astype("int64")
    out["repeats_prompt"] = out["repeats_prompt"].astype(bool)
    return out
