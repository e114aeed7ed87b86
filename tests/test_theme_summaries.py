"""Tests for core.themes.summaries: the per-theme tables the Fan-out page draws.

Expected numbers are counted here from the input rows (the three hand-made topics of
tests/test_themes.py always become three themes), never copied from the functions' output.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from core.themes import (
    EMPTY_THEME,
    cluster_queries,
    fan_out_overview,
    find_themes,
    prompt_repeats,
    queries_by_theme,
    theme_queries,
)
from tests.test_themes import INTEGRATIONS, PRICING, REVIEWS, make_fan_out

PROMPT = "best project management tools"
TOPICS = {"pricing": PRICING, "integrations": INTEGRATIONS, "reviews": REVIEWS}


@pytest.fixture(scope="module")
def fan_out() -> pd.DataFrame:
    """The three topics, pricing asked again (as written, and restating the prompt), and two blank queries."""
    df = make_fan_out(TOPICS, prompt=PROMPT)
    extra = pd.DataFrame(
        [
            {"task_id": "task-7", "engine": "gemini", "model": "gemini-2.5", "prompt": PROMPT,
             "query": "Asana pricing plans?", "topic": "pricing"},
            {"task_id": "task-7", "engine": "gemini", "model": "gemini-2.5", "prompt": PROMPT,
             "query": "ASANA pricing plans", "topic": "pricing"},
            {"task_id": "task-8", "engine": "gemini", "model": "gemini-2.5", "prompt": PROMPT,
             "query": "Best project management tools: pricing", "topic": "pricing"},
            {"task_id": "task-8", "engine": "gemini", "model": "gemini-2.5", "prompt": PROMPT,
             "query": "?!", "topic": None},
            {"task_id": "task-9", "engine": "gemini", "model": "gemini-2.5", "prompt": PROMPT,
             "query": None, "topic": None},
        ]
    )
    return pd.concat([df, extra], ignore_index=True)


@pytest.fixture(scope="module")
def themes(fan_out):
    return find_themes(fan_out)


def theme_of_topic(themes) -> dict[str, int]:
    a = themes.clustered
    mapping = a.groupby("topic")["theme"].unique()
    assert all(len(t) == 1 for t in mapping)  # precondition: the topics are the themes
    return {topic: int(t[0]) for topic, t in mapping.items()}


def test_clustered_leaves_out_the_blank_queries(themes, fan_out):
    assert len(themes.clustered) == len(fan_out) - 2
    assert (themes.clustered["theme"] != EMPTY_THEME).all()


def test_overview_counts_every_row_and_answer(themes, fan_out):
    overview = fan_out_overview(themes.assignments, themes.themes)
    assert overview["queries"] == len(fan_out)  # blank queries included
    assert overview["answers_searched"] == len(set(fan_out["task_id"]))  # task-0..3 and task-7..9
    assert overview["answers_searched"] == 7
    assert overview["themes"] == 3
    # 30 distinct topic queries; "asana pricing plans" is already one of them; one new pricing query.
    assert overview["distinct_queries"] == 31
    # The only query restating the prompt is "Best project management tools: pricing".
    assert overview["repeat_share"] == pytest.approx(1 / (len(fan_out) - 2))


def test_queries_by_theme_counts_rows_per_theme_and_model(themes, fan_out):
    topic_theme = theme_of_topic(themes)
    label = themes.themes.set_index("theme")["label"]
    kept = fan_out.dropna(subset=["topic"])
    expected = Counter((label[topic_theme[t]], m) for t, m in zip(kept["topic"], kept["model"]))
    matrix = queries_by_theme(themes.clustered, "model")
    assert list(matrix.columns) == ["label", "model", "queries"]
    assert Counter({(r.label, r.model): r.queries for r in matrix.itertuples()}) == expected
    by_engine = queries_by_theme(themes.clustered, "engine")
    assert by_engine["queries"].sum() == len(kept)
    assert set(by_engine["engine"]) == {"chatgpt", "perplexity", "gemini"}


def test_theme_queries_merges_spellings_and_counts_answers(themes):
    pricing = theme_of_topic(themes)["pricing"]
    table = theme_queries(themes.clustered, pricing)
    assert list(table.columns) == ["query", "count", "answers", "repeats_prompt"]
    assert len(table) == len(PRICING) + 1
    assert table["count"].sum() == len(PRICING) + 3
    top = table.iloc[0]
    # "asana pricing plans" was asked by task-0 (PRICING[0]) and twice by task-7, as first written.
    assert (top["query"], top["count"], top["answers"], top["repeats_prompt"]) == ("asana pricing plans", 3, 2, 0.0)
    restating = table[table["query"] == "Best project management tools: pricing"].iloc[0]
    assert (restating["count"], restating["repeats_prompt"]) == (1, 1.0)
    assert table["count"].is_monotonic_decreasing


def test_theme_queries_of_an_unknown_theme_is_empty(themes):
    assert theme_queries(themes.clustered, 99).empty


def test_prompt_repeats_per_model(themes, fan_out):
    widening = prompt_repeats(themes.clustered, "model")
    assert list(widening.columns) == ["model", "repeat_share", "queries"]
    per_model = widening.set_index("model")
    kept = fan_out.dropna(subset=["topic"])
    assert per_model["queries"].to_dict() == Counter(kept["model"])
    assert per_model.loc["gemini-2.5", "repeat_share"] == pytest.approx(1 / 3)
    assert (per_model.drop(index="gemini-2.5")["repeat_share"] == 0).all()


def test_themes_from_precomputed_clusters_are_the_same(fan_out):
    clusters = cluster_queries(fan_out["query"])
    assert len(set(clusters.ids.tolist())) == 3
    given = find_themes(fan_out, clusters=clusters)
    computed = find_themes(fan_out)
    pd.testing.assert_frame_equal(given.themes, computed.themes)
    pd.testing.assert_frame_equal(given.assignments, computed.assignments)


def test_clusters_of_other_queries_are_refused(fan_out):
    clusters = cluster_queries(PRICING + REVIEWS)
    with pytest.raises(ValueError, match="other queries"):
        find_themes(fan_out, clusters=clusters)


def test_cluster_queries_ignores_order_repeats_and_non_strings():
    a = cluster_queries(PRICING + INTEGRATIONS + REVIEWS)
    b = cluster_queries(list(reversed(REVIEWS + INTEGRATIONS + PRICING)) + PRICING + [None, np.nan, "?!"])
    assert a.texts == b.texts and a.labels == b.labels
    assert (a.ids == b.ids).all()
    assert cluster_queries([None, ""]).texts == ()
