"""Every page's empty state says which it is: nothing loaded, the filters exclude everything, or web
search was off (for the pages that draw what only web search brings)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.page_values import demo_tasks, result_of

PAGES = ["pages/overview.py", "pages/domains.py", "pages/brands.py", "pages/usage.py", "pages/fan_out.py",
         "pages/answers.py"]


def _infos(at) -> str:
    return "\n".join(info.value for info in at.info)


@pytest.mark.parametrize("page", PAGES)
def test_nothing_loaded_says_so(api_env, app, page):
    at = app(page=page, brand="monday.com")
    assert "Nothing loaded yet" in _infos(at)


@pytest.mark.parametrize("page", PAGES)
def test_filters_that_exclude_everything_say_so(demo_env, app, page):
    days = {date.fromisoformat(result_of(t)["datetime"][:10]) for t in demo_tasks() if result_of(t).get("datetime")}
    first = min(days)
    gap = next(first + timedelta(n) for n in range(1, 400) if first + timedelta(n) not in days)  # a day nobody answered
    assert gap < max(days)
    at = app(page=page, f_date=gap.isoformat())  # one day: since and until
    assert "filters exclude every answer" in _infos(at)


@pytest.mark.parametrize(("page", "what"), [("pages/domains.py", "citations"),
                                            ("pages/fan_out.py", "fan-out queries")])
def test_web_search_off_says_so(api_env, sample, app, page, what):
    reply = sample("chat_gpt_no_search")
    task = reply["tasks"][0]
    assert not task["data"].get("web_search")
    api_env.add_reply("chat_gpt", task["id"], reply)
    at = app(page=page, ids=[task["id"]], engine="chat_gpt")
    assert f"Web search was off in every answer shown, so there are no {what}" in _infos(at)
