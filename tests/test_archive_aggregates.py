"""core.archive.aggregates: counts, shares, sums and answers per period computed in the database equal the
pandas summaries (core.metrics over build_tables of the same archived outcomes), on SQLite and PostgreSQL.

Each test runs on both (the ``archive_url`` fixture of test_archive), so equal to pandas on both means the
same numbers on both. The whole-archive JSON report, now counted in the database and streamed, stays
byte-identical to the report built from every outcome.
"""
from __future__ import annotations

import contextlib
import io
import json
from collections import Counter
from datetime import date, datetime, timezone

import pandas as pd
import pytest

from core import cli, metrics, model, sansio
from core.archive import Archive
from core.demo import DemoSource, demo_ids
from core.tables import build_tables
from tests.test_archive import SAMPLES, _private_archive, archive_url, completed, other, uid  # noqa: F401 (fixtures)

PRICES = {"standard": 0.0123}  # not the default: the estimated task price must come from these
WEEK_EDGES = [  # (result datetime as the API writes it, its UTC day, week start (Monday), month start)
    ("2025-03-09 23:59:59 +00:00", date(2025, 3, 9), date(2025, 3, 3), date(2025, 3, 1)),  # a Sunday
    ("2025-03-10 00:00:00 +00:00", date(2025, 3, 10), date(2025, 3, 10), date(2025, 3, 1)),  # a Monday
    ("2025-03-10 01:00:00 +02:00", date(2025, 3, 9), date(2025, 3, 3), date(2025, 3, 1)),  # Sunday 23:00 UTC
    ("2025-04-01 00:30:00 +01:00", date(2025, 3, 31), date(2025, 3, 31), date(2025, 3, 1)),  # March in UTC
]


def sample_outcomes() -> list[model.TaskOutcome]:
    """Every reply sample that holds a task (as the API sent it), plus completed copies under other ids,
    models, tags and dates (around week and month edges), and a completed answer without a date."""
    outcomes = []
    for path in sorted(SAMPLES.glob("*.json")):
        reply = json.loads(path.read_text(encoding="utf-8"))
        for task in reply.get("tasks") or []:
            engine = task["path"][2] if task.get("path") else "gemini"  # v3/ai_optimization/<engine>/...
            outcomes.append(sansio.outcome_of(engine, task["id"], task))
    names = ["gemini_direct_url", "chat_gpt_web_search", "claude_reasoning"]
    for n, (when, *_starts) in enumerate(WEEK_EDGES * 3):
        outcomes.append(completed(uid(n), names[n % 3], model=f"model-{n % 2}", tag=f"tag-{n % 4}", when=when))
    undated = completed(uid(90), "claude_reasoning", tag="tag-0")
    del undated.task["result"][0]["datetime"]
    outcomes.append(sansio.outcome_of("claude", undated.task_id, undated.task))
    outcomes += [other(uid(91)), other(uid(92), model.FAILED, "claude")]
    return outcomes


DATA = {"demo": lambda: DemoSource().fetch_tasks(demo_ids()).outcomes, "samples": sample_outcomes}
FILTERS = [
    {}, {"statuses": None}, {"engines": ["gemini"]}, {"engines": ["chat_gpt", "claude"], "statuses": None},
    {"models": ["gpt-5", "model-1"]}, {"tags": ["pm-weekly", "tag-2"]},
    {"since": "2025-03-10", "until": date(2026, 9, 30)}, {"until": "2025-03-09"},
    {"since": datetime(2026, 9, 1, 12, tzinfo=timezone.utc), "engines": ["claude"], "tags": ["pm-apac"]},
    {"models": ["no such model"]},
]


@pytest.fixture(params=list(DATA))
def filled(request, archive_url):
    with Archive(archive_url) as archive:
        archive.save(DATA[request.param]())
        yield archive


def reference(archive: Archive, filters: dict):
    """The pandas side: the tables built from every outcome the archive returns for ``filters``."""
    outcomes = archive.query(**filters)
    return outcomes, build_tables(outcomes, PRICES)


@pytest.mark.parametrize("filters", FILTERS)
def test_counts_equal_the_tables(filled, filters):
    outcomes, tables = reference(filled, filters)
    assert filled.counts(**filters) == {
        "tasks": len(outcomes), "statuses": dict(sorted(Counter(o.status for o in outcomes).items())),
        "completed": len(tables.answers), "citations": len(tables.citations), "fan_out_queries": len(tables.fan_out)}


@pytest.mark.parametrize("by", ["domain", "host"])
@pytest.mark.parametrize("filters", FILTERS)
def test_domain_counts_equal_the_tables(filled, filters, by):
    _, tables = reference(filled, filters)
    expected = metrics.domain_counts(tables.citations, len(tables.answers), by)
    found = filled.domain_counts(by=by, **filters)
    if expected.empty:
        assert found.empty and list(found.columns) == list(expected.columns)
    else:
        pd.testing.assert_frame_equal(found, expected)


@pytest.mark.parametrize("filters", FILTERS)
def test_usage_totals_equal_the_tables(filled, filters):
    _, tables = reference(filled, filters)
    assert filled.usage_totals(PRICES, **filters) == metrics.usage_totals(tables.tasks)


@pytest.mark.parametrize("period", ["day", "week", "month"])
@pytest.mark.parametrize("by", ["engine", "model"])
@pytest.mark.parametrize("filters", FILTERS)
def test_answers_per_period_equal_the_tables(filled, filters, period, by):
    _, tables = reference(filled, filters)
    expected = metrics.spend_over_time(tables.tasks, by, period=period)[["day", by, "answers"]]
    found = filled.answers_per_period(period, by, **filters)
    assert list(found.columns) == ["day", by, "answers"]
    assert found.astype({by: object}).to_dict("records") == expected.astype({by: object}).to_dict("records")


def test_periods_start_on_the_utc_day_monday_and_first_of_month(archive_url):
    """Read from the datetimes themselves: a Sunday late in UTC stays in its week, an offset moves the day."""
    with Archive(archive_url) as archive:
        archive.save([completed(uid(n), when=when) for n, (when, *_starts) in enumerate(WEEK_EDGES)])
        for column, period in ((1, "day"), (2, "week"), (3, "month")):
            expected = Counter(edge[column] for edge in WEEK_EDGES)
            found = archive.answers_per_period(period)
            assert dict(zip(found["day"], found["answers"])) == dict(sorted(expected.items()))
            assert set(found["engine"]) == {"gemini"}


def test_sample_citations_are_counted_from_the_replies(archive_url):
    """The numbers re-derived from the raw sample replies: every annotation is a citation, and the redirect
    sample cites g2.com twice in one answer."""
    outcomes = [o for o in sample_outcomes() if o.status == model.COMPLETED]
    annotations = sum(len(section.get("annotations") or []) for o in outcomes
                      for item in o.task["result"][0]["items"] if item.get("type") == "message"
                      for section in item.get("sections") or [])
    assert annotations > 20
    with Archive(archive_url) as archive:
        archive.save(outcomes)
        assert archive.counts()["citations"] == annotations
        only = archive.domain_counts(engines=["gemini"], models=["gemini-2.5-flash"])
        g2 = only.set_index("domain").loc["g2.com"]
        assert (g2["citations"], g2["answers"]) == (2, 1)


def test_a_bad_period_or_group_is_refused(archive_url):
    with Archive(archive_url) as archive:
        with pytest.raises(ValueError, match="period"):
            archive.answers_per_period("year")
        with pytest.raises(ValueError, match="by"):
            archive.answers_per_period("day", by="prompt; DROP TABLE")


def _stdout(call) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        call()
    return out.getvalue()


@pytest.mark.parametrize("options", [[], ["--engine", "claude"], ["--model", "gpt-5", "--model", "model-0"],
                                     ["--tag", "pm-weekly", "--tag", "tag-1"], ["--since", "2025-03-10"],
                                     ["--until", "2026-08-31T12:00:00+00:00"]])
def test_archive_json_report_is_byte_identical_to_the_report_of_every_outcome(filled, options):
    argv = ["report", "--format", "json", "--archive", filled.url.render_as_string(hide_password=False), *options]
    settings = cli._settings()  # as run() reads them
    args = cli._parser().parse_args(argv)
    args.tracked = None
    outcomes = filled.query(engines=[args.engine] if args.engine else None, models=args.model, tags=args.tag,
                            since=args.since, until=args.until)
    before = _stdout(lambda: cli._report(args, outcomes, settings))
    assert _stdout(lambda: cli.run(argv)) == before
    assert json.loads(before)["counts"]["tasks"] == len(outcomes)
