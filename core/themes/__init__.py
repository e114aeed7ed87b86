"""Fan-out queries grouped into themes: what does the AI research around a market?

Fan-out queries are the web searches an LLM ran while answering a prompt; a few hundred prompts
give thousands of them, mostly small variations. ``find_themes`` turns them into a short list of
*themes* ("pricing · free plan", "slack · integration", "reviews · complaints") and returns
``Themes`` with two tables:

* ``themes``: one row per theme, largest first (theme 0 has the most query rows): its label, how
  many query rows, distinct queries, tasks, prompts, models and engines it covers, and
  ``top_domains``, the domains cited by most of the tasks its queries fed.
* ``assignments``: every input row with its normalized query, its theme and whether it merely
  restates its prompt (``repeats_prompt``) or widens it into a new angle.

Only the distinct normalized queries are clustered (sorted, so row order does not matter): 100k
rows with 30k distinct strings cost as much as 30k. Rows whose query is empty after normalization
get theme ``EMPTY_THEME`` (-1), label "(empty)", and are not counted in ``themes``.

This is lexical, not semantic: "cost" and "price" meet only through the queries they share words
with, and a brand asked about under several topics can pull a few of those queries together.

Modules, one concern each: ``normalize`` (text), ``repeats`` (query vs prompt), ``cluster``
(TF-IDF, SVD, k-means with k by silhouette), ``label`` (distinctive terms), ``summaries`` (the
per-theme tables the Fan-out page draws), ``find`` (the composition). No Streamlit, no I/O.
"""
from core.themes.find import ASSIGNMENT_COLUMNS, QueryClusters, Themes, cluster_queries, find_themes
from core.themes.normalize import normalize_query
from core.themes.summaries import (
    EMPTY_THEME,
    THEME_COLUMNS,
    fan_out_overview,
    prompt_repeats,
    queries_by_theme,
    theme_queries,
)

__all__ = [
    "Themes",
    "THEME_COLUMNS",
    "ASSIGNMENT_COLUMNS",
    "EMPTY_THEME",
    "normalize_query",
    "find_themes",
    "QueryClusters",
    "cluster_queries",
    "fan_out_overview",
    "queries_by_theme",
    "theme_queries",
    "prompt_repeats",
]
