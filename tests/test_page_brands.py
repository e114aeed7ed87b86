"""Brand visibility page and shared links: values computed from the raw replies, URL round trips."""
from __future__ import annotations

import pytest

from tests.page_values import demo_tasks, figure, metrics, result_of, table_with, values
from tests.test_page_domains import _site

BRAND, RIVALS = "monday.com", ["asana.com", "clickup.com", "trello.com", "notion.so", "wrike.com"]


def _cited_sites(task: dict) -> list[str]:
    return [_site(note) for item in result_of(task).get("items") or [] if item["type"] == "message"
            for section in item["sections"] for note in section.get("annotations") or []]


def test_brand_metrics_and_gaps_match_the_raw_demo_replies(demo_env, app):
    tasks = demo_tasks()
    citing_brand = [t for t in tasks if BRAND in _cited_sites(t)]
    at = app(page="pages/brands.py", brand=BRAND, competitor=",".join(RIVALS))
    assert metrics(at)["Answers citing our brand"] == f"{len(citing_brand)} of {len(tasks)}"
    visibility = table_with(at, "share_of_voice").set_index("name")
    tracked = [s for t in tasks for s in _cited_sites(t) if s in [BRAND, *RIVALS]]
    for name in [BRAND, *RIVALS]:
        assert visibility.loc[name, "citations"] == tracked.count(name)
        assert visibility.loc[name, "share_of_voice"] == pytest.approx(tracked.count(name) / len(tracked))
        firsts = [_cited_sites(t).index(name) + 1 for t in tasks if name in _cited_sites(t)]
        assert visibility.loc[name, "first_position"] == pytest.approx(sum(firsts) / len(firsts))
    pie = figure(at, "brands_sov")["data"][0]
    assert dict(zip(values(pie["labels"]), values(pie["values"]))) == {
        n: tracked.count(n) for n in [BRAND, *RIVALS] if tracked.count(n)}
    gaps = table_with(at, "gap")
    prompts = {t["data"]["user_prompt"] for t in tasks}
    expected_gaps = {p for p in prompts
                     if not any(BRAND in _cited_sites(t) for t in tasks if t["data"]["user_prompt"] == p)
                     and any(set(RIVALS) & set(_cited_sites(t)) for t in tasks if t["data"]["user_prompt"] == p)}
    assert set(gaps.loc[gaps["gap"], "prompt"]) == expected_gaps
    assert metrics(at)["Prompts citing competitors but not us"] == f"{len(expected_gaps)} of {len(prompts)}"


def test_pending_and_failed_tasks_are_never_counted_as_not_citing(demo_env, app):
    at = app(page="pages/brands.py", brand=BRAND)
    completed = len(demo_tasks())
    assert metrics(at)["Answers citing our brand"].endswith(f"of {completed}")
    assert completed < len(demo_tasks(completed=False))  # the demo has pending, expired, not-found and failed ids


def test_a_shared_link_reproduces_the_view_and_survives_page_switches(api_env, sample, app):
    names = ("chat_gpt_web_search", "hostile", "chat_gpt_no_search")
    ids = []
    for name in names:
        reply = sample(name)
        api_env.add_reply("chat_gpt", reply["tasks"][0]["id"], reply)
        ids.append(reply["tasks"][0]["id"])
    params = {"ids": ",".join(ids), "engine": "chat_gpt", "brand": "asana.com", "competitor": "monday.com",
              "by": "host"}
    at = app(page="pages/brands.py", **params)
    first = table_with(at, "share_of_voice")
    requests_after_first_view = api_env.count("task_get")
    for page in ("pages/domains.py", "pages/usage.py", "app.py", "pages/brands.py"):
        at.switch_page(page).run()
        assert not at.exception
        assert {k: at.query_params[k] for k in params} == params
    assert table_with(at, "share_of_voice").equals(first)
    assert at.text_input(key="w_brands").value == "asana.com"
    assert api_env.count("task_get") == requests_after_first_view  # page switches fetch nothing
