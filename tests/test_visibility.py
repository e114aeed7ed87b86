"""core.visibility on the reply samples and on small hand-made tables."""
from __future__ import annotations

import json
import math
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pytest

from core import sansio
from core.brands import Brand, BrandSet, brands_to_dict
from core.mentions import brand_presence
from core.tables import build_tables
from core.visibility import (ALL_ENGINES, brand_summary, branded_prompts, choose_grain, filter_branded,
                             prompt_engine_grid, visibility_over_time, wilson_interval)
from tests.mention_reference import alias_map, reference_mentions

COMPLETED = [("gemini_direct_url", "gemini"), ("chat_gpt_web_search", "chat_gpt"),
             ("chat_gpt_no_search", "chat_gpt"), ("claude_reasoning", "claude"),
             ("gemini_documented_example", "gemini"), ("hostile", "chat_gpt")]
NOT_COMPLETED = [("pending", "gemini"), ("not_found", "gemini"), ("expired", "chat_gpt"),
                 ("wrong_engine", "claude")]
BRANDS = BrandSet((Brand("Asana", ("asana.com",), ("asana.com",)),),
                  (Brand("ClickUp", (), ("clickup.com",)), Brand("Notion", (), ("notion.com",)),
                   Brand("Linear", (), ("linear.app",)), Brand("Wrike", (), ("wrike.com",))))


def wilson_by_hand(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


def test_wilson_interval_matches_the_formula():
    low, high = wilson_interval([3, 0, 5, 0], [10, 5, 5, 0])
    for i, (k, n) in enumerate([(3, 10), (0, 5), (5, 5)]):
        assert (low[i], high[i]) == pytest.approx(wilson_by_hand(k, n), abs=1e-12)
    assert low[0] == pytest.approx(0.10779126740630036) and high[0] == pytest.approx(0.6032218525388546)
    assert np.isnan(low[3]) and np.isnan(high[3])  # no answers: no interval, not [0, 0]


@pytest.fixture
def samples(sample):
    replies = {name: sample(name) for name, _ in COMPLETED + NOT_COMPLETED}
    outcomes = [sansio.parse_task_get(200, json.dumps(replies[name]).encode(), engine,
                                      replies[name]["tasks"][0]["id"]) for name, engine in COMPLETED + NOT_COMPLETED]
    return replies, build_tables(outcomes)


def expected_presence(replies):
    """{(task_id, engine): {brand: (named, cited)}} straight from the sample JSON."""
    aliases, owner = alias_map(brands_to_dict(BRANDS)), {d: b.name for b in BRANDS.all for d in b.domains}
    out = {}
    for name, engine in COMPLETED:
        task = replies[name]["tasks"][0]
        sections = [s for item in task["result"][0]["items"] if item["type"] == "message" for s in item["sections"]]
        names = {n for _, n in reference_mentions("\n\n".join(s["text"] for s in sections), aliases)}
        cited = set()
        for note in (n for s in sections for n in s.get("annotations") or []):
            host = urlsplit((note.get("direct_url") or note["url"]).strip()).hostname or ""
            if host == "vertexaisearch.cloud.google.com":
                host = note["title"]
            cited |= {brand for domain, brand in owner.items() if host == domain or host.endswith("." + domain)}
        out[(task["id"], engine)] = {b: (b in names, b in cited) for b in BRANDS.names()}
    return out


def test_summary_counts_completed_answers_only(samples):
    replies, tables = samples
    presence = brand_presence(tables.answers, tables.citations, BRANDS)
    expected = expected_presence(replies)
    overall = brand_summary(presence, per_engine=False, brands=BRANDS).set_index("name")
    assert set(overall["engine"]) == {ALL_ENGINES} and list(overall.index) == BRANDS.names()
    for brand in BRANDS.names():
        flags = [per[brand] for per in expected.values()]
        row = overall.loc[brand]
        assert row["answers"] == len(COMPLETED)  # pending, expired, not found: not in the denominator
        assert row["mentioned"] == sum(n for n, _ in flags) and row["cited"] == sum(c for _, c in flags)
        assert row["visible"] == sum(n or c for n, c in flags)
        assert row["cited_not_named"] == sum(c and not n for n, c in flags)
        assert row["named_not_cited"] == sum(n and not c for n, c in flags)
        assert (row["mention_rate_ci_low"], row["mention_rate_ci_high"]) == pytest.approx(
            wilson_by_hand(row["mentioned"], row["answers"]))
    assert overall["mentioned"].sum() > 0 and overall["cited"].sum() > 0
    assert overall["share_of_voice"].sum() == pytest.approx(1)
    per_engine = brand_summary(presence)
    for (engine, brand), row in per_engine.set_index(["engine", "name"]).iterrows():
        flags = [per[brand] for (_, e), per in expected.items() if e == engine]
        assert (row["answers"], row["mentioned"]) == (len(flags), sum(n for n, _ in flags))
    assert set(per_engine["engine"]) == {e for _, e in COMPLETED}


def test_avg_rank_is_the_mean_rank_when_named():
    presence = pd.DataFrame({"task_id": ["a", "a", "b", "b", "c", "c"], "engine": "gemini",
                             "name": ["X", "Y"] * 3, "role": ["brand", "competitor"] * 3,
                             "named": [True, True, True, False, False, False], "count": [2, 1, 1, 0, 0, 0],
                             "rank": [2, 1, 1, np.nan, np.nan, np.nan], "cited": False, "datetime": pd.NaT})
    presence["visible"] = presence["named"]
    table = brand_summary(presence).set_index("name")
    assert table.loc["X", "avg_rank"] == 1.5 and table.loc["Y", "avg_rank"] == 1
    assert table.loc["X", "share_of_voice"] == pytest.approx(3 / 4)
    assert table.loc["X", "mentions_total"] == 4 and table.loc["X", "answers"] == 3


@pytest.mark.parametrize("days, grain", [(1, "day"), (14, "day"), (15, "week"), (90, "week"), (91, "month")])
def test_grain_follows_the_span(days, grain):
    start = pd.Timestamp("2026-03-02 23:30", tz="UTC")
    stamps = pd.Series([start, start + pd.Timedelta(days=days - 1), pd.NaT])
    assert choose_grain(stamps) == grain


def test_over_time_per_week_and_engine():
    days = ["2026-03-02", "2026-03-08", "2026-03-09", "2026-03-20", "2026-04-01"]  # span 31 days: weeks
    presence = pd.DataFrame({"task_id": list("abcde"), "engine": ["gemini", "gemini", "gemini", "claude", "gemini"],
                             "name": "X", "role": "brand", "named": [True, False, True, True, False],
                             "cited": [False, True, False, False, False], "count": [1, 0, 1, 1, 0],
                             "rank": [1, np.nan, 1, 1, np.nan],
                             "datetime": pd.to_datetime(days).tz_localize("UTC")})
    presence["visible"] = presence["named"] | presence["cited"]
    table = visibility_over_time(presence)
    got = {(str(r.period), r.engine): (r.answers, r.mentioned, r.cited, r.visible) for r in table.itertuples()}
    assert got == {("2026-03-02", "gemini"): (2, 1, 1, 2), ("2026-03-09", "gemini"): (1, 1, 0, 1),
                   ("2026-03-16", "claude"): (1, 1, 0, 1), ("2026-03-30", "gemini"): (1, 0, 0, 0)}
    monthly = visibility_over_time(presence, grain="month", per_engine=False)
    assert [(str(r.period), r.engine, r.answers) for r in monthly.itertuples()] == [
        ("2026-03-01", ALL_ENGINES, 4), ("2026-04-01", ALL_ENGINES, 1)]


def test_prompt_engine_grid_states():
    tasks = pd.DataFrame({"task_id": ["a", "b", "c", "d", "e"], "engine": ["gemini", "gemini", "claude", "claude", "gemini"],
                          "prompt": ["p1", "p1", "p1", "p2", "p2"],
                          "status": ["completed", "completed", "completed", "pending", "completed"]})
    presence = pd.DataFrame({"task_id": ["a", "b", "c", "e"], "name": "Us", "role": "brand",
                             "named": [False, True, False, False], "cited": [True, False, True, False]})
    grid = prompt_engine_grid(presence, tasks)
    got = {(r.prompt, r.engine): (r.state, r.answers, r.named, r.cited, r.task_ids) for r in grid.itertuples()}
    assert got == {("p1", "gemini"): ("named", 2, 1, 1, ["a", "b"]), ("p1", "claude"): ("cited only", 1, 0, 1, ["c"]),
                   ("p2", "claude"): ("no answer", 0, 0, 0, ["d"]), ("p2", "gemini"): ("neither", 1, 0, 0, ["e"])}


def test_branded_prompts():
    frame = pd.DataFrame({"prompt": ["Is Asana good?", "asana.com pricing", "best PM tools", "ClickUp vs Notion", None]})
    assert branded_prompts(frame["prompt"], BRANDS).tolist() == [True, True, False, False, False]
    assert filter_branded(frame, BRANDS, "unbranded")["prompt"].tolist()[:2] == ["best PM tools", "ClickUp vs Notion"]
    assert len(filter_branded(frame, BRANDS, "branded")) == 2 and len(filter_branded(frame, BRANDS)) == 5
    with pytest.raises(ValueError):
        filter_branded(frame, BRANDS, "ours")
