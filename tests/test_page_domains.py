"""Cited domains page: the values behind the bar chart, table and metrics, on demo and fake-API data."""
from __future__ import annotations

from collections import Counter

from tests.page_values import bar_totals, cited_site, demo_tasks, figure, metrics, result_of, table_with


def _hosts(tasks: list[dict]) -> Counter:
    counts = Counter()
    for task in tasks:
        for item in result_of(task).get("items") or []:
            if item["type"] != "message":
                continue
            for section in item["sections"]:
                counts.update(cited_site(note) for note in section.get("annotations") or [])
    return counts


def test_host_counts_behind_the_chart_match_the_raw_demo_replies(demo_env, app):
    expected = _hosts(demo_tasks())
    at = app(page="pages/domains.py", by="host")
    at.slider(key="w_top_n").set_value(50).run()
    assert bar_totals(figure(at, "domains_bar")) == expected
    table = table_with(at, "citation_share")
    assert dict(zip(table["host"], table["citations"])) == expected
    assert metrics(at)["Citations"] == str(sum(expected.values()))
    assert "google.com" not in expected and not any("vertexaisearch" in h for h in table["host"])


def test_registrable_domains_merge_subdomains_and_shares_count_all_answers(demo_env, app):
    tasks = demo_tasks()
    hosts = _hosts(tasks)
    at = app(page="pages/domains.py")
    table = table_with(at, "citation_share")
    row = table.set_index("domain")
    assert row.loc["wikipedia.org", "citations"] == hosts["en.wikipedia.org"]
    assert row.loc["microsoft.com", "citations"] == hosts["support.microsoft.com"]
    assert abs(table["citation_share"].sum() - 1) < 1e-9
    top = table.iloc[0]
    citing = sum(any(cited_site(n) == top["domain"] for item in (result_of(t).get("items") or []) if item["type"] == "message"
                     for s in item["sections"] for n in s.get("annotations") or []) for t in tasks)
    assert top["answers"] == citing
    assert abs(top["answer_share"] - citing / len(tasks)) < 1e-9
    assert metrics(at)["Answers citing anything"].endswith(f"of {len(tasks)}")


def test_filters_narrow_the_counts_to_one_engine(demo_env, app):
    chat_gpt = [t for t in demo_tasks() if t["data"]["se"] == "chat_gpt"]
    at = app(page="pages/domains.py", by="host", f_engine="chat_gpt")
    at.slider(key="w_top_n").set_value(50).run()
    assert bar_totals(figure(at, "domains_bar")) == _hosts(chat_gpt)


def test_fake_api_data_credits_gemini_redirects_to_the_realcited_site(api_env, sample, app):
    reply = sample("gemini_direct_url")
    task = reply["tasks"][0]
    api_env.add_reply("gemini", task["id"], reply)
    at = app(page="pages/domains.py", ids=[task["id"]], engine="gemini", by="host")
    assert bar_totals(figure(at, "domains_bar")) == _hosts([task])
    trace = table_with(at, "cited_text")
    assert all(link is None or link.startswith("http") for link in trace["link"])
