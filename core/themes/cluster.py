"""Distinct normalized queries grouped by k-means on TF-IDF vectors: which queries form one theme.

1. **Vectorize** with two TF-IDF blocks: word unigrams+bigrams (topic words; English and German
   stop words removed; Japanese split where the script changes) and character n-grams within word
   boundaries (``char_wb`` 2-4), which match plurals and word families (price/pricing), German
   compounds and Chinese or Japanese text. The char block weighs twice the word block and idf is
   damped to its square root: both keep a rare token (a brand in a few queries) from outweighing
   the topic words a theme is made of.
2. **Reduce** with TruncatedSVD (up to 64 dimensions, float32) and L2-normalize, so Euclidean
   k-means behaves like clustering by cosine similarity.
3. **Cluster** with k-means; k is the best mean silhouette among 2 .. min(max_themes or 30,
   sqrt(#texts)) (every k up to 8, then steps of ~15%), on a fixed random sample of at most 2,000
   texts; the winning centroids seed one pass over all texts. Fixed ``n_init`` and
   ``random_state``: the same texts give the same clusters. Fewer than 4 texts, or no split with
   a positive silhouette, is one cluster.

Silhouette on short texts prefers finer themes, so expect the upper end of the range on large
inputs. Never reads rows, labels or names themes: it returns a cluster id per text.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize
from threadpoolctl import threadpool_limits

from core.themes.normalize import STOP_WORDS, tokenize

MIN_UNIQUE_TO_CLUSTER = 4  # fewer distinct queries -> one theme
DEFAULT_MAX_THEMES = 30
SVD_COMPONENTS = 64  # LSA dimensions (fewer when the vocabulary is small)
SILHOUETTE_SAMPLE = 2000  # distinct queries used to choose k
SEARCH_N_INIT = 2  # k-means restarts per candidate k ...
SMALL_N = 500
SMALL_N_INIT = 10  # ... and when there are at most SMALL_N distinct queries
CHAR_WEIGHT = 2.0  # weight of the char n-gram block relative to the word block
IDF_POWER = 0.5  # idf ** 0.5: damped, so rare tokens do not dominate


@dataclass(frozen=True)
class Vectors:
    """TF-IDF rows of the texts: a word block and a char n-gram block, each with its terms."""

    words: sp.csr_matrix
    word_terms: np.ndarray
    chars: sp.csr_matrix
    char_terms: np.ndarray


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


def vectorize(texts: list[str]) -> Vectors:
    """Word and char n-gram TF-IDF of distinct normalized texts (one-off n-grams dropped from 2,000 texts)."""
    min_df = 2 if len(texts) >= 2000 else 1
    words, word_terms = _tfidf(
        texts,
        analyzer="word",
        tokenizer=tokenize,
        token_pattern=None,
        ngram_range=(1, 2),
        stop_words=sorted(STOP_WORDS),
        min_df=min_df,
    )
    chars, char_terms = _tfidf(texts, analyzer="char_wb", ngram_range=(2, 4), min_df=min_df)
    return Vectors(words, word_terms, chars, char_terms)


def _embed(vectors: Vectors, random_state: int) -> np.ndarray:
    X = sp.hstack([vectors.words, CHAR_WEIGHT * vectors.chars], format="csr", dtype=np.float32)
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
    """Mean silhouette from a precomputed distance matrix (sklearn's definition, computed once per k)."""
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


def _kmeans_by_silhouette(Z: np.ndarray, max_k: int, random_state) -> np.ndarray:
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


def cluster(vectors: Vectors, max_themes: int | None, random_state: int) -> np.ndarray:
    """A cluster id per text, numbered 0..k-1 without gaps (k-means may leave a cluster empty).

    The SVD and k-means run with BLAS/OpenMP limited to one thread (process-wide for the duration
    of that step): at these sizes (many small k-means fits, a thin SVD) threads gained nothing and
    made the call 3-5x slower when the CPUs were shared with other work.
    """
    n = vectors.words.shape[0]
    k_cap = DEFAULT_MAX_THEMES if max_themes is None else max_themes
    max_k = min(k_cap, int(np.sqrt(n)))
    if n < MIN_UNIQUE_TO_CLUSTER or max_k < 2:
        labels = np.zeros(n, dtype=np.int64)
    else:
        with threadpool_limits(limits=1):
            labels = _kmeans_by_silhouette(_embed(vectors, random_state), max_k, random_state)
    _, labels = np.unique(labels, return_inverse=True)
    return labels
