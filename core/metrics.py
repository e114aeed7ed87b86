"""Summaries shared by the CLI and the pages; each says what it counts and out of how many."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from core.tables import TOKEN_FIELDS, completed_tasks


def domain_counts(citations: pd.DataFrame, answers_total: int, by: str = "domain") -> pd.DataFrame:
    """Per cited site: citations, share of all citations, answers citing it and their share.

    ``answers_total`` is the number of completed answers the citations come from, so the
    answer share counts every completed answer, including those that cite nothing.
    """
    columns = [by, "citations", "citation_share", "answers", "answer_share"]
    cited = citations.dropna(subset=[by])
    if cited.empty:
        return pd.DataFrame(columns=columns)
    grouped = cited.groupby(by, observed=True).agg(citations=("task_id", "size"),
                                                    answers=("task_id", "nunique")).reset_index()
    grouped["citation_share"] = grouped["citations"] / len(citations)
    grouped["answer_share"] = grouped["answers"] / max(answers_total, 1)
    return grouped.sort_values(["citations", by], ascending=[False, True],
                               ignore_index=True)[columns]


def usage_totals(tasks: pd.DataFrame) -> dict[str, float | int | None]:
    """Over completed tasks: tokens; ``money_spent`` (exact, the model provider's charge);
    ``task_cost`` (DataForSEO's price where replies report one, else None); ``task_cost_estimated``
    (the price table's estimate for the tasks that report none); ``total_spend`` (all of it, never
    below money_spent) and ``total_spend_is_estimate``. Sums are exact, rounded once (``math.fsum``): a float
    sum rounds at every row, so a total on a half cent-millionth would round up or down with the rows'
    order (the archive's SQL totals, :mod:`core.archive.aggregates`, are exact the same way)."""
    completed = completed_tasks(tasks)
    reported = completed["task_cost"].dropna()
    estimated = completed[completed["spend_estimated"].astype(bool)]
    totals = {field: int(completed[field].sum()) for field in TOKEN_FIELDS}
    return {**totals, "money_spent": _total(completed["money_spent"]),
            "task_cost": _total(reported) if len(reported) else None,
            "task_cost_estimated": _total(estimated["task_price"]), "total_spend": _total(completed["spend"]),
            "total_spend_is_estimate": bool(len(estimated))}


def _total(amounts: pd.Series) -> float:
    return round(math.fsum(amounts.astype(float)), 6)


def role_of(domain: str, brands: list[str], competitors: list[str]) -> str:
    """"brand", "competitor" or "other" for a cited domain (a subdomain counts as its parent)."""
    if tracked_name(domain, brands):
        return "brand"
    return "competitor" if tracked_name(domain, competitors) else "other"


def domain_by_prompt(citations: pd.DataFrame, domains: list[str], by: str = "domain") -> pd.DataFrame:
    """Answers citing each of ``domains`` per prompt: rows are domains, columns prompts."""
    cited = citations[citations[by].isin(domains)]
    matrix = cited.groupby([by, "prompt"], observed=True)["task_id"].nunique().unstack(fill_value=0)
    return matrix.reindex(index=[d for d in domains if d in matrix.index])


def tracked_name(domain: str | None, names: list[str]) -> str | None:
    """The tracked name a cited domain belongs to (itself or a subdomain of it), if any."""
    if not domain:
        return None
    return next((name for name in names if domain == name or domain.endswith("." + name)), None)


def tracked(citations: pd.DataFrame, names: list[str], by: str = "domain") -> pd.Series:
    """For each citation, the tracked name it belongs to, or None (computed once per distinct site)."""
    lookup = {site: tracked_name(site, names) for site in citations[by].dropna().unique()}
    return citations[by].map(lookup).astype(object)


# --- Usage and cost (pages/usage.py) -----------------------------------------------------------

def _known(frame: pd.DataFrame, columns: list[str]) -> dict[str, pd.Series]:
    """``columns`` with missing values named "(unknown)", so a group-by keeps those rows."""
    return {column: frame[column].astype(object).fillna("(unknown)") for column in columns}


def _ratio(numerator: float, denominator: float) -> float | None:
    return float(numerator) / denominator if denominator else None


def usage_summary(tasks: pd.DataFrame, citations: pd.DataFrame) -> dict[str, float | int | None]:
    """``usage_totals`` plus what they are over: completed answers, not-counted tasks, citations,
    total tokens, and spend / money spent per answer and spend per citation (None when
    there is nothing to divide by).

    Only completed tasks count: pending and failed ones carry no result, so no tokens or cost.
    """
    totals = usage_totals(tasks)
    answers = len(completed_tasks(tasks))
    cited = len(citations)
    return {**totals, "total_tokens": sum(totals[field] for field in TOKEN_FIELDS),
            "answers": answers, "not_counted": len(tasks) - answers, "citations": cited,
            "spend_per_answer": _ratio(totals["total_spend"], answers),
            "money_per_answer": _ratio(totals["money_spent"], answers),
            "spend_per_citation": _ratio(totals["total_spend"], cited)}


USAGE_BY_MODEL_COLUMNS = ["engine", "model", "answers", *TOKEN_FIELDS, "total_tokens", "tokens_per_answer",
                          "money_spent", "spend", "spend_per_answer", "citations", "spend_per_citation",
                          "web_search_share", "reasoning_share"]


def usage_by_model(tasks: pd.DataFrame, citations: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per engine and model, over completed tasks: answers, tokens by kind and in all, mean tokens
    per answer, money spent, spend (money spent plus the task price, see :func:`core.tables.spend`),
    spend per answer, citations and spend per citation, the share of answers that ran with web search
    on, and the share of generated tokens (output + reasoning) spent on reasoning. Sorted by spend,
    highest first."""
    done = completed_tasks(tasks).assign(
        total_tokens=lambda f: f[list(TOKEN_FIELDS)].sum(axis=1),
        searched=lambda f: f["web_search"].eq(True).astype(int))  # None (no result field) counts as off
    if done.empty:
        return pd.DataFrame(columns=USAGE_BY_MODEL_COLUMNS)
    keys = ["engine", "model"]
    done = done.assign(**_known(done, keys))
    table = done.groupby(keys).agg(
        answers=("task_id", "size"), **{f: (f, "sum") for f in (*TOKEN_FIELDS, "total_tokens")},
        money_spent=("money_spent", "sum"), spend=("spend", "sum"), searched=("searched", "sum")).reset_index()
    if citations is not None and not citations.empty:
        cited = citations.assign(**_known(citations, keys))
        counts = cited.groupby(keys).size().rename("citations")
        table = table.merge(counts.reset_index(), on=keys, how="left")
    else:
        table["citations"] = 0
    table["citations"] = table["citations"].fillna(0).astype(int)
    table["tokens_per_answer"] = table["total_tokens"] / table["answers"]
    table["spend_per_answer"] = table["spend"] / table["answers"]
    table["spend_per_citation"] = (table["spend"] / table["citations"].where(table["citations"] > 0)).astype(float)
    table["web_search_share"] = table["searched"] / table["answers"]
    generated = table["output_tokens"] + table["reasoning_tokens"]
    table["reasoning_share"] = (table["reasoning_tokens"] / generated.where(generated > 0)).astype(float)
    return table.sort_values(["spend", "engine", "model"], ascending=[False, True, True],
                             ignore_index=True)[USAGE_BY_MODEL_COLUMNS]


PERIODS = {"day": "D", "week": "W-SUN", "month": "M"}


def period_start(datetimes: pd.Series, period: str) -> pd.Series:
    """The first UTC day (a date) of each timestamp's ``period``: ``day``, ``week`` (from Monday), ``month``."""
    days = datetimes.dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
    codes, uniques = pd.factorize(days)  # the few distinct days, not every row, become date objects
    starts = pd.Series(uniques).dt.to_period(PERIODS[period]).dt.start_time.dt.date.to_numpy(dtype=object)
    return pd.Series(np.where(codes >= 0, starts[np.maximum(codes, 0)] if len(starts) else None, pd.NaT),
                     index=datetimes.index, dtype=object)


def spend_over_time(tasks: pd.DataFrame, by: str = "engine", amount: str = "spend",
                    period: str = "day") -> pd.DataFrame:
    """``amount`` (``spend`` or ``money_spent``) of completed tasks summed per UTC answer ``period``
    (``day``, ``week`` from Monday, ``month``; ``day`` holds the period's first day) and ``by``
    (``engine`` or ``model``), with the number of answers; tasks without a date are left out."""
    done = completed_tasks(tasks).dropna(subset=["datetime"])
    columns = ["day", by, amount, "answers"]
    if done.empty:
        return pd.DataFrame(columns=columns)
    done = done.assign(day=period_start(done["datetime"], period), **_known(done, [by]))
    table = done.groupby(["day", by]).agg(**{amount: (amount, "sum"), "answers": ("task_id", "size")})
    return table.reset_index().sort_values(["day", by], ignore_index=True)[columns]


def distribution(frame: pd.DataFrame, column: str, by: str, bins: int = 60) -> pd.DataFrame:
    """How many rows of ``frame`` fall in each of ``bins`` equal ranges of ``column`` (shared by every ``by``
    group): ``by, low, high, rows``, empty ranges left out. A chart of it sends the ranges, not every row."""
    values = frame[column].astype(float).to_numpy()
    if not len(values):
        return pd.DataFrame(columns=[by, "low", "high", "rows"])
    edges = np.histogram_bin_edges(values, bins=bins)
    parts = []
    for group, rows in frame.groupby(by, observed=True, sort=True)[column]:
        counts, _ = np.histogram(rows.astype(float).to_numpy(), bins=edges)
        parts.append(pd.DataFrame({by: group, "low": edges[:-1], "high": edges[1:], "rows": counts}))
    table = pd.concat(parts, ignore_index=True)
    return table[table["rows"] > 0].reset_index(drop=True)
