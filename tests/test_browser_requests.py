"""Hostile answers in headless Chromium, with every request the browser makes recorded (issue 14).

A fresh ``streamlit run`` against the fake API serving answers whose text, chart labels, citations,
tags, fan-out queries and unknown items name a remote host, plus one reply of each malformed shape:
on every page, Chromium asks nothing of any host but the app's own, no dialog opens, no
``javascript:``/``data:`` link is drawn, and no traceback is shown.
"""
from __future__ import annotations

import copy
import json
import pathlib
from urllib.parse import urlsplit

import pytest

from tests.fake_dataforseo import FakeDataForSEO
from tests.hostile_shapes import MALFORMED, good_task
from tests.live_app import LiveApp, app_env, settle
from tests.test_archive import uid
from ui.shell import PAGES as SHELL_PAGES
from tests.test_browser import Tab, _assert_inert, _click_nav, _open, _pick_task, chromium  # noqa: F401

pytestmark = pytest.mark.browser
SAMPLES = pathlib.Path(__file__).parent / "samples"
EVIL = "evil.example"
LOCAL = {"127.0.0.1", "localhost"}
PAGES = {label: "/" if path == "app.py" else "/" + path.removeprefix("pages/").removesuffix(".py")
         for path, label, _ in SHELL_PAGES}


def _evil_task(task_id: str) -> dict:
    """A good chat_gpt answer whose every untrusted string points at a remote host."""
    task = good_task(task_id, "chat_gpt", 7)
    task["data"].update(user_prompt=f'<img src="http://{EVIL}/p.png"> best tool? <a href="http://{EVIL}/">x</a>',
                        tag=f"![t](http://{EVIL}/t.png) $x$")
    result = task["result"][0]
    result["model_name"] = task["data"]["model_name"] = f'<span style="fill:url(http://{EVIL}/m)">m</span>'
    section = result["items"][0]["sections"][0]
    section["text"] += f"\n\n![pixel](http://{EVIL}/a.png) <img src=http://{EVIL}/b.png> [](\n\n\n"
    section["annotations"].append({"title": f"![i](http://{EVIL}/c.png)", "url": f"https://x.example/\n![i](http://{EVIL}/d.png)"})
    result["fan_out_queries"] = [f"![q](http://{EVIL}/q.png)", f"<img src=http://{EVIL}/r.png>"]
    result["items"].append({"type": "image", "url": f"http://{EVIL}/u.png", "html": f"<img src=http://{EVIL}/v.png>"})
    return task


@pytest.fixture(scope="module")
def hostile_api():
    with FakeDataForSEO() as api:
        hostile = json.loads((SAMPLES / "hostile.json").read_text(encoding="utf-8"))
        api.add_reply("chat_gpt", hostile["tasks"][0]["id"], hostile)
        evil = _evil_task(uid(1, "e7e7"))
        api.add_task("chat_gpt", evil)
        for n, shape in enumerate(MALFORMED):
            task = good_task(uid(n, "bad0"), "chat_gpt", n)
            api.add_raw("chat_gpt", task["id"], shape.build(copy.deepcopy(task)))
        api.ids = [hostile["tasks"][0]["id"], evil["id"], *(uid(n, "bad0") for n in range(len(MALFORMED)))]
        yield api


def test_hostile_answers_make_the_browser_ask_no_other_host(hostile_api, chromium, tmp_path):
    env = app_env(tmp_path, DATAFORSEO_LOGIN=hostile_api.login, DATAFORSEO_PASSWORD=hostile_api.password,
                  DATAFORSEO_BASE_URL=hostile_api.base_url)
    with LiveApp(env, log_dir=tmp_path) as fresh:
        tab = Tab(chromium)
        requests: list[str] = []
        tab.page.on("request", lambda request: requests.append(request.url))
        try:
            _open(tab.page, fresh.url("/", ids=",".join(hostile_api.ids)), "Load tasks")
            for label, path in PAGES.items():
                if path != "/":
                    _click_nav(tab.page, label, path)
                tab.page.mouse.move(700, 500)  # hover whatever is under the pointer
                tab.page.wait_for_timeout(300)
                _assert_inert(tab)
                text = tab.page.locator('[data-testid="stMain"]').inner_text()
                assert "Traceback" not in text and not tab.page.locator('[data-testid="stException"]').count(), label
            for needle in ("Which PM tool is best?", "best tool?"):  # each hostile answer, by its prompt
                assert _pick_task(tab.page, (needle,)), needle
                tab.page.wait_for_timeout(300)
                _assert_inert(tab)
            settle(tab.page)
        finally:
            tab.context.close()
    hosts = {urlsplit(url).hostname for url in requests if urlsplit(url).scheme in ("http", "https", "ws", "wss")}
    assert requests and hosts <= LOCAL, f"the browser asked other hosts: {sorted(hosts - LOCAL)}"
    assert not [url for url in requests if EVIL in url]
    assert not tab.errors, tab.errors
