"""The numbers of a review: what the Overview page shows and the HTML / markdown report sends.

:func:`build_review` gathers them from the tables and the presence table: our brand per engine
(mention rate, visibility, share of voice, with n and intervals), its trend, the most cited domains,
capture health (tasks per status), spend, usage per model, and what changed between two periods
(:mod:`core.changes`). :class:`Scope` says what the numbers cover. Pure: no I/O, no Streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import pandas as pd

from core import changes, metrics, visibility
from core.brands import BRAND, BrandSet
from core.model import STATUSES
from core.tables import Tables

TOP_DOMAINS = 10
HEALTH_SHOWN = ("pending", "failed", "not found", "expired")  # the statuses a review always names


@dataclass(frozen=True)
class Scope:
    """What a review covers: how many ids, which engines and answer dates, the tracked brands, the
    filters applied (label -> value as a person would read it), demo data or not, and when it was made."""

    ids: int
    engines: tuple[str, ...]
    first_day: date | None
    last_day: date | None
    brands: BrandSet
    filters: dict[str, str] = field(default_factory=dict)
    demo: bool = False
    made: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @classmethod
    def of(cls, tables: Tables, ids: int, brands: BrandSet, filters: dict[str, str] | None = None,
           demo: bool = False, made: datetime | None = None) -> "Scope":
        """The scope of ``tables``: engines and answer dates read from them."""
        dated = tables.answers["datetime"].dropna()
        engines = tuple(sorted({str(e) for e in tables.tasks["engine"].dropna().unique()}))
        first, last = (dated.min().tz_convert("UTC").date(), dated.max().tz_convert("UTC").date()) if len(dated) else (None, None)
        return cls(ids, engines, first, last, brands,
                   {k: v for k, v in (filters or {}).items() if v}, demo,
                   made or datetime.now(timezone.utc))

    @property
    def dates(self) -> str:
        if self.first_day is None:
            return "no dated answers"
        return str(self.first_day) if self.first_day == self.last_day else f"{self.first_day} to {self.last_day}"


@dataclass(frozen=True)
class Review:
    scope: Scope
    answers: int  # completed answers in scope: every rate's denominator
    ours: pd.DataFrame  # brand_summary rows of our brand(s), per engine
    brands: pd.DataFrame  # brand_summary, every brand, per engine
    brands_overall: pd.DataFrame  # brand_summary, every brand, all engines together
    trend: pd.DataFrame  # visibility_over_time rows of our brand(s), per engine
    domains: pd.DataFrame  # metrics.domain_counts, every cited site
    health: dict[str, int]  # tasks per status (every status, 0 when none)
    usage: dict  # metrics.usage_summary
    usage_by_model: pd.DataFrame  # metrics.usage_by_model
    changes: changes.Changes | None  # None without dated answers

    @property
    def top_domains(self) -> pd.DataFrame:
        return self.domains.head(TOP_DOMAINS)


def capture_health(tasks: pd.DataFrame) -> dict[str, int]:
    """Tasks per status, in the status table's order, every status listed (0 when none)."""
    counts = tasks["status"].astype(str).value_counts()
    return {status: int(counts.get(status, 0)) for status in STATUSES}


def build_review(tables: Tables, presence: pd.DataFrame, scope: Scope, by: str = "domain",
                 periods: changes.Periods | None = None) -> Review:
    """Every number of a review of ``tables`` (``presence``: their brand presence table, see
    :func:`core.mentions.brand_presence`)."""
    brands = scope.brands
    per_engine = visibility.brand_summary(presence, brands=brands)
    trend = visibility.visibility_over_time(presence)
    return Review(
        scope=scope, answers=len(tables.answers), ours=per_engine[per_engine["role"] == BRAND].reset_index(drop=True),
        brands=per_engine, brands_overall=visibility.brand_summary(presence, per_engine=False, brands=brands),
        trend=trend[trend["role"] == BRAND].reset_index(drop=True),
        domains=metrics.domain_counts(tables.citations, len(tables.answers), by),
        health=capture_health(tables.tasks), usage=metrics.usage_summary(tables.tasks, tables.citations),
        usage_by_model=metrics.usage_by_model(tables.tasks, tables.citations),
        changes=changes.what_changed(presence, tables.citations, periods, by) if len(presence) else None)
