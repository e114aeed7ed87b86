"""Tests for core.themes: grouping fan-out queries into themes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.themes import (
    ASSIGNMENT_COLUMNS,
    EMPTY_THEME,
    THEME_COLUMNS,
    Themes,
    find_themes,
    normalize_query,
)

FAN_OUT_COLUMNS = ["task_id", "engine", "model", "prompt", "query"]

# Three topics a human would never mix up. Brands recur across topics on
# purpose (as in real fan-out data); the topic words carry the grouping.
PRICING = [
    "asana pricing plans",
    "trello pricing per user",
    "monday.com pricing: how much does it cost",
    "clickup pricing free plan",
    "cheapest pricing plans for project software",
    "notion pricing for small teams",
    "jira pricing per month 2026",
    "project tool pricing plans compared",
    "enterprise pricing plans and discounts",
    "pricing of project management software",
]
INTEGRATIONS = [
    "asana slack integration",
    "trello google drive integration",
    "monday.com integrate with google calendar",
    "clickup slack integration setup",
    "jira integration with slack channels",
    "notion google calendar integration",
    "project tools that integrate with slack and google",
    "integrate asana with google sheets",
    "slack integration for task apps",
    "google workspace integration for project software",
]
REVIEWS = [
    "asana reviews and complaints",
    "trello user reviews",
    "monday.com complaints on reddit",
    "clickup reviews from real users",
    "jira complaints and bad reviews",
    "notion negative reviews and complaints",
    "complaints about asana support",
    "honest reviews of clickup",
    "asana customer reviews g2",
    "monday.com reviews pros cons complaints",
]
TOPIC_WORDS = {
    "pricing": {"pricing", "price", "plans", "cost"},
    "integrations": {"integration", "integrate", "slack", "google"},
    "reviews": {"reviews", "complaints", "review"},
}

JA_PRICING = [
    "Asana 料金プラン", "Asana 料金 比較", "月額料金 比較", "無料プランと有料プランの料金",
    "Backlogの料金はいくら", "Backlog 料金 ユーザーあたり", "料金が安いのはどれ", "料金プラン 比較 2026",
]
JA_REVIEWS = [
    "Trello 評判 口コミ", "Trello 口コミ 評判", "Notion 評判 デメリット", "Notion 評判 使いにくい",
    "利用者の口コミと評判", "Jiraの評判は？", "Jira 口コミ 評判 悪い", "評判のいいツールは",
]
DE_PRICING = [
    "Monday.com Preise und Kosten", "Monday.com Kosten pro Nutzer", "Was kostet Wrike? Preise",
    "Projektmanagement-Software Kosten im Vergleich", "Wrike Preise pro Monat", "ClickUp Kosten für Teams",
    "ClickUp Preise 2026", "günstige Tools: Preise und Kosten",
]
DE_PRIVACY = [
    "Basecamp Datenschutz DSGVO", "Basecamp DSGVO Serverstandort", "Teamwork Datenschutz Serverstandort",
    "DSGVO-konforme Aufgabenverwaltung, Datenschutz", "Teamwork Datenschutz und Auftragsverarbeitung",
    "Smartsheet DSGVO Datenschutz", "Datenschutz bei Cloud-Tools (DSGVO)", "DSGVO Datenschutz Serverstandort Deutschland",
]
JA_DE_WORDS = {
    "ja_pricing": {"料金"},
    "ja_reviews": {"評判", "口コミ"},
    "de_pricing": {"preise", "kosten"},
    "de_privacy": {"datenschutz", "dsgvo"},
}


def make_fan_out(groups: dict[str, list[str]], prompt: str = "best project management tools") -> pd.DataFrame:
    rows = []
    for topic, queries in groups.items():
        for i, q in enumerate(queries):
            rows.append(
                {
                    "task_id": f"task-{i % 4}",
                    "engine": ["chatgpt", "perplexity"][i % 2],
                    "model": ["gpt-4o", "sonar", "gpt-5"][i % 3],
                    "prompt": prompt,
                    "query": q,
                    "topic": topic,
                }
            )
    return pd.DataFrame(rows)


def label_words(label: str) -> set[str]:
    return {w for term in label.split(" · ") for w in term.split()}


# --------------------------------------------------------------------------
# normalize_query
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, b",
    [
        ("Best PM tools 2026?", "best pm tools 2026"),
        ("  Asana   vs. Trello!! ", "asana vs trello"),
        ("“Monday.com” pricing — 2026", "monday com pricing 2026"),
        ("ＡＳＡＮＡ　料金　２０２６", "asana 料金 2026"),  # full-width letters, digits, space
        ("STRASSE kosten", "straße Kosten"),  # casefold: ß -> ss
        ("Preise & Kosten: Übersicht", "preise kosten übersicht"),
        ("Jiraの評判は？", "jiraの評判は"),
    ],
)
def test_normalize_makes_near_duplicates_equal(a, b):
    assert normalize_query(a) == normalize_query(b)


def test_normalize_output_and_scripts():
    assert normalize_query("  Best PM tools, 2026?? ") == "best pm tools 2026"
    assert normalize_query("snake_case-query/with|symbols") == "snake case query with symbols"
    assert normalize_query("プロジェクト管理ツール　おすすめ") == "プロジェクト管理ツール おすすめ"
    assert normalize_query("कीमत सूची") == "कीमत सूची"  # combining vowel signs are kept
    assert normalize_query("?!…") == ""
    assert normalize_query(None) == ""  # type: ignore[arg-type]
    assert normalize_query("best pm tools") != normalize_query("best pm tool")


# --------------------------------------------------------------------------
# Grouping
# --------------------------------------------------------------------------


@pytest.mark.parametrize("random_state", [0, 1, 2])
def test_three_clear_topics_give_three_themes(random_state):
    df = make_fan_out({"pricing": PRICING, "integrations": INTEGRATIONS, "reviews": REVIEWS})
    result = find_themes(df, random_state=random_state)

    assert isinstance(result, Themes)
    assert len(result.themes) == 3
    a = result.assignments
    # Each topic's queries in exactly one theme, and different topics in different themes.
    theme_of_topic = a.groupby("topic")["theme"].unique()
    assert all(len(t) == 1 for t in theme_of_topic), theme_of_topic.to_dict()
    assert len({t[0] for t in theme_of_topic}) == 3
    # Labels speak the topic's language.
    for topic, themes in theme_of_topic.items():
        label = result.themes.set_index("theme").loc[themes[0], "label"]
        assert label_words(label) & TOPIC_WORDS[topic], (topic, label)


def test_japanese_and_german_queries_group_by_topic():
    groups = {"ja_pricing": JA_PRICING, "ja_reviews": JA_REVIEWS, "de_pricing": DE_PRICING, "de_privacy": DE_PRIVACY}
    result = find_themes(make_fan_out(groups))
    a = result.assignments

    assert 2 <= len(result.themes) <= 5
    # No theme mixes two groups (pricing vs reviews in Japanese is told apart
    # by characters alone) ...
    groups_per_theme = a.groupby("theme")["topic"].nunique()
    assert (groups_per_theme == 1).all(), a.groupby("theme")["topic"].unique().to_dict()
    # ... and each group's main theme is labelled with one of its words.
    labels = result.themes.set_index("theme")["label"]
    for topic, words in JA_DE_WORDS.items():
        main = a.loc[a["topic"] == topic, "theme"].mode()[0]
        assert label_words(labels[main]) & words, (topic, labels[main])


def test_chinese_without_spaces_uses_character_ngrams():
    pricing = ["项目管理软件价格", "项目管理软件价格对比", "免费项目管理软件价格", "项目管理软件多少钱价格"]
    reviews = ["项目管理软件评价", "项目管理软件用户评价", "项目管理软件评价差评", "项目管理软件口碑评价"]
    result = find_themes(pd.DataFrame({"query": pricing + reviews}))
    a = result.assignments
    assert len(result.themes) == 2
    assert a["theme"].iloc[:4].nunique() == 1 and a["theme"].iloc[4:].nunique() == 1
    assert a["theme"].iloc[0] != a["theme"].iloc[4]
    assert "价格" in a["label"].iloc[0] and "评价" in a["label"].iloc[4]


def test_deterministic_and_independent_of_row_order():
    df = make_fan_out({"pricing": PRICING, "integrations": INTEGRATIONS, "reviews": REVIEWS})
    first = find_themes(df)
    second = find_themes(df)
    pd.testing.assert_frame_equal(first.themes, second.themes)
    pd.testing.assert_frame_equal(first.assignments, second.assignments)

    shuffled = find_themes(df.sample(frac=1.0, random_state=7))
    pd.testing.assert_frame_equal(first.themes, shuffled.themes)
    by_query = first.assignments.set_index("query")["label"]
    by_query_shuffled = shuffled.assignments.set_index("query")["label"]
    pd.testing.assert_series_equal(by_query.sort_index(), by_query_shuffled.sort_index())


def test_max_themes_caps_the_number_of_themes():
    df = make_fan_out({"pricing": PRICING, "integrations": INTEGRATIONS, "reviews": REVIEWS})
    assert len(find_themes(df, max_themes=2).themes) == 2
    one = find_themes(df, max_themes=1)
    assert len(one.themes) == 1
    assert one.themes.loc[0, "queries"] == len(df)
    with pytest.raises(ValueError):
        find_themes(df, max_themes=0)


# --------------------------------------------------------------------------
# Output tables
# --------------------------------------------------------------------------


def test_output_columns_counts_and_order():
    df = make_fan_out({"pricing": PRICING, "integrations": INTEGRATIONS, "reviews": REVIEWS})
    # Repeat the pricing queries under two more tasks: pricing becomes the biggest theme.
    extra = df[df["topic"] == "pricing"].assign(task_id="task-9", engine="gemini", model="gemini-2.5")
    df = pd.concat([df, extra, extra], ignore_index=True)
    result = find_themes(df)
    themes, a = result.themes, result.assignments

    assert list(themes.columns) == THEME_COLUMNS
    assert list(a.columns) == list(df.columns) + ASSIGNMENT_COLUMNS
    assert a.index.equals(df.index)
    assert (a["query"] == df["query"]).all()
    assert themes["theme"].tolist() == list(range(len(themes)))
    assert themes["queries"].is_monotonic_decreasing
    assert themes["queries"].sum() == len(df)

    pricing_theme = a.loc[a["topic"] == "pricing", "theme"].iloc[0]
    assert pricing_theme == 0
    row = themes.set_index("theme").loc[0]
    assert row["queries"] == 30
    assert row["unique_queries"] == 10
    assert row["tasks"] == 5  # task-0..3 and task-9
    assert row["prompts"] == 1
    assert row["engines"] == 3
    assert row["models"] == 4
    assert row["top_domains"] == []  # no citations given
    # Assignments carry the theme's label.
    assert (a.loc[a["theme"] == 0, "label"] == row["label"]).all()
    assert a["repeats_prompt"].dtype == bool
    assert a["theme"].dtype == np.int64


def test_top_domains_from_citations():
    pricing = pd.DataFrame({"task_id": "p", "engine": "e", "model": "m", "prompt": "x", "query": PRICING})
    reviews = pd.DataFrame({"task_id": "r", "engine": "e", "model": "m", "prompt": "x", "query": REVIEWS})
    pricing2 = pricing.assign(task_id="p2")
    df = pd.concat([pricing, pricing2, reviews], ignore_index=True)
    citations = pd.DataFrame(
        {
            "task_id": ["p", "p", "p", "p", "p2", "p2", "r", "r", "r", "zzz"],
            "domain": ["g2.com", "g2.com", "capterra.com", None, "capterra.com", "vendor.com",
                       "reddit.com", "trustpilot.com", None, "unrelated.com"],
        }
    )
    result = find_themes(df, citations=citations, max_themes=2)
    themes = result.themes.set_index("theme")
    a = result.assignments
    pricing_theme = a.loc[a["task_id"] == "p", "theme"].iloc[0]
    reviews_theme = a.loc[a["task_id"] == "r", "theme"].iloc[0]
    assert pricing_theme != reviews_theme
    # capterra.com is cited by 2 tasks, g2.com by 1 (twice), vendor.com by 1; ties by name.
    assert themes.loc[pricing_theme, "top_domains"] == ["capterra.com", "g2.com", "vendor.com"]
    assert themes.loc[reviews_theme, "top_domains"] == ["reddit.com", "trustpilot.com"]


def test_repeats_prompt_flags_restated_prompts_only():
    prompt = "What are the best project management tools for small teams?"
    queries = [
        "what are the best project management tools for small teams",  # the prompt, case/punct aside
        "Best project management tools for small teams",
        "best project management tools for small teams 2026",
        "asana vs trello pricing comparison",
        "project management tools with slack integration",
        "best project management tools for small teams: pricing, reviews and integrations",
    ]
    df = pd.DataFrame({"task_id": "t1", "engine": "e", "model": "m", "prompt": prompt, "query": queries})
    flags = find_themes(df).assignments["repeats_prompt"].tolist()
    assert flags == [True, True, True, False, False, False]


def test_repeats_prompt_is_per_task():
    df = pd.DataFrame(
        {
            "task_id": ["a", "b"],
            "engine": "e",
            "model": "m",
            "prompt": ["best crm for startups", "best accounting software"],
            "query": ["Best CRM for startups?", "Best CRM for startups?"],
        }
    )
    assert find_themes(df).assignments["repeats_prompt"].tolist() == [True, False]


# --------------------------------------------------------------------------
# Edge cases
# --------------------------------------------------------------------------


def test_empty_input():
    df = pd.DataFrame(columns=FAN_OUT_COLUMNS)
    result = find_themes(df, citations=pd.DataFrame(columns=["task_id", "domain"]))
    assert list(result.themes.columns) == THEME_COLUMNS
    assert result.themes.empty
    assert list(result.assignments.columns) == FAN_OUT_COLUMNS + ASSIGNMENT_COLUMNS
    assert result.assignments.empty
    assert result.n_themes == 0


def test_single_query():
    df = pd.DataFrame([{"task_id": "t", "engine": "e", "model": "m", "prompt": "p", "query": "Asana pricing plans?"}])
    result = find_themes(df)
    assert len(result.themes) == 1
    row = result.themes.iloc[0]
    assert (row["theme"], row["queries"], row["unique_queries"], row["tasks"]) == (0, 1, 1, 1)
    assert row["label"]
    assert result.assignments["normalized"].tolist() == ["asana pricing plans"]
    assert result.assignments["theme"].tolist() == [0]


def test_all_identical_queries_are_one_theme():
    variants = ["Asana pricing", "asana pricing?", "ASANA  Pricing!", "asana pricing"] * 5
    df = pd.DataFrame(
        {"task_id": [f"t{i}" for i in range(20)], "engine": "e", "model": "m", "prompt": "p", "query": variants}
    )
    result = find_themes(df)
    assert len(result.themes) == 1
    row = result.themes.iloc[0]
    assert (row["queries"], row["unique_queries"], row["tasks"]) == (20, 1, 20)
    assert "asana" in row["label"] and "pricing" in row["label"]
    assert set(result.assignments["normalized"]) == {"asana pricing"}


def test_fewer_than_four_distinct_queries_are_one_theme():
    df = pd.DataFrame(
        {"task_id": "t", "engine": "e", "model": "m", "prompt": "p",
         "query": ["asana pricing", "slack integration setup", "trello reviews"]}
    )
    result = find_themes(df)
    assert len(result.themes) == 1
    assert result.themes.iloc[0]["unique_queries"] == 3


def test_empty_and_missing_queries_get_no_theme():
    df = make_fan_out({"pricing": PRICING, "integrations": INTEGRATIONS, "reviews": REVIEWS})
    blanks = pd.DataFrame(
        {"task_id": "t", "engine": "e", "model": "m", "prompt": "p", "query": [None, "", "?!", np.nan], "topic": "x"}
    )
    df = pd.concat([df, blanks], ignore_index=True)
    result = find_themes(df)
    a = result.assignments
    blank_rows = a.tail(4)
    assert (blank_rows["theme"] == EMPTY_THEME).all()
    assert (blank_rows["normalized"] == "").all()
    assert not blank_rows["repeats_prompt"].any()
    assert result.themes["queries"].sum() == len(df) - 4
    assert len(result.themes) == 3


def test_only_blank_queries():
    df = pd.DataFrame({"task_id": "t", "engine": "e", "model": "m", "prompt": "p", "query": ["", None]})
    result = find_themes(df)
    assert result.themes.empty
    assert result.assignments["theme"].tolist() == [EMPTY_THEME, EMPTY_THEME]


def test_minimal_columns_and_missing_query_column():
    result = find_themes(pd.DataFrame({"query": PRICING + REVIEWS}))
    assert result.themes["tasks"].eq(0).all()
    assert list(result.assignments.columns) == ["query"] + ASSIGNMENT_COLUMNS
    with pytest.raises(ValueError):
        find_themes(pd.DataFrame({"text": ["a"]}))


ROOT = Path(__file__).resolve().parents[1]


def test_module_is_pure_and_does_not_import_streamlit():
    code = "import sys, core.themes; assert 'streamlit' not in sys.modules, 'streamlit imported'"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
