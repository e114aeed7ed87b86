"""Usage and cost metrics: totals over completed tasks, per model, over time."""
from __future__ import annotations

import json
import math
from datetime import date

import pandas as pd
import pytest

from core import metrics, sansio
from core.config import DEFAULT_TASK_PRICES
from core.model import PENDING, TaskOutcome
from core.tables import build_tables


def _task(task_id, engine="chat_gpt", model="gpt-x", when="2026-11-16 09:00:00 +00:00", tokens=(10, 20, 0),
          money=0.01, cost=None, web_search=True, citations=0):
    notes = [{"title": f"t{n}", "url": f"https://site{n}.example/page"} for n in range(citations)]
    result = {"model_name": model, "input_tokens": tokens[0], "output_tokens": tokens[1],
              "reasoning_tokens": tokens[2], "web_search": web_search, "money_spent": money, "datetime": when,
              "items": [{"type": "message", "sections": [{"type": "text", "text": "answer",
                                                          "annotations": notes if web_search else None}]}],
              "fan_out_queries": None}
    return sansio.outcome_of(engine, task_id, {
        "id": task_id, "status_code": 20000, "cost": money + 0.0006 if cost is None else cost,
        "data": {"se": engine, "model_name": model, "user_prompt": "p"}, "result": [result]})


def _pending(task_id, engine="chat_gpt"):
    return TaskOutcome(task_id, engine, PENDING, 40602, "Task In Queue.",
                       {"id": task_id, "status_code": 40602, "cost": 0, "data": {"se": engine}, "result": None})


@pytest.fixture
def tables():
    return build_tables([
        _task("a", model="gpt-x", tokens=(100, 200, 0), money=0.02, citations=3),
        _task("b", model="gpt-x", tokens=(50, 100, 300), money=0.04, web_search=False,
              when="2026-11-17 23:59:59 +00:00"),
        _task("c", engine="claude", model="claude-y", tokens=(10, 0, 0), money=0.0, citations=0,
              when="2026-11-23 00:00:01 +00:00"),
        _pending("d"),
    ])


def test_summary_counts_completed_tasks_only_and_divides_by_answers_and_citations(tables):
    s = metrics.usage_summary(tables.tasks, tables.citations)
    assert (s["input_tokens"], s["output_tokens"], s["reasoning_tokens"]) == (160, 300, 300)
    assert s["total_tokens"] == 760
    assert s["answers"] == 3 and s["not_counted"] == 1 and s["citations"] == 3
    assert s["money_spent"] == pytest.approx(0.06)
    assert s["total_spend"] == pytest.approx(0.06 + 3 * 0.0006)
    assert s["spend_per_answer"] == pytest.approx(s["total_spend"] / 3)
    assert s["money_per_answer"] == pytest.approx(0.02)
    assert s["spend_per_citation"] == pytest.approx(s["total_spend"] / 3)


def test_summary_without_answers_or_citations_has_no_ratios():
    empty = build_tables([_pending("d")])
    s = metrics.usage_summary(empty.tasks, empty.citations)
    assert s["answers"] == 0 and s["not_counted"] == 1 and s["total_tokens"] == 0
    assert s["spend_per_answer"] is None and s["spend_per_citation"] is None
    no_citations = build_tables([_task("a", citations=0)])
    assert metrics.usage_summary(no_citations.tasks, no_citations.citations)["spend_per_citation"] is None


def test_usage_by_model_sums_and_shares(tables):
    table = metrics.usage_by_model(tables.tasks, tables.citations)
    assert list(table.columns) == metrics.USAGE_BY_MODEL_COLUMNS
    assert list(table["model"]) == ["gpt-x", "claude-y"]  # by task cost, highest first
    gpt = table.set_index("model").loc["gpt-x"]
    assert gpt["engine"] == "chat_gpt" and gpt["answers"] == 2
    assert (gpt["input_tokens"], gpt["output_tokens"], gpt["reasoning_tokens"]) == (150, 300, 300)
    assert gpt["total_tokens"] == 750 and gpt["tokens_per_answer"] == 375
    assert gpt["money_spent"] == pytest.approx(0.06)
    assert gpt["spend_per_answer"] == pytest.approx((0.06 + 0.0012) / 2)
    assert gpt["citations"] == 3 and gpt["spend_per_citation"] == pytest.approx((0.06 + 0.0012) / 3)
    assert gpt["web_search_share"] == 0.5
    assert gpt["reasoning_share"] == pytest.approx(300 / 600)
    claude = table.set_index("model").loc["claude-y"]
    assert claude["citations"] == 0 and math.isnan(claude["spend_per_citation"])
    assert math.isnan(claude["reasoning_share"])  # no generated tokens: no share, not 0 %


def test_usage_by_model_without_citations_frame_or_completed_tasks():
    only = build_tables([_task("a", citations=2)])
    assert metrics.usage_by_model(only.tasks)["citations"].tolist() == [0]
    empty = metrics.usage_by_model(build_tables([_pending("d")]).tasks)
    assert empty.empty and list(empty.columns) == metrics.USAGE_BY_MODEL_COLUMNS


def test_usage_by_model_counts_a_missing_web_search_field_as_off():
    task = _task("a").task
    del task["result"][0]["web_search"]
    outcome = sansio.outcome_of("chat_gpt", "a", task)
    assert metrics.usage_by_model(build_tables([outcome]).tasks)["web_search_share"].tolist() == [0.0]


def test_spend_over_time_per_day_week_and_month(tables):
    daily = metrics.spend_over_time(tables.tasks, by="engine", amount="money_spent")
    assert list(daily.columns) == ["day", "engine", "money_spent", "answers"]
    assert daily["day"].tolist() == [date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 23)]
    assert daily["money_spent"].tolist() == pytest.approx([0.02, 0.04, 0.0])
    weekly = metrics.spend_over_time(tables.tasks, by="model", period="week")
    # 2026-11-16 is a Monday: the 16th and 17th share a week, the 23rd starts the next one
    assert weekly[["day", "model", "answers"]].values.tolist() == [
        [date(2026, 11, 16), "gpt-x", 2], [date(2026, 11, 23), "claude-y", 1]]
    assert weekly["spend"].tolist() == pytest.approx([0.0612, 0.0006])
    monthly = metrics.spend_over_time(tables.tasks, period="month")
    assert monthly["day"].tolist() == [date(2026, 11, 1)] * 2 and monthly["answers"].sum() == 3


def test_spend_over_time_leaves_out_undated_answers_and_uses_utc_days():
    undated = _task("a", when=None)
    late = _task("b", when="2026-11-16 23:30:00 -05:00")  # 04:30 UTC on the 17th
    daily = metrics.spend_over_time(build_tables([undated, late]).tasks)
    assert daily["day"].tolist() == [date(2026, 11, 17)] and daily["answers"].tolist() == [1]
    assert metrics.spend_over_time(build_tables([_pending("d")]).tasks).empty


def test_usage_by_model_on_the_samples_matches_their_raw_fields(sample):
    names = ["chat_gpt_web_search", "chat_gpt_no_search", "hostile", "claude_reasoning", "gemini_direct_url"]
    outcomes, raw = [], []
    for name in names:
        reply = sample(name)
        task = reply["tasks"][0]
        outcomes.append(sansio.parse_task_get(200, json.dumps(reply).encode(), task["data"]["se"], task["id"]))
        raw.append(task)
    tables = build_tables(outcomes)
    table = metrics.usage_by_model(tables.tasks, tables.citations).set_index("model")
    price = DEFAULT_TASK_PRICES["standard"]  # the estimate where a reply reports no cost
    expected = pd.DataFrame([{"model": t["result"][0]["model_name"],
                              "spend": t["cost"] or t["result"][0]["money_spent"] + price,
                              "output_tokens": t["result"][0]["output_tokens"]} for t in raw]).groupby("model").sum()
    assert table["spend"].to_dict() == pytest.approx(expected["spend"].to_dict())
    assert table["output_tokens"].to_dict() == expected["output_tokens"].to_dict()
    assert table.loc["gpt-4.1-2025-04-14", "answers"] == 2


def test_distribution_counts_every_row_once_in_shared_ranges():
    frame = pd.DataFrame({"engine": ["a", "a", "b", "b", "b"], "tokens": [0, 10, 5, 10, 100]})
    binned = metrics.distribution(frame, "tokens", "engine", bins=10)
    assert binned.groupby("engine")["rows"].sum().to_dict() == {"a": 2, "b": 3}
    assert binned["low"].min() == 0 and binned["high"].max() == 100  # one set of ranges for every engine
    assert set(binned["high"] - binned["low"]) == {10.0}
    top = binned[binned["high"] == 100]
    assert top.set_index("engine")["rows"].to_dict() == {"b": 1}  # the last range holds its upper edge
    assert metrics.distribution(frame.iloc[:0], "tokens", "engine").empty
