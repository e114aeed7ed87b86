"""``find_themes``: fan-out query rows in, themes and each row's theme out.

The composition of this package's steps: normalize the queries (``normalize``), flag the ones that
restate their prompt (``repeats``), cluster and label the distinct queries (``cluster``,
``label``), count and order the themes and join the citations (``summaries``). The clustering of
a set of distinct queries (``cluster_queries``) depends on nothing else, so a caller may compute
it once and pass it in. No I/O, no Streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd

from core.themes.cluster import cluster, vectorize
from core.themes.label import theme_labels, unique_labels
from core.themes.normalize import normalize_column, normalize_query
from core.themes.repeats import repeats_prompt
from core.themes.summaries import EMPTY_THEME, THEME_COLUMNS, empty_theme_table, theme_table, top_domains

#: Columns added to the input rows in ``Themes.assignments``.
ASSIGNMENT_COLUMNS = ["normalized", "theme", "label", "repeats_prompt"]
EMPTY_LABEL = "(empty)"
_CONTEXT_COLUMNS = ("task_id", "engine", "model", "prompt")


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

    @property
    def clustered(self) -> pd.DataFrame:
        """The assignments that have a theme (their query is not empty)."""
        return self.assignments[self.assignments["theme"] != EMPTY_THEME]


@dataclass(frozen=True)
class QueryClusters:
    """Themes of a set of distinct normalized queries: the costly part of ``find_themes``, worth keeping."""

    texts: tuple[str, ...]  # sorted distinct normalized queries
    ids: np.ndarray  # cluster id per text, 0..k-1
    labels: tuple[str, ...]  # label per cluster id (not yet made unique)

    def first_texts(self) -> list[str]:
        """Per cluster id, its first text in sorted order (the last tie-breaker of the theme order)."""
        first: dict[int, str] = {}
        for text, c in zip(self.texts, self.ids.tolist()):
            first.setdefault(c, text)
        return [first[c] for c in range(len(self.labels))]


def _cluster_texts(texts: list[str], max_themes: int | None, random_state: int) -> QueryClusters:
    if not texts:
        return QueryClusters((), np.zeros(0, dtype=np.int64), ())
    vectors = vectorize(texts)
    ids = cluster(vectors, max_themes, random_state)
    return QueryClusters(tuple(texts), ids, tuple(theme_labels(ids, vectors, texts)))


def cluster_queries(queries: Iterable, max_themes: int | None = None, random_state: int = 0) -> QueryClusters:
    """Cluster and label the distinct normalized ``queries`` (any order, repeats and non-strings allowed)."""
    texts = sorted({normalize_query(q) for q in set(queries)} - {""})
    return _cluster_texts(texts, max_themes, random_state)


def find_themes(
    fan_out: pd.DataFrame,
    citations: pd.DataFrame | None = None,
    max_themes: int | None = None,
    random_state: int = 0,
    clusters: QueryClusters | None = None,
) -> Themes:
    """Group fan-out queries into themes (see ``core.themes`` for what the tables hold).

    ``fan_out``: one row per query, columns ``task_id, engine, model, prompt, query``; only
    ``query`` is required (a missing other column counts as all-missing). ``citations``: optional
    ``task_id, domain`` rows for ``top_domains``. ``max_themes``: at most this many themes
    (default 30; never more than sqrt(#distinct queries)); ``1`` forces one theme.
    ``random_state``: same input and seed give the same result, whatever the row order.
    ``clusters``: ``cluster_queries`` of these queries (with the same ``max_themes`` and seed),
    computed earlier; it must cover every query.

    Cost: ~1 s for 10k rows, ~5 s for 100k rows with 30k distinct queries on 2 cores (see
    ``benchmarks/bench_themes.py``); with ``clusters`` given, only the counting remains.
    """
    if "query" not in fan_out.columns:
        raise ValueError("fan_out must have a 'query' column")
    if max_themes is not None and max_themes < 1:
        raise ValueError("max_themes must be >= 1 or None")

    rows = fan_out.copy()
    for col in _CONTEXT_COLUMNS:
        if col not in rows.columns:
            rows[col] = None
    rows["normalized"] = normalize_column(rows["query"])
    rows["repeats_prompt"] = repeats_prompt(rows["normalized"], normalize_column(rows["prompt"]))
    texts = sorted(set(rows["normalized"].tolist()) - {""})
    if not texts:
        rows["theme"] = np.full(len(rows), EMPTY_THEME, dtype=np.int64)
        rows["label"] = EMPTY_LABEL
        return Themes(empty_theme_table(), _order_columns(rows, fan_out))
    if clusters is None:
        clusters = _cluster_texts(texts, max_themes, random_state)
    elif not set(texts) <= set(clusters.texts):
        raise ValueError("clusters were computed for other queries: pass cluster_queries of these")

    cluster_of = dict(zip(clusters.texts, clusters.ids.tolist()))
    rows["theme"] = rows["normalized"].map(cluster_of).fillna(EMPTY_THEME).astype(np.int64)
    themes, renumber = theme_table(rows, clusters.labels, clusters.first_texts())
    themes["label"] = unique_labels(themes["label"].tolist())
    renumber[EMPTY_THEME] = EMPTY_THEME
    rows["theme"] = rows["theme"].map(renumber).astype(np.int64)
    rows["label"] = rows["theme"].map(dict(zip(themes["theme"], themes["label"]))).fillna(EMPTY_LABEL).astype(object)
    themes["top_domains"] = top_domains(rows, citations, themes["theme"].tolist())
    return Themes(themes[THEME_COLUMNS].reset_index(drop=True), _order_columns(rows, fan_out))


def _order_columns(rows: pd.DataFrame, fan_out: pd.DataFrame) -> pd.DataFrame:
    """The input's columns in its order, then the assignment columns."""
    cols = list(fan_out.columns) + [c for c in ASSIGNMENT_COLUMNS if c not in fan_out.columns]
    out = rows[cols].copy()
    out["theme"] = out["theme"].astype("int64")
    out["repeats_prompt"] = out["repeats_prompt"].astype(bool)
    return out
