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
   word unigrams+bigrams (topic words; English and German stop words
   removed; Japanese is split where the script changes, kanji / katakana /
   hiragana, as a tokenizer-free approximation) and character n-grams within
   word boundaries (``char_wb`` 2-4), which match plurals and word families
   (price/pricing, integrate/integration), German compounds and Chinese or
   Japanese text. The char block gets twice the weight of the word block and
   idf is damped to its square root: both keep a rare token (a brand named
   in a few queries) from outweighing the topic words a theme is made of --
   on hand-made topic sets this made the difference between clean and mixed
   groups.
4. **Reduce** with TruncatedSVD (up to 64 dimensions, float32) and
   L2-normalize, so that Euclidean k-means behaves like clustering by cosine
   similarity and words that co-occur land close together.
5. **Cluster** with k-means. The number of themes is the k with the best
   mean silhouette among 2 .. min(max_themes or 30, sqrt(#distinct queries))
   (every k up to 8, then steps of ~15%), computed on a fixed random sample
   of at most 2,000 distinct queries; the winning centroids then seed one
   k-means pass over all distinct queries. ``n_init`` and ``random_state``
   are fixed: the same input gives the same themes. BLAS/OpenMP run
   single-threaded during this step (see ``find_themes``).
6. **Label** each theme with 2-3 word terms whose mean TF-IDF inside the
   theme most exceeds their mean in the other themes (distinctive, not just
   frequent) and that occur in at least two of its distinct queries. A
   bigram is used only when it is a phrase ("free plan": it carries at least
   half the score of each of its words, unlike "migrate asana") and then
   absorbs its words; a third term must score at least 30% of the first;
   bare numbers (years) are skipped. If no word term qualifies (e.g. Chinese
   without spaces) character n-grams are used instead.

Limits: this is lexical, not semantic. "cost" and "price" meet only through
the queries they share words with, and a brand asked about under several
topics can pull a few of those queries together. Silhouette on short texts
usually prefers more, finer themes, so expect the upper end of the range
(up to 30) on large inputs; pass ``max_themes`` for a coarser view.

Small inputs: with fewer than 4 distinct queries there is nothing to
cluster, so everything is one theme (theme 0); 4-8 distinct queries give at
most 2 themes (k <= sqrt(n)); if no split has a positive silhouette the
input is one theme too. Rows whose query is empty or missing (nothing left
after normalization) get theme ``-1`` and label ``"(empty)"`` and are not
counted in ``themes``. Two themes never share a label: a repeated label gets
" (2)", " (3)", ... appended.

``repeats_prompt`` is True when the query only restates its own task's prompt:
at least 80% of the query's character trigrams (after normalization and
stop-word removal; works for any script) occur in the prompt. "best pm tools
for small teams 2026" repeats "What are the best PM tools for small teams?";
a query that adds a new angle ("... pricing comparison", "asana vs trello")
does not: it widens the prompt.

``top_domains`` ranks domains by the number of distinct tasks of the theme
whose answer cited them (a task counts once per domain, however often it
cited it); a task whose queries fall into several themes counts for each.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize
from threadpoolctl import threadpool_limits

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
SVD_COMPONENTS = 64  # LSA dimensions (fewer when the vocabulary is small)
SILHOUETTE_SAMPLE = 2000  # distinct queries used to choose k
SEARCH_N_INIT = 2  # k-means restarts per candidate k ...
SMALL_N = 500
SMALL_N_INIT = 10  # ... and when there are at most SMALL_N distinct queries
LABEL_TERMS = 3
LABEL_MIN_RELATIVE = 0.3  # a 3rd label term needs >= 30% of the best term's score
TOP_DOMAINS = 5
REPEAT_THRESHOLD = 0.8  # share of the query's trigrams found in the prompt
CHAR_WEIGHT = 2.0  # weight of the char n-gram block relative to the word block
IDF_POWER = 0.5  # idf ** 0.5: damped, so rare tokens do not dominate

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
    """Row-wise: does the query only restate its prompt? (computed per distinct pair)"""
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


# --------------------------------------------------------------------------
# Vectorization, clustering, labels
# --------------------------------------------------------------------------


def _tokenize(text: str) -> list[str]:
    """Words of a normalized query: whitespace- and script-change-separated runs.

    One-character tokens and short hiragana runs (particles such as の, は,
    から) are dropped; stop words are removed by the vectorizer.
    """
    return [
        t
        for t in _TOKEN.findall(text)
        if len(t) >= 2 and not (len(t) < 3 and _HIRA_ONLY.match(t))
    ]


def _tfidf(texts: list[str], **kwargs) -> tuple[sp.csr_matrix, np.ndarray]:
    vec = TfidfVectorizer(lowercase=False, sublinear_tf=True, dtype=np.float32, **kwargs)
    try:
        X = vec.fit_transform(texts)
    except ValueError:  # empty vocabulary (e.g. only stop words / 1-char words)
        return sp.csr_matrix((len(texts), 0), dtype=np.float32), np.array([], dtype=object)
    if IDF_POWER != 1.0:
        # Damped idf: rare words (one brand, one typo) should not outweigh the
        # topic words that make a theme; idf ** IDF_POWER keeps some of it.
        X = X.multiply(vec.idf_.astype(np.float32) ** (IDF_POWER - 1.0)).tocsr()
        X = l2_normalize(X)
    return X.tocsr().astype(np.float32), vec.get_feature_names_out()


def _vectorize(texts: list[str]):
    n = len(texts)
    min_df = 2 if n >= 2000 else 1  # drop one-off n-grams when there is plenty of data
    Xw, word_terms = _tfidf(
        texts,
        analyzer="word",
        tokenizer=_tokenize,
        token_pattern=None,
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


def _k_grid(max_k: int) -> list[int]:
    """Candidate numbers of themes: every k up to 8, then steps of ~15%."""
    ks = list(range(2, min(max_k, 8) + 1))
    k = 8
    while k < max_k:
        k = min(max_k, max(k + 1, int(round(k * 1.15))))
        ks.append(k)
    return ks


def _kmeans(X: np.ndarray, k: int, random_state, n_init: int = 1, init="k-means++") -> KMeans:
    km = KMeans(n_clusters=k, init=init, n_init=n_init, random_state=random_state)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # duplicate points
        km.fit(X)
    return km


def _cluster(Z: np.ndarray, max_k: int, random_state) -> np.ndarray:
    """k-means with k chosen by silhouette on a fixed sample; returns a label per row of Z."""
    n = len(Z)
    rng = np.random.RandomState(random_state)
    if n > SILHOUETTE_SAMPLE:
        sample = np.sort(rng.choice(n, SILHOUETTE_SAMPLE, replace=False))
        S = Z[sample]
    else:
        sample, S = None, Z
    # Identical vectors (e.g. the same words in another order) cannot be split.
    n_distinct = len(np.unique(np.round(S, 5), axis=0))
    max_k = min(max_k, len(S) - 1, n_distinct)
    if max_k < 2:
        return np.zeros(n, dtype=np.int64)

    S64 = S.astype(np.float64)
    D = np.sqrt(np.clip(2.0 - 2.0 * (S64 @ S64.T), 0.0, None))  # unit vectors
    np.fill_diagonal(D, 0.0)

    n_init = SMALL_N_INIT if len(S) <= SMALL_N else SEARCH_N_INIT  # restarts are cheap when small
    best = None  # (score, k, fitted model)
    for k in _k_grid(max_k):
        km = _kmeans(S, k, random_state, n_init=n_init)
        if len(np.unique(km.labels_)) < 2:
            continue
        score = _silhouette(D, km.labels_, k)
        if best is None or score > best[0] + 1e-9:
            best = (score, k, km)
    if best is None or best[0] <= 0:  # no split beats chance: one theme
        return np.zeros(n, dtype=np.int64)
    _, k, km = best
    if sample is None:
        return km.labels_.astype(np.int64)
    # Refine on all distinct queries, starting from the sample's centroids.
    return _kmeans(Z, k, random_state, init=km.cluster_centers_).labels_.astype(np.int64)


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

    Cost: ~1 s for 10k rows, ~5 s for 100k rows with 30k distinct queries on
    2 cores (see ``benchmarks/bench_themes.py``). The SVD and k-means run with
    BLAS/OpenMP limited to one thread (``threadpoolctl``, process-wide for the
    duration of that step): threads gained nothing at these sizes and made the
    call 3-5x slower when the CPUs were shared with other work.
    """
    if "query" not in fan_out.columns:
        raise ValueError("fan_out must have a 'query' column")
    if max_themes is not None and max_themes < 1:
        raise ValueError("max_themes must be >= 1 or None")

    rows = fan_out.copy()
    for col in ("task_id", "engine", "model", "prompt"):
        if col not in rows.columns:
            rows[col] = None

    rows["normalized"] = _normalize_column(rows["query"])
    rows["repeats_prompt"] = _repeats_prompt(rows["normalized"], _normalize_column(rows["prompt"]))

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
        # Single-threaded BLAS/OpenMP: at these sizes (many small k-means
        # fits, a thin SVD) threads bring little, and on a shared 2-core
        # server they made the same call 3-5x slower (spinning threads).
        with threadpool_limits(limits=1):
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
    stats["label"] = _unique_labels(stats["label"].tolist())
    renumber = {old: new for new, old in enumerate(stats.index.tolist())}
    stats.index = [renumber[c] for c in stats.index]
    stats.index.name = "theme"
    stats = stats.drop(columns="first").reset_index()

    renumber[EMPTY_THEME] = EMPTY_THEME
    rows["theme"] = rows["theme"].map(renumber).astype(np.int64)
    label_by_new = dict(zip(stats["theme"], stats["label"]))
    rows["label"] = rows["theme"].map(label_by_new).fillna(EMPTY_LABEL).astype(object)

    domains = _top_domains(rows[rows["theme"] != EMPTY_THEME], citations, stats["theme"].tolist())
    stats["top_domains"] = [domains[t] for t in stats["theme"]]
    for col in ("queries", "unique_queries", "tasks", "prompts", "models", "engines"):
        stats[col] = stats[col].astype("int64")
    stats["theme"] = stats["theme"].astype("int64")
    return Themes(stats[THEME_COLUMNS].reset_index(drop=True), _order_columns(rows, fan_out))


def _normalize_column(col: pd.Series) -> pd.Series:
    """normalize_query over a column, computed once per distinct value."""
    values = col.to_numpy(dtype=object, na_value=None)
    uniques = pd.unique(values)
    mapping = {v: normalize_query(v) for v in uniques if isinstance(v, str)}
    out = pd.Series(values, index=col.index, dtype=object).map(mapping)
    return out.where(out.notna(), "").astype(object)


def _unique_labels(labels: list[str]) -> list[str]:
    """Disambiguate identical labels of different themes: "x", "x (2)", ..."""
    seen: dict[str, int] = {}
    out = []
    for lab in labels:
        seen[lab] = seen.get(lab, 0) + 1
        out.append(lab if seen[lab] == 1 else f"{lab} ({seen[lab]})")
    return out


def _order_columns(rows: pd.DataFrame, fan_out: pd.DataFrame) -> pd.DataFrame:
    cols = list(fan_out.columns) + [c for c in ASSIGNMENT_COLUMNS if c not in fan_out.columns]
    out = rows[cols].copy()
    out["theme"] = out["theme"].astype("int64")
    out["repeats_prompt"] = out["repeats_prompt"].astype(bool)
    return out
