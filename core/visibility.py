"""Brand visibility metrics over the presence table (``core.mentions.brand_presence``).

Every count comes with its denominator and every rate with its 95% Wilson interval
(``<rate>_ci_low``, ``<rate>_ci_high``), because answers vary from run to run and samples are
small. The denominator is always completed answers: the presence table holds only those, so
pending and failed tasks never count as "not named". Engines are kept apart unless asked
(``per_engine=False`` gives one row per brand under ``ALL_ENGINES``). Pure functions, no I/O.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from core import metrics
from core.brands import BRAND, BrandSet
from core.mentions import BrandMatcher

ALL_ENGINES = "all engines"
COUNTS = ["answers", "mentioned", "cited", "visible"]
RATES = {"mention_rate": "mentioned", "citation_rate": "cited", "visibility_rate": "visible"}
RATE_COLUMNS = [c for rate in RATES for c in (rate, f"{rate}_ci_low", f"{rate}_ci_high")]
SUMMARY_COLUMNS = ["engine", "name", "role", *COUNTS, "cited_not_named", "named_not_cited", *RATE_COLUMNS,
                   "mentions", "mentions_total", "share_of_voice", "avg_rank"]
OVER_TIME_COLUMNS = ["period", "engine", "name", "role", *COUNTS, *RATE_COLUMNS]
GRID_STATES = ("named", "cited only", "neither", "no answer")
GRID_COLUMNS = ["prompt", "engine", "state", "answers", "named", "cited", "task_ids"]
BRANDED_CHOICES = ("all", "branded", "unbranded")


def wilson_interval(successes, totals, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of ``successes`` out of ``totals`` (arrays); NaN where a total is 0.
    Wilson (1927): (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    successes = np.asarray(successes, dtype=float)
    totals = np.asarray(totals, dtype=float)
    low, high = np.full(totals.shape, np.nan), np.full(totals.shape, np.nan)
    some = totals > 0
    if some.any():
        low[some], high[some] = proportion_confint(successes[some], totals[some], alpha=1 - confidence,
                                                   method="wilson")
    return low, high


def _with_rates(table: pd.DataFrame) -> pd.DataFrame:
    answers = table["answers"].to_numpy()
    for rate, count in RATES.items():
        table[rate] = (table[count] / table["answers"].where(table["answers"] > 0)).astype(float)
        table[f"{rate}_ci_low"], table[f"{rate}_ci_high"] = wilson_interval(table[count].to_numpy(), answers)
    return table


def _counted(presence: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Answers, and how many of them name / cite / show each brand, per ``keys``."""
    grouped = presence.assign(rank=presence["rank"].where(presence["named"]),
                              cited_not_named=presence["cited"] & ~presence["named"],
                              named_not_cited=presence["named"] & ~presence["cited"])
    table = grouped.groupby(keys, sort=False, observed=True).agg(
        answers=("task_id", "nunique"), mentioned=("named", "sum"), cited=("cited", "sum"),
        visible=("visible", "sum"), cited_not_named=("cited_not_named", "sum"),
        named_not_cited=("named_not_cited", "sum"), mentions=("count", "sum"), avg_rank=("rank", "mean"))
    return _with_rates(table.reset_index())


def _engines(presence: pd.DataFrame, per_engine: bool) -> pd.DataFrame:
    return presence if per_engine else presence.assign(engine=ALL_ENGINES)


def brand_summary(presence: pd.DataFrame, per_engine: bool = True, brands: BrandSet | None = None) -> pd.DataFrame:
    """Per engine (or ``ALL_ENGINES``) and brand (``SUMMARY_COLUMNS``): answers, mentioned, cited,
    visible, the two gaps (cited_not_named, named_not_cited), the three rates with intervals,
    mentions and share of voice (the brand's mentions over all tracked brands' mentions in the
    engine; a share of mentions, not of answers, so it gets no interval) and avg_rank (mean rank
    when named, NaN if never). With ``brands``, every brand has a row even with no answers."""
    frame = _engines(presence, per_engine)
    table = _counted(frame, ["engine", "name", "role"])
    if brands is not None and not per_engine:
        missing = [b for b in brands.all if b.name not in set(table["name"])]
        zeros = pd.DataFrame({"engine": ALL_ENGINES, "name": [b.name for b in missing],
                              "role": [b.role for b in missing], "avg_rank": np.nan,
                              **{c: 0 for c in (*COUNTS, "cited_not_named", "named_not_cited", "mentions")}})
        table = _with_rates(pd.concat([table, zeros], ignore_index=True) if len(table) else zeros)
    order = {name: i for i, name in enumerate(brands.names() if brands else table["name"].unique())}
    table["mentions_total"] = table.groupby("engine")["mentions"].transform("sum")
    table["share_of_voice"] = (table["mentions"] / table["mentions_total"].where(table["mentions_total"] > 0)).astype(float)
    table = table.assign(_order=table["name"].map(order)).sort_values(["engine", "_order"], ignore_index=True)
    return table[SUMMARY_COLUMNS]


def choose_grain(datetimes: pd.Series) -> str:
    """``day`` when the answers span up to 14 calendar days, ``week`` up to 90, else ``month``."""
    days = pd.to_datetime(datetimes, utc=True).dropna()
    span = (days.max().normalize() - days.min().normalize()).days + 1 if len(days) else 0
    return "day" if span <= 14 else "week" if span <= 90 else "month"


def visibility_over_time(presence: pd.DataFrame, grain: str | None = None, per_engine: bool = True) -> pd.DataFrame:
    """Per UTC ``period`` (its first day: ``day``, ``week`` from Monday, ``month``; chosen by
    ``choose_grain`` unless given), engine and brand: answers, mentioned, cited, visible and the
    rates with intervals (``OVER_TIME_COLUMNS``). Answers without a date are left out."""
    dated = _engines(presence, per_engine).dropna(subset=["datetime"])
    if dated.empty:
        return pd.DataFrame(columns=OVER_TIME_COLUMNS)
    grain = grain or choose_grain(dated["datetime"])
    dated = dated.assign(period=metrics.period_start(dated["datetime"], grain))
    table = _counted(dated, ["period", "engine", "name", "role"])
    order = {name: i for i, name in enumerate(presence["name"].unique())}
    table = table.assign(_order=table["name"].map(order)).sort_values(["period", "engine", "_order"],
                                                                      ignore_index=True)
    return table[OVER_TIME_COLUMNS]


def prompt_engine_grid(presence: pd.DataFrame, tasks: pd.DataFrame, names: list[str] | None = None) -> pd.DataFrame:
    """Per prompt and engine, the state of our brand (``names``, default every ``brand``-role
    brand): ``named`` if an answer names it, else ``cited only`` if one cites it, else
    ``neither``; ``no answer`` when the cell has no completed answer. ``task_ids`` are the
    answers behind the cell (for ``no answer``, its pending or failed tasks, if any)."""
    if names is None:
        names = list(presence.loc[presence["role"] == BRAND, "name"].unique())
    ours = presence[presence["name"].isin(names)].groupby("task_id").agg(named=("named", "any"),
                                                                        cited=("cited", "any"))
    placed = tasks.dropna(subset=["prompt"]).assign(engine=lambda f: f["engine"].astype(object))
    placed = placed.assign(answered=placed["task_id"].isin(presence["task_id"]))
    placed = placed.join(ours, on="task_id").fillna({"named": False, "cited": False})
    placed = placed.assign(named=placed["named"] & placed["answered"], cited=placed["cited"] & placed["answered"],
                           answer_id=placed["task_id"].where(placed["answered"]))
    grid = placed.groupby(["prompt", "engine"], sort=False).agg(
        answers=("answered", "sum"), named=("named", "sum"), cited=("cited", "sum"),
        answer_ids=("answer_id", lambda s: s.dropna().tolist()), all_ids=("task_id", list))
    cells = pd.MultiIndex.from_product([list(placed["prompt"].unique()), sorted(set(placed["engine"]))],
                                       names=["prompt", "engine"])
    grid = grid.reindex(cells).reset_index()
    grid[["answers", "named", "cited"]] = grid[["answers", "named", "cited"]].fillna(0).astype(int)
    grid["state"] = np.select([grid["answers"] == 0, grid["named"] > 0, grid["cited"] > 0],
                              ["no answer", "named", "cited only"], "neither")
    grid["task_ids"] = [a if n else (b if isinstance(b, list) else [])
                        for n, a, b in zip(grid["answers"], grid["answer_ids"], grid["all_ids"])]
    return grid[GRID_COLUMNS]


def branded_prompts(prompts: pd.Series, brands: BrandSet) -> pd.Series:
    """True for each prompt that names one of our brands (the ``brand`` role), by the same matcher
    as the answers; such prompts inflate visibility."""
    matcher = BrandMatcher(BrandSet(brands.brands))
    lookup = {p: bool(matcher.find(p)) for p in prompts.dropna().unique()}
    return prompts.map(lookup).fillna(False).astype(bool)


def filter_branded(frame: pd.DataFrame, brands: BrandSet, which: str = "all") -> pd.DataFrame:
    """The rows of ``frame`` (any table with a ``prompt`` column) whose prompt is ``branded``,
    ``unbranded``, or ``all`` of them."""
    if which not in BRANDED_CHOICES:
        raise ValueError(f"which must be one of {', '.join(BRANDED_CHOICES)}, not {which!r}")
    if which == "all":
        return frame
    mask = branded_prompts(frame["prompt"], brands)
    return frame[mask if which == "branded" else ~mask]


def _count_or_none(value: float) -> float | None:
    return None if pd.isna(value) else float(value)


def brand_records(presence: pd.DataFrame, brands: BrandSet) -> list[dict]:
    """The ``brands`` list of ``report --format json``: per brand (all engines together) name,
    role, answers, mentioned, cited, visible, mention_rate_ci ``[low, high]``, avg_rank (None if
    never named) and by_engine ``{engine: {answers, mentioned, cited, visible}}``. Strict JSON:
    no NaN, only None."""
    overall = brand_summary(presence, per_engine=False, brands=brands)
    engines = brand_summary(presence)
    records = []
    for row in overall.itertuples():
        own = engines[engines["name"] == row.name]
        records.append({
            "name": row.name, "role": row.role, **{c: int(getattr(row, c)) for c in COUNTS},
            "mention_rate_ci": [_count_or_none(row.mention_rate_ci_low), _count_or_none(row.mention_rate_ci_high)],
            "avg_rank": _count_or_none(row.avg_rank),
            "by_engine": {str(e.engine): {c: int(getattr(e, c)) for c in COUNTS} for e in own.itertuples()}})
    return records


GAP_COLUMNS = ["prompt", "answers", "ours_named", "competitors_named", "competitors", "gap"]


def prompt_gaps(presence: pd.DataFrame) -> pd.DataFrame:
    """Per prompt: completed answers, how many name one of our brands, how many name a competitor, which
    competitors; ``gap`` marks prompts where competitors are named and we never are (gaps first)."""
    if presence.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    named = presence[presence["named"]]
    answers = presence.groupby("prompt", observed=True)["task_id"].nunique()
    ours = named[named["role"] == BRAND].groupby("prompt", observed=True)["task_id"].nunique()
    rivals = named[named["role"] != BRAND]
    rival_answers = rivals.groupby("prompt", observed=True)["task_id"].nunique()
    rival_names = rivals.groupby("prompt", observed=True)["name"].agg(lambda s: ", ".join(dict.fromkeys(s)))
    table = pd.DataFrame({"answers": answers, "ours_named": ours.reindex(answers.index, fill_value=0),
                          "competitors_named": rival_answers.reindex(answers.index, fill_value=0),
                          "competitors": rival_names.reindex(answers.index, fill_value="")})
    table["gap"] = (table["competitors_named"] > 0) & (table["ours_named"] == 0)
    table = table.reset_index().sort_values(["gap", "competitors_named", "prompt"], ascending=[False, False, True],
                                            ignore_index=True)
    return table[GAP_COLUMNS]
