"""core.changes: periods, rate changes with their test, domains that came and went, prompts gained or lost."""
from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from core import changes
from core.changes import Periods

OCT = (date(2026, 10, 1), date(2026, 10, 31))
NOV = (date(2026, 11, 1), date(2026, 11, 30))


def _presence(rows) -> pd.DataFrame:
    """rows: (task_id, engine, prompt, day, {name: named}); roles: "Us" is ours, the rest competitors."""
    records = []
    for task_id, engine, prompt, day, named in rows:
        for name, flag in named.items():
            records.append({"task_id": task_id, "engine": engine, "prompt": prompt,
                            "datetime": pd.Timestamp(day, tz="UTC"), "name": name,
                            "role": "brand" if name == "Us" else "competitor", "named": flag})
    return pd.DataFrame(records)


def _answers(engine, day, prompt, named_us: int, total: int, start: int, rival=False):
    return [(f"{engine}-{day}-{start + i}", engine, prompt, day, {"Us": i < named_us, "Rival": rival})
            for i in range(total)]


def _pooled_p(a, na, b, nb) -> float:
    """The two-sided pooled two-proportion z-test, written out."""
    pooled = (a + b) / (na + nb)
    z = (a / na - b / nb) / math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    return math.erfc(abs(z) / math.sqrt(2))


def test_default_periods_are_the_last_calendar_period_with_answers_and_the_one_before_with_answers():
    days = pd.Series(pd.to_datetime(["2026-07-03", "2026-10-09", "2026-11-18"], utc=True))
    assert changes.default_periods(days) == Periods(OCT, NOV)  # a 139-day span: months
    week = changes.default_periods(days, "week")  # the week of Oct 9, not the empty one before Nov 16
    assert week == Periods((date(2026, 10, 5), date(2026, 10, 11)), (date(2026, 11, 16), date(2026, 11, 22)))
    alone = changes.default_periods(days[2:], "day")
    assert alone == Periods((date(2026, 11, 17),) * 2, (date(2026, 11, 18),) * 2)
    assert changes.default_periods(pd.Series([pd.NaT], dtype="datetime64[ns, UTC]")) is None


def test_periods_must_not_overlap_nor_run_backwards():
    with pytest.raises(ValueError, match="overlap"):
        Periods((date(2026, 10, 1), date(2026, 11, 5)), NOV)
    with pytest.raises(ValueError, match="before it starts"):
        Periods((date(2026, 10, 5), date(2026, 10, 1)), NOV)
    assert Periods(OCT, NOV).labels == ("2026-10-01 to 2026-10-31", "2026-11-01 to 2026-11-30")


def test_a_large_move_is_a_change_and_a_small_one_within_noise():
    presence = _presence(_answers("gemini", "2026-10-04", "p", 5, 50, 0)
                         + _answers("gemini", "2026-11-04", "p", 40, 50, 100)
                         + _answers("claude", "2026-10-04", "p", 5, 10, 200)
                         + _answers("claude", "2026-11-04", "p", 6, 10, 300))
    rates = changes.rate_changes(presence, Periods(OCT, NOV)).set_index(["engine", "name"])
    gemini = rates.loc[("gemini", "Us")]
    assert (gemini["answers_before"], gemini["mentioned_before"], gemini["answers_after"], gemini["mentioned_after"]) \
        == (50, 5, 50, 40)
    assert gemini["difference"] == pytest.approx(0.7)
    assert gemini["p_value"] == pytest.approx(_pooled_p(40, 50, 5, 50))
    assert gemini["verdict"] == changes.UP
    assert gemini["ci_high_before"] < gemini["ci_low_after"]  # the intervals agree with the test
    claude = rates.loc[("claude", "Us")]
    assert claude["p_value"] == pytest.approx(_pooled_p(6, 10, 5, 10))
    assert claude["verdict"] == changes.NOISE
    assert rates.loc[("gemini", "Rival"), "verdict"] == changes.NOISE  # never named: nothing to test, p = 1
    assert rates.loc[("gemini", "Rival"), "p_value"] == 1.0


def test_a_drop_is_down_a_period_without_answers_is_not_comparable_and_brands_can_be_pooled():
    presence = _presence(_answers("gemini", "2026-10-04", "p", 30, 30, 0)
                         + _answers("gemini", "2026-11-04", "p", 2, 30, 100)
                         + _answers("claude", "2026-11-04", "p", 1, 3, 200)
                         + _answers("claude", "2026-09-04", "p", 3, 3, 300))  # outside both periods
    rates = changes.rate_changes(presence, Periods(OCT, NOV)).set_index(["engine", "name"])
    assert rates.loc[("gemini", "Us"), "verdict"] == changes.DOWN
    claude = rates.loc[("claude", "Us")]
    assert claude["verdict"] == changes.NOT_COMPARABLE and claude["answers_before"] == 0
    assert math.isnan(claude["rate_before"]) and math.isnan(claude["p_value"])
    pooled = changes.rate_changes(presence, Periods(OCT, NOV), per_engine=False).set_index("name")
    assert pooled.loc["Us", ["answers_before", "mentioned_before", "answers_after", "mentioned_after"]].tolist() \
        == [30, 30, 33, 3]
    assert pooled.loc["Us", "engine"] == changes.ALL_ENGINES


def test_domains_that_appeared_or_disappeared_with_their_counts():
    citations = pd.DataFrame({
        "task_id": ["a", "a", "b", "c", "d", "d", "e"],
        "domain": ["old.com", "old.com", "both.com", "both.com", "new.com", "new.com", "early.com"],
        "datetime": pd.to_datetime(["2026-10-02", "2026-10-02", "2026-10-03", "2026-11-03", "2026-11-05",
                                    "2026-11-05", "2026-09-01"], utc=True)})
    table = changes.domain_changes(citations, Periods(OCT, NOV))
    assert table.to_dict("records") == [
        {"domain": "new.com", "change": "appeared", "citations_before": 0, "citations_after": 2,
         "answers_before": 0, "answers_after": 1},
        {"domain": "old.com", "change": "disappeared", "citations_before": 2, "citations_after": 0,
         "answers_before": 1, "answers_after": 0}]


def test_prompts_where_our_brand_was_gained_or_lost():
    presence = _presence(
        _answers("gemini", "2026-10-04", "won", 0, 2, 0) + _answers("claude", "2026-11-04", "won", 1, 2, 10)
        + _answers("gemini", "2026-10-04", "dropped", 1, 1, 20) + _answers("gemini", "2026-11-04", "dropped", 0, 3, 30)
        + _answers("gemini", "2026-10-04", "kept", 1, 1, 40) + _answers("gemini", "2026-11-04", "kept", 1, 1, 50)
        + _answers("gemini", "2026-11-04", "only new", 1, 1, 60, rival=True))
    table = changes.prompt_changes(presence, Periods(OCT, NOV))
    assert table.to_dict("records") == [
        {"prompt": "won", "change": "gained", "answers_before": 2, "named_before": 0, "answers_after": 2,
         "named_after": 1},
        {"prompt": "dropped", "change": "lost", "answers_before": 1, "named_before": 1, "answers_after": 3,
         "named_after": 0}]
    assert changes.prompt_changes(presence, Periods(OCT, NOV), names=["Rival"]).empty


def test_what_changed_defaults_to_the_last_two_periods_and_needs_dates():
    presence = _presence(_answers("gemini", "2026-10-04", "p", 5, 50, 0)
                         + _answers("gemini", "2026-11-04", "p", 40, 50, 100))
    citations = pd.DataFrame({"task_id": ["gemini-2026-11-04-100"], "domain": ["new.com"],
                              "datetime": pd.to_datetime(["2026-11-04"], utc=True)})
    found = changes.what_changed(presence, citations)  # a 32-day span: weeks, the two that hold answers
    assert found.periods == Periods((date(2026, 9, 28), date(2026, 10, 4)), (date(2026, 11, 2), date(2026, 11, 8)))
    assert found.moved[["engine", "name", "verdict"]].values.tolist() == [["gemini", "Us", "up"]]
    assert found.domains["domain"].tolist() == ["new.com"]
    undated = presence.assign(datetime=pd.NaT)
    assert changes.what_changed(undated, citations) is None
