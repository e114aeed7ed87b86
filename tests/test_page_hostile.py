"""Hostile text and files on the pages: nothing in a chart, a message or a caption can load a URL, and a
bad upload gets a message, never a traceback."""
from __future__ import annotations

import json
import re

from tests.page_values import table_with

EVIL_MODEL = '<span style="fill:url(http://evil.example/x)">m</span>'
EVIL_PROMPT = '<a href="http://evil.example/">click</a> & <img src=http://evil.example/p.png>'
EVIL_TAG = "![t](http://evil.example/t.png) $x$"
TEMPLATES = {"template", "hovertemplate", "texttemplate"}


def _strings(value, key=""):
    """Every string of a figure spec, except the templates the app wrote itself."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for name, item in value.items():
            if name not in TEMPLATES:
                yield from _strings(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, key)


def _unescaped(markdown: str) -> str:
    """The markdown without its backslash-escaped characters: what markdown still acts on."""
    return re.sub(r"\\.", "", markdown)


def _serve_hostile(api_env, sample) -> str:
    reply = sample("chat_gpt_web_search")
    task = reply["tasks"][0]
    task["result"][0]["model_name"] = EVIL_MODEL
    task["data"]["user_prompt"] = EVIL_PROMPT
    task["data"]["tag"] = EVIL_TAG
    api_env.add_reply("chat_gpt", task["id"], reply)
    return task["id"]


def _specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def test_chart_labels_from_a_reply_reach_plotly_escaped(api_env, sample, app):
    task_id = _serve_hostile(api_env, sample)
    for page in ("pages/usage.py", "pages/domains.py"):
        at = app(page=page, ids=[task_id], engine="chat_gpt")
        specs = _specs(at)
        assert specs, page
        shown = [text for spec in specs for _, text in _strings(spec)]
        assert not [text for text in shown if "<" in text], page
        assert any("&lt;span style" in text for text in shown) or any("&lt;a href" in text for text in shown)


def test_archive_tags_and_a_foreign_ref_are_echoed_as_text(api_env, sample, app):
    task_id = _serve_hostile(api_env, sample)
    app(ids=[task_id], engine="chat_gpt")  # archives it
    at = app()
    at.button_group(key="w_load_source").set_value("archive").run()
    facets = next(t.value for t in at.text if "archived" in t.value)  # st.text: no markup
    assert "1 completed answer archived" in facets  # one answer, in the singular
    linked = app(ref="![t](http://evil.example/r.png)")
    message = next(w.value for w in linked.warning if "id list" in w.value)
    assert "[" not in _unescaped(message) and "evil.exa" in message


def test_an_upload_with_carriage_returns_loads_and_a_binary_one_is_refused(api_env, sample, app):
    reply = sample("chat_gpt_no_search")
    task_id = reply["tasks"][0]["id"]
    api_env.add_reply("chat_gpt", task_id, reply)
    at = app(engine="chat_gpt")
    at.button_group(key="w_load_source").set_value("upload").run()
    at.file_uploader(key="w_upload").set_value(("ids.csv", f"id,note\r{task_id},x\r".encode(), "text/csv"))
    at.button(key="w_load_upload").click().run()
    assert not at.exception
    assert list(table_with(at, "status")["task_id"]) == [task_id]
    at.file_uploader(key="w_upload").set_value(("ids.csv", b"PK\x03\x04\x14\x00\x06\x00\x00\x00", "text/csv"))
    at.button(key="w_load_upload").click().run()
    assert not at.exception
    assert any("not a text file" in e.value for e in at.error)


def test_a_binary_archive_import_says_so(api_env, app):
    at = app()
    at.button_group(key="w_load_source").set_value("archive").run()
    at.file_uploader(key="w_import").set_value(("a.jsonl", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", "application/jsonl"))
    at.button(key="w_import_button").click().run()
    assert not at.exception
    assert any("Nothing imported" in e.value and "not a text file" in e.value for e in at.error)
