"""Fan-out page: theme sizes add up to the raw queries; a theme's table matches its bar."""
from __future__ import annotations

import copy

from tests.page_values import bar_totals, demo_tasks, figure, metrics, result_of, table_with
from tests.test_themes import INTEGRATIONS, PRICING, REVIEWS

TOPICS = {"pricing": PRICING, "integrations": INTEGRATIONS, "reviews": REVIEWS}  # the hand-made sets


def test_theme_sizes_add_up_to_every_raw_fan_out_query(demo_env, app):
    queries = [q for t in demo_tasks() for q in result_of(t).get("fan_out_queries") or [] if q.strip()]
    at = app(page="pages/fan_out.py")
    assert metrics(at)["Fan-out queries"] == str(len(queries))
    sizes = bar_totals(figure(at, "themes_bar"))
    assert sum(sizes.values()) == len(queries)
    chosen = at.selectbox(key="w_theme").value
    assert table_with(at, "repeats_prompt")["count"].sum() == sizes[chosen]
    split = bar_totals(figure(at, "themes_split"))
    assert split == sizes  # per model stacks add up to the same theme sizes


def test_three_clear_topics_from_the_api_become_three_themes(api_env, sample, app):
    template = sample("chat_gpt_web_search")
    ids = []
    for n, (topic, queries) in enumerate(TOPICS.items()):
        reply = copy.deepcopy(template)
        task = reply["tasks"][0]
        task["id"] = task["id"][:-2] + f"{n:02d}"
        task["result"][0]["fan_out_queries"] = queries
        api_env.add_reply("chat_gpt", task["id"], reply)
        ids.append(task["id"])
    at = app(page="pages/fan_out.py", ids=ids, engine="chat_gpt")
    assert metrics(at)["Themes"] == "3"
    sizes = bar_totals(figure(at, "themes_bar"))
    assert sorted(sizes.values()) == sorted(len(q) for q in TOPICS.values())
    for label in sizes:
        topic = next(t for t in TOPICS if t[:5] in label or t.rstrip("s") in label)
        assert sizes[label] == len(TOPICS[topic])


def test_a_second_session_with_the_same_queries_does_not_cluster_again(demo_env, app, monkeypatch):
    import core.themes.find as find
    from ui import data

    clusterings = []
    cluster_texts = find._cluster_texts
    monkeypatch.setattr(find, "_cluster_texts", lambda *args: clusterings.append(args) or cluster_texts(*args))
    data._query_clusters.clear()
    data._shared.clear()  # the themes kept for the process by an earlier test
    first, second = app(page="pages/fan_out.py"), app(page="pages/fan_out.py")
    assert len(clusterings) == 1
    assert bar_totals(figure(first, "themes_bar")) == bar_totals(figure(second, "themes_bar"))
    assert metrics(first) == metrics(second)
