"""Per-theme tables: the theme list with its counts and cited domains, and what the Fan-out page draws.

Pure functions over the rows ``find_themes`` assigned (``Themes.assignments``, or only the rows with
a theme, ``Themes.clustered``): a frame in, a frame out with documented columns. Never clusters,
labels or normalizes text; never draws.
"""
from __future__ import annotations

from typing import Sequence

import pandas as pd

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
#: Theme id of rows whose query is empty after normalization.
EMPTY_THEME = -1
TOP_DOMAINS = 5
_COUNT_COLUMNS = ["queries", "unique_queries", "tasks", "prompts", "models", "engines"]


def empty_theme_table() -> pd.DataFrame:
    """The theme table of input without a single non-empty query."""
    return pd.DataFrame(
        {col: pd.Series(dtype="int64" if col == "theme" or col in _COUNT_COLUMNS else "object")
         for col in THEME_COLUMNS}
    )


def theme_table(
    rows: pd.DataFrame, labels: Sequence[str], first_text: Sequence[str]
) -> tuple[pd.DataFrame, dict[int, int]]:
    """Counts per cluster, largest first, and the renumbering that makes theme 0 the largest.

    ``rows`` carry a cluster id in ``theme`` (``EMPTY_THEME`` for none); ``labels`` and
    ``first_text`` are indexed by cluster id. Ties are broken by distinct queries, then label, then
    the cluster's first text, so the order never depends on the row order. Labels are returned as
    given (make them unique after ordering); ``top_domains`` is not filled here.
    """
    clustered = rows[rows["theme"] != EMPTY_THEME]
    stats = clustered.groupby("theme", sort=True).agg(
        queries=("normalized", "size"),
        unique_queries=("normalized", "nunique"),
        tasks=("task_id", "nunique"),
        prompts=("prompt", "nunique"),
        models=("model", "nunique"),
        engines=("engine", "nunique"),
    )
    stats["label"] = [labels[c] for c in stats.index]
    stats["first"] = [first_text[c] for c in stats.index]
    stats = stats.sort_values(
        ["queries", "unique_queries", "label", "first"],
        ascending=[False, False, True, True],
        kind="stable",
    )
    renumber = {old: new for new, old in enumerate(stats.index.tolist())}
    stats.index = pd.Index(range(len(stats)), name="theme")
    stats = stats.drop(columns="first").reset_index()
    stats[["theme", *_COUNT_COLUMNS]] = stats[["theme", *_COUNT_COLUMNS]].astype("int64")
    return stats, renumber


def top_domains(rows: pd.DataFrame, citations: pd.DataFrame | None, theme_ids: list[int]) -> list[list[str]]:
    """Per theme of ``theme_ids``, the domains cited by most of its distinct tasks (at most 5).

    A task counts once per domain however often it cited it; a task whose queries fall into
    several themes counts for each. Ties go by domain name.
    """
    result: dict[int, list[str]] = {t: [] for t in theme_ids}
    if citations is None or len(citations) == 0 or len(rows) == 0:
        return [result[t] for t in theme_ids]
    missing = {"task_id", "domain"} - set(citations.columns)
    if missing:
        raise ValueError(f"citations is missing columns: {sorted(missing)}")
    cites = citations[["task_id", "domain"]].dropna()
    cites = cites.assign(domain=cites["domain"].astype(str).str.strip())
    cites = cites[cites["domain"] != ""].drop_duplicates()
    theme_tasks = rows.loc[rows["theme"] != EMPTY_THEME, ["theme", "task_id"]].dropna().drop_duplicates()
    if len(cites) == 0 or len(theme_tasks) == 0:
        return [result[t] for t in theme_ids]
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
    return [result[t] for t in theme_ids]


def fan_out_overview(assignments: pd.DataFrame, themes: pd.DataFrame) -> dict[str, float | int]:
    """The page's headline numbers: every query row and answer, and the share restating the prompt.

    ``queries`` and ``answers_searched`` count every row of ``assignments`` (empty queries
    included); ``distinct_queries`` and ``repeat_share`` only the rows with a theme
    (``repeat_share`` is NaN when there is none).
    """
    clustered = assignments[assignments["theme"] != EMPTY_THEME]
    return {
        "queries": len(assignments),
        "answers_searched": assignments["task_id"].nunique(),
        "themes": len(themes),
        "distinct_queries": clustered["normalized"].nunique(),
        "repeat_share": clustered["repeats_prompt"].mean(),
    }


def queries_by_theme(clustered: pd.DataFrame, by: str) -> pd.DataFrame:
    """Query rows per theme label and value of ``by`` (model, prompt or engine): columns label, by, queries."""
    return clustered.groupby(["label", by], observed=True).size().rename("queries").reset_index()


def theme_queries(clustered: pd.DataFrame, theme: int) -> pd.DataFrame:
    """One theme's distinct queries, most asked first: query (as first written), count, answers, repeats_prompt.

    ``repeats_prompt`` is here the share of the query's rows that restate their prompt.
    """
    return (
        clustered[clustered["theme"] == theme]
        .groupby("normalized")
        .agg(query=("query", "first"), count=("task_id", "size"), answers=("task_id", "nunique"),
             repeats_prompt=("repeats_prompt", "mean"))
        .sort_values("count", ascending=False)
        .reset_index(drop=True)[["query", "count", "answers", "repeats_prompt"]]
    )


def prompt_repeats(clustered: pd.DataFrame, by: str = "model") -> pd.DataFrame:
    """Per value of ``by``: the share of its queries that restate the prompt (the rest widen it), and how many."""
    return (
        clustered.groupby(by, observed=True)["repeats_prompt"]
        .agg(["mean", "size"])
        .rename(columns={"mean": "repeat_share", "size": "queries"})
        .reset_index()
    )
