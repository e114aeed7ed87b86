"""Counts, shares and sums over the archive's facts, computed in the database: a page or a report moves
these small results, never every row.

SQLAlchemy Core only, the same statements on SQLite and PostgreSQL (the one dialect difference, a
period's first day, is :func:`period_start`). Each function equals its pandas counterpart in
:mod:`core.metrics` over the tables :meth:`core.archive.Archive.tables` reads with the same filters
(the tests hold them to it); ``where`` is the list of conditions on ``aivis_tasks`` the archive's
filters make. Never writes, never parses a raw reply; ordering by text happens in Python, so a
database's collation cannot change it.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Mapping

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.archive.schema import citations_table, tasks_table
from core.metrics import PERIODS
from core.model import COMPLETED
from core.tables import TOKEN_FIELDS

t = tasks_table.c
GROUPS = ("engine", "model", "tag")  # what answers_per_period can split by
UNKNOWN = "(unknown)"  # a missing group value, named as core.metrics names it


def counts(conn: Connection, where: list[Any]) -> dict[str, Any]:
    """The tasks matching ``where`` (``tasks``, and per status in ``statuses``), the completed answers
    among them and those answers' citations and fan-out queries: the ``counts`` of the JSON report."""
    stmt = sa.select(t.status, sa.func.count(), sa.func.sum(t.citations), sa.func.sum(t.fan_out_queries))
    statuses, cited, fanned = {}, 0, 0
    for status, rows, citations, queries in conn.execute(stmt.where(*where).group_by(t.status)):
        statuses[status] = int(rows)
        if status == COMPLETED:
            cited, fanned = int(citations or 0), int(queries or 0)
    return {"tasks": sum(statuses.values()), "statuses": dict(sorted(statuses.items())),
            "completed": statuses.get(COMPLETED, 0), "citations": cited, "fan_out_queries": fanned}


def domain_counts(conn: Connection, where: list[Any], by: str = "domain", narrowed: bool = True) -> pd.DataFrame:
    """:func:`core.metrics.domain_counts` of the completed answers matching ``where``: per cited site
    (``domain`` or ``host``), citations and answers citing it, and their shares of all citations and of
    every completed answer (those citing nothing included). ``narrowed=False``: ``where`` holds no
    condition but on the status, so every citation counts (only answers have them) and no join is made:
    the (domain, task_id) index then answers alone."""
    columns = [by, "citations", "citation_share", "answers", "answer_share"]
    site = citations_table.c[by]
    done = [*where, t.status == COMPLETED]
    stmt = sa.select(site, sa.func.count(), sa.func.count(sa.distinct(citations_table.c.task_id)))
    if narrowed:
        stmt = stmt.select_from(sa.join(citations_table, tasks_table, citations_table.c.task_id == t.task_id)).where(*done)
    grouped = conn.execute(stmt.where(site.is_not(None)).group_by(site)).all()
    if not grouped:
        return pd.DataFrame(columns=columns)
    answers, citations = conn.execute(sa.select(sa.func.count(), sa.func.sum(t.citations)).where(*done)).one()
    frame = pd.DataFrame(grouped, columns=[by, "citations", "answers"]).astype({"citations": int, "answers": int})
    frame["citation_share"] = frame["citations"] / int(citations)
    frame["answer_share"] = frame["answers"] / max(int(answers), 1)
    return frame.sort_values(["citations", by], ascending=[False, True], ignore_index=True)[columns]


def usage_totals(conn: Connection, where: list[Any], prices: Mapping[str, float]) -> dict[str, float | int | None]:
    """:func:`core.metrics.usage_totals` over the completed tasks matching ``where``: tokens, money spent,
    the task cost replies reported, the estimated price of those reporting none (``prices["standard"]``,
    as :func:`core.tables.add_spend` prices them) and the total spend."""
    money = sa.func.coalesce(t.money_spent, 0.0)
    price = sa.literal(float(prices.get("standard", 0.0)), sa.Float)
    reported = t.task_cost.is_not(None)
    spend = sa.case((reported, sa.case((t.task_cost > money, t.task_cost), else_=money)), else_=money + price)
    estimated = sa.case((reported, None), else_=(money + price) - money)  # add_spend's task_price, the same sum
    stmt = sa.select(*(sa.func.coalesce(sa.func.sum(t[field]), 0) for field in TOKEN_FIELDS),
                     sa.func.count(t.task_cost), sa.func.count(estimated),
                     *(part for amount in (money, t.task_cost, estimated, spend) for part in _exact_sum(amount)))
    row = conn.execute(stmt.where(*where, t.status == COMPLETED)).one()
    tokens, (costs, prices_estimated), sums = row[:3], row[3:5], row[5:]
    spent, cost, price_sum, total = (_rounded(*sums[n:n + 2]) for n in range(0, len(sums), 2))
    return {**{field: int(value) for field, value in zip(TOKEN_FIELDS, tokens)},
            "money_spent": spent, "task_cost": cost if costs else None, "task_cost_estimated": price_sum,
            "total_spend": total, "total_spend_is_estimate": bool(prices_estimated)}


def answers_per_period(conn: Connection, where: list[Any], period: str = "day", by: str = "engine") -> pd.DataFrame:
    """Completed answers matching ``where`` per UTC ``period`` (``day``, ``week`` from Monday, ``month``;
    ``day`` holds the period's first day, a date, as :func:`core.metrics.period_start` buckets it) and
    ``by`` (one of ``GROUPS``; a missing value is "(unknown)"), sorted by both; answers without a date
    are left out (the ``day`` and ``answers`` columns of :func:`core.metrics.spend_over_time`)."""
    if by not in GROUPS:
        raise ValueError(f"by must be one of {', '.join(GROUPS)}, not {by!r}")
    start = period_start(t.task_datetime, period, conn.dialect.name)
    stmt = sa.select(start, t[by], sa.func.count()).where(*where, t.status == COMPLETED, t.task_datetime.is_not(None))
    frame = pd.DataFrame(conn.execute(stmt.group_by(start, t[by])).all(), columns=["day", by, "answers"])
    frame[by] = frame[by].astype(object).fillna(UNKNOWN)
    frame = frame.astype({"answers": int}).groupby(["day", by], as_index=False)["answers"].sum()  # null and "(unknown)" as one
    return frame.sort_values(["day", by], ignore_index=True)


def period_start(when: sa.ColumnElement, period: str, dialect: str) -> sa.ColumnElement:
    """The first day (a date) of the UTC ``period`` holding ``when`` (a naive UTC datetime column):
    PostgreSQL's ``date_trunc`` (weeks start on Monday), SQLite's date modifiers to the same days."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    if dialect == "postgresql":
        return sa.cast(sa.func.date_trunc(period, when), sa.Date)
    modifiers = {"day": (), "week": ("weekday 0", "-6 days"), "month": ("start of month",)}[period]
    return sa.type_coerce(sa.func.date(when, *modifiers), sa.Date)  # "weekday 0": this Sunday, or the next


_SCALE = 2 ** 30  # amounts are summed as integers of 2**-30 (exact) plus float remainders below one unit
_WHOLE = 2 ** 32  # larger amounts (none is real: dollars) go to the float part, keeping the integers in range


def _exact_sum(amount: sa.ColumnElement) -> tuple[sa.ColumnElement, sa.ColumnElement]:
    """Two aggregates whose :func:`_rounded` is the sum of ``amount`` rounded once: a float ``SUM`` rounds at
    every row, in an order the database picks, so a total on a half cent-millionth (amounts have 7
    decimals) would round up on one database and down on another. Scaling by a power of two is exact, and
    so is the remainder of a scaled amount after its nearest integer."""
    scaled = amount * float(_SCALE)
    units = sa.case((sa.func.abs(amount) < _WHOLE, sa.cast(sa.func.round(scaled), sa.BigInteger)), else_=0)
    return sa.func.sum(units), sa.func.sum(scaled - units)


def _rounded(units: Any, remainder: Any) -> float:
    """The sum of :func:`_exact_sum`, to a float (correctly rounded), then to 6 decimals as pandas' totals."""
    return round(float((Fraction(int(units or 0)) + Fraction(float(remainder or 0.0))) / _SCALE), 6)
