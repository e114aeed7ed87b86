"""What changed between two periods: brands' mention rates, cited domains, prompts where our brand came or went.

Periods are inclusive UTC date ranges; by default the last calendar period holding answers (a day, week
or month, as :func:`core.visibility.choose_grain` picks for the data) against the latest earlier one
holding answers (the last time they were captured). A mention rate "moved" only when a two-proportion z-test (statsmodels ``proportions_ztest``) says so
at the 5% level; smaller moves are labelled ``within noise``, and a period without answers makes the
rates ``not comparable``. Pure functions over the presence table (:func:`core.mentions.brand_presence`)
and the citations table (:mod:`core.tables`): no I/O, no Streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportions_ztest

from core import metrics
from core.brands import BRAND
from core.visibility import ALL_ENGINES, choose_grain, wilson_interval

UP, DOWN, NOISE, NOT_COMPARABLE = "up", "down", "within noise", "not comparable"
APPEARED, DISAPPEARED = "appeared", "disappeared"
GAINED, LOST = "gained", "lost"
SIGNIFICANCE = 0.05
SIDES = ("before", "after")
RATE_CHANGE_COLUMNS = ["engine", "name", "role",
                       *(f"{c}_{side}" for side in SIDES for c in ("answers", "mentioned", "rate", "ci_low", "ci_high")),
                       "difference", "p_value", "verdict"]
DOMAIN_CHANGE_COLUMNS = ["domain", "change", "citations_before", "citations_after", "answers_before", "answers_after"]
PROMPT_CHANGE_COLUMNS = ["prompt", "change", "answers_before", "named_before", "answers_after", "named_after"]


@dataclass(frozen=True)
class Periods:
    """Two inclusive UTC date ranges, ``before`` then ``after``; they may not overlap."""

    before: tuple[date, date]
    after: tuple[date, date]

    def __post_init__(self) -> None:
        for start, end in (self.before, self.after):
            if start > end:
                raise ValueError(f"a period cannot end ({end}) before it starts ({start})")
        if self.before[0] <= self.after[1] and self.after[0] <= self.before[1]:
            raise ValueError(f"the periods overlap ({_label(self.before)} and {_label(self.after)}): "
                             "pick two separate ranges")

    @property
    def labels(self) -> tuple[str, str]:
        return _label(self.before), _label(self.after)


def _label(span: tuple[date, date]) -> str:
    return str(span[0]) if span[0] == span[1] else f"{span[0]} to {span[1]}"


def _period_end(start: date, grain: str) -> date:
    if grain == "day":
        return start
    if grain == "week":
        return start + timedelta(days=6)
    return (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()


def default_periods(datetimes: pd.Series, grain: str | None = None) -> Periods | None:
    """The last calendar ``grain`` (day, week from Monday, month; chosen for the data unless given)
    holding an answer, against the latest earlier one holding an answer (the calendar ``grain``
    just before it when there is none); None without dated answers."""
    dated = pd.to_datetime(datetimes, utc=True).dropna()
    if dated.empty:
        return None
    grain = grain or choose_grain(dated)
    starts = sorted(set(metrics.period_start(pd.Series(dated), grain)))
    last = starts[-1]
    previous = starts[-2] if len(starts) > 1 else metrics.period_start(
        pd.Series([pd.Timestamp(last, tz="UTC") - pd.Timedelta(days=1)]), grain)[0]
    return Periods((previous, _period_end(previous, grain)), (last, _period_end(last, grain)))


def in_period(frame: pd.DataFrame, span: tuple[date, date]) -> pd.DataFrame:
    """The rows of ``frame`` (with a ``datetime`` column) answered within ``span`` (UTC days)."""
    when = frame["datetime"]  # compared as timestamps: a date object per row costs seconds at a year's scale
    return frame[(when >= pd.Timestamp(span[0], tz="UTC")) & (when < pd.Timestamp(span[1], tz="UTC") + pd.Timedelta(days=1))]


def _p_value(counts: np.ndarray, totals: np.ndarray) -> float:
    """The two-sided p-value of equal rates; 1.0 when both periods are all or nothing (no spread to test)."""
    pooled = counts.sum() / totals.sum()
    if pooled in (0.0, 1.0):
        return 1.0
    return float(proportions_ztest(counts, totals)[1])


def rate_changes(presence: pd.DataFrame, periods: Periods, per_engine: bool = True) -> pd.DataFrame:
    """Per engine (or ``ALL_ENGINES``) and brand (``RATE_CHANGE_COLUMNS``): answers, answers naming
    it, the mention rate and its 95% Wilson interval in each period; the difference (after minus
    before), the z-test's p-value and the verdict: ``up`` / ``down`` (p < 0.05), ``within noise``,
    or ``not comparable`` when a period has no answers."""
    frame = presence if per_engine else presence.assign(engine=ALL_ENGINES)
    keys = ["engine", "name", "role"]
    sides = []
    for side, span in zip(SIDES, (periods.before, periods.after)):
        counted = in_period(frame, span).groupby(keys, sort=False, observed=True).agg(
            answers=("task_id", "nunique"), mentioned=("named", "sum"))
        sides.append(counted.add_suffix(f"_{side}"))
    pairs = frame[keys].drop_duplicates().set_index(keys)
    table = pairs.join(sides[0]).join(sides[1]).fillna(0).astype(int).reset_index()
    for side in SIDES:
        answers, mentioned = table[f"answers_{side}"], table[f"mentioned_{side}"]
        table[f"rate_{side}"] = (mentioned / answers.where(answers > 0)).astype(float)
        table[f"ci_low_{side}"], table[f"ci_high_{side}"] = wilson_interval(mentioned.to_numpy(), answers.to_numpy())
    table["difference"] = table["rate_after"] - table["rate_before"]
    comparable = (table["answers_before"] > 0) & (table["answers_after"] > 0)
    table["p_value"] = [
        _p_value(np.array([b, a]), np.array([nb, na])) if ok else np.nan
        for ok, b, a, nb, na in zip(comparable, table["mentioned_before"], table["mentioned_after"],
                                    table["answers_before"], table["answers_after"])]
    moved = table["p_value"] < SIGNIFICANCE
    table["verdict"] = np.select([~comparable, moved & (table["difference"] > 0), moved & (table["difference"] < 0)],
                                 [NOT_COMPARABLE, UP, DOWN], NOISE)
    order = {name: i for i, name in enumerate(presence["name"].unique())}
    table = table.assign(_order=table["name"].map(order)).sort_values(["engine", "_order"], ignore_index=True)
    return table[RATE_CHANGE_COLUMNS]


def domain_changes(citations: pd.DataFrame, periods: Periods, by: str = "domain") -> pd.DataFrame:
    """Cited sites (``by``: domain or host) cited in one period and not in the other
    (``DOMAIN_CHANGE_COLUMNS``, the site in the ``domain`` column): ``appeared`` or ``disappeared``,
    with citations and citing answers in each period; most cited first."""
    counts = []
    for side, span in zip(SIDES, (periods.before, periods.after)):
        cited = in_period(citations, span).dropna(subset=[by])
        counts.append(cited.groupby(by, observed=True).agg(**{f"citations_{side}": ("task_id", "size"),
                                                             f"answers_{side}": ("task_id", "nunique")}))
    table = counts[0].join(counts[1], how="outer").fillna(0).astype(int)
    table = table.rename_axis("domain").reset_index()
    table["change"] = np.select([table["citations_before"] == 0, table["citations_after"] == 0],
                                [APPEARED, DISAPPEARED], "")
    table = table[table["change"] != ""]
    table = table.assign(_most=table[["citations_before", "citations_after"]].max(axis=1))
    return table.sort_values(["change", "_most", "domain"], ascending=[True, False, True],
                             ignore_index=True)[DOMAIN_CHANGE_COLUMNS]


def prompt_changes(presence: pd.DataFrame, periods: Periods, names: list[str] | None = None) -> pd.DataFrame:
    """Prompts answered in both periods where our brand (``names``, default every ``brand``-role
    brand) was named in one period and never in the other (``PROMPT_CHANGE_COLUMNS``): ``gained``
    (named only after) or ``lost`` (named only before), with answers and answers naming it."""
    if names is None:
        names = list(presence.loc[presence["role"] == BRAND, "name"].unique())
    ours = presence[presence["name"].isin(names)]
    sides = []
    for side, span in zip(SIDES, (periods.before, periods.after)):
        per_answer = in_period(ours, span).groupby(["prompt", "task_id"], observed=True)["named"].any()
        sides.append(per_answer.groupby(level="prompt").agg(["size", "sum"]).set_axis(
            [f"answers_{side}", f"named_{side}"], axis=1))
    table = sides[0].join(sides[1], how="inner").astype(int).reset_index()
    gained = (table["named_before"] == 0) & (table["named_after"] > 0)
    lost = (table["named_before"] > 0) & (table["named_after"] == 0)
    table = table.assign(change=np.select([gained, lost], [GAINED, LOST], ""))
    return table[table["change"] != ""].sort_values(["change", "prompt"], ignore_index=True)[PROMPT_CHANGE_COLUMNS]


@dataclass(frozen=True)
class Changes:
    periods: Periods
    rates: pd.DataFrame  # rate_changes
    domains: pd.DataFrame  # domain_changes
    prompts: pd.DataFrame  # prompt_changes

    @property
    def moved(self) -> pd.DataFrame:
        """The rate rows whose change is real (``up`` or ``down``)."""
        return self.rates[self.rates["verdict"].isin((UP, DOWN))]


def what_changed(presence: pd.DataFrame, citations: pd.DataFrame, periods: Periods | None = None,
                 by: str = "domain", per_engine: bool = True) -> Changes | None:
    """Every change between ``periods`` (default :func:`default_periods` of the answers); None when
    there are no dated answers to split."""
    periods = periods or default_periods(presence["datetime"].drop_duplicates())
    if periods is None:
        return None
    return Changes(periods, rate_changes(presence, periods, per_engine), domain_changes(citations, periods, by),
                   prompt_changes(presence, periods))
