"""Answers page: one answer at a time, its values from the raw JSON, selection through the selectbox
and the session, and hostile LLM text rendered inert (demo data and fake-API data)."""
from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from core.config import DEFAULT_TASK_PRICES
from core.model import ENGINE_LABELS
import streamlit
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.page_values import demo_tasks, metrics, result_of
from ui.safe import safe_markdown

HOSTILE_ID = "11160928-1535-0613-0000-9b5d2f7e4c09"


def _items(task: dict, kind: str) -> list[dict]:
    return [s for item in result_of(task).get("items") or [] if item["type"] == kind for s in item["sections"]]


HIGHLIGHT = re.compile(r":(?:blue|red)-background\[([^\]]*)\]")


def _texts(at) -> list[str]:
    """Every markdown and caption value on the page (captions are markdown too)."""
    return [m.value for m in at.markdown] + [c.value for c in at.caption]


@pytest.fixture
def downloads(monkeypatch):
    """Records each st.download_button call's label, data and file name."""
    calls = []
    original = streamlit.download_button

    def record(label, data, *args, **kwargs):
        calls.append({"label": label, "data": data, "file_name": kwargs.get("file_name")})
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", record)
    return calls


def _assert_shows(at, task: dict, downloads: list[dict]) -> None:
    """The page shows ``task``: selection, prompt, tokens, cost, sections, links, fan-out, raw JSON."""
    result = task["result"][0]
    assert at.selectbox(key="w_answer_task").value == task["id"]
    assert at.session_state["answer_task"] == [task["id"]]
    assert at.query_params["answer"] == task["id"]  # the link opens this answer
    shown = metrics(at)
    assert shown["Input tokens"] == f"{result['input_tokens']:,}"
    assert shown["Output tokens"] == f"{result['output_tokens']:,}"
    assert shown["Reasoning tokens"] == f"{result['reasoning_tokens']:,}"
    assert shown["Money spent"] == f"${result['money_spent']:.4f}"
    money = task["result"][0]["money_spent"]
    spend = max(task["cost"], money) if task["cost"] > 0 else money + DEFAULT_TASK_PRICES["standard"]
    label = "Spend" if task["cost"] > 0 else "Spend (estimate)"
    assert shown[label] == f"${spend:.4f}"
    texts = _texts(at)
    assert safe_markdown(task["data"]["user_prompt"]) in texts
    line = next(t for t in texts if t.startswith(":material/smart_toy:"))
    assert f"**{ENGINE_LABELS[task['data']['se']]}**" in line and result["model_name"] in line
    assert f"answered {result['datetime'][:16]} UTC" in line
    assert f"web search **{'on' if result['web_search'] else 'off'}**" in line
    unhighlighted = [HIGHLIGHT.sub(r"\1", t) for t in texts]  # tracked names: tests/test_highlight.py
    for section in _items(task, "message"):  # the answer's headings are set below the page's own
        assert re.sub(r"(?m)^#{1,6} ", "#### ", safe_markdown(section["text"])) in unhighlighted
    sources = "\n".join(t for t in texts if t.startswith("**Sources**"))
    notes = [n for s in _items(task, "message") for n in s.get("annotations") or []]
    for note in notes:
        link = note.get("direct_url") or note["url"]
        if link.strip().lower().startswith(("http://", "https://")):
            assert f"]({link})" in sources
    assert len(re.findall(r"(?m)^\d+\. ", sources)) == len(notes)
    queries = "\n".join(f"- {safe_markdown(q)}" for q in result.get("fan_out_queries") or [])
    assert (queries in texts) if queries else any(t.startswith("None: web search was off") for t in texts)
    raw = downloads[-1]
    assert raw["label"] == "Raw task JSON" and raw["file_name"] == f"task-{task['id']}.json"
    assert json.loads(raw["data"]) == task


def _label(task: dict) -> str:
    prompt = " ".join(task["data"]["user_prompt"].split())
    short = prompt[:60] + ("…" if len(prompt) > 60 else "")
    model = result_of(task).get("model_name") or task["data"]["model_name"]
    return f"{ENGINE_LABELS[task['data']['se']]} · {model} · {short}"


def test_demo_lists_every_completed_answer_and_shows_the_first(demo_env, app, downloads):
    tasks = demo_tasks()
    at = app(page="pages/answers.py")
    box = at.selectbox(key="w_answer_task")
    repeated = Counter(map(_label, tasks))
    answered = {t["id"]: result_of(t).get("datetime") for t in tasks}  # None for a null result
    expected = {_label(t) + (f" · {answered[t['id']][:16]}" if repeated[_label(t)] > 1 and answered[t["id"]] else "")
                for t in tasks}
    assert set(box.options) == expected and len(box.options) == len(tasks)
    _assert_shows(at, next(t for t in tasks if t["id"] == box.value), downloads)


def test_demo_selectbox_switches_the_task(demo_env, app, downloads):
    tasks = demo_tasks()
    at = app(page="pages/answers.py")
    other = next(t for t in tasks if t["id"] != at.selectbox(key="w_answer_task").value and t["data"]["se"] == "claude")
    at.selectbox(key="w_answer_task").set_value(other["id"]).run()
    _assert_shows(at, other, downloads)


def test_demo_reasoning_summary_is_in_a_collapsed_expander(demo_env, app, downloads):
    task = next(t for t in demo_tasks() if _items(t, "reasoning"))
    at = app(page="pages/answers.py")
    at.selectbox(key="w_answer_task").set_value(task["id"]).run()
    expander = next(e for e in at.expander if e.label == "Reasoning summary")
    assert expander.proto.expanded is False
    summary = "\n\n".join(s["text"] for s in _items(task, "reasoning"))
    assert [m.value for m in expander.markdown] == [safe_markdown(summary)]
    _assert_shows(at, task, downloads)


def test_demo_answer_without_reasoning_says_so(demo_env, app):
    task = next(t for t in demo_tasks() if not _items(t, "reasoning"))
    at = app(page="pages/answers.py")
    at.selectbox(key="w_answer_task").set_value(task["id"]).run()
    expander = next(e for e in at.expander if e.label == "Reasoning summary")
    assert expander.markdown[0].value.startswith("_No reasoning summary")


def test_a_task_set_in_the_session_by_another_page_is_preselected(demo_env, downloads):
    tasks = demo_tasks()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.session_state["answer_task"] = [tasks[7]["id"]]  # after the first run: it seeds the shared keys from the URL
    at.switch_page("pages/answers.py")
    at.run()
    assert not at.exception, at.exception
    _assert_shows(at, tasks[7], downloads)
    at.session_state["answer_task"] = [tasks[3]["id"]]  # another page opens another task
    at.run()
    _assert_shows(at, tasks[3], downloads)
    at.selectbox(key="w_answer_task").set_value(tasks[5]["id"]).run()  # the user's choice wins from then on
    at.run()
    _assert_shows(at, tasks[5], downloads)


def test_a_session_task_hidden_by_the_filters_is_not_shown(demo_env):
    tasks = demo_tasks()
    claude = next(t for t in tasks if t["data"]["se"] == "claude")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["f_engine"] = "gemini"
    at.run()
    at.session_state["answer_task"] = [claude["id"]]
    at.switch_page("pages/answers.py")
    at.run()
    assert not at.exception, at.exception
    gemini = {t["id"] for t in tasks if t["data"]["se"] == "gemini"}
    assert at.selectbox(key="w_answer_task").value in gemini
    assert len(at.selectbox(key="w_answer_task").options) == len(gemini)
    assert any("hidden by the current filters" in c.value for c in at.caption)


def test_a_link_with_an_answer_opens_it_on_a_fresh_session(demo_env, app, downloads):
    tasks = demo_tasks()
    wanted = tasks[-1]
    at = app(page="pages/answers.py", answer=wanted["id"].upper())  # ids are read in any case
    assert not at.exception, at.exception
    _assert_shows(at, wanted, downloads)
    assert not at.warning


def test_a_malformed_answer_in_the_link_is_ignored_with_a_notice(demo_env):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)  # AppTest opens a session on the main page
    at.query_params["answer"] = "not-a-task-id<script>"
    at.run()
    assert not at.exception, at.exception
    assert any("is not a task id\\: it was ignored" in w.value and "\\<script\\>" in w.value for w in at.warning)
    at.switch_page("pages/answers.py")
    at.run()
    shown = at.selectbox(key="w_answer_task").value
    assert shown in {t["id"] for t in demo_tasks()}  # the first answer, as without a link
    assert at.query_params["answer"] == shown


UNESCAPED_TAG = re.compile(r"(?<!\\)<\s*(script|img|svg|b|i)\b", re.IGNORECASE)
UNSAFE_LINK = re.compile(r"(?<!\\)\]\(\s*<?\s*(javascript|data|vbscript):", re.IGNORECASE)


def test_fake_api_hostile_answer_renders_inert(api_env, sample, app, downloads):
    reply = sample("hostile")
    task = reply["tasks"][0]
    assert task["id"] == HOSTILE_ID
    api_env.add_reply("chat_gpt", HOSTILE_ID, reply)
    at = app(page="pages/answers.py", ids=[HOSTILE_ID], engine="chat_gpt")
    texts = _texts(at) + [m.value for e in at.expander for m in e.markdown]
    for text in texts:
        assert not UNESCAPED_TAG.search(text), text
        assert not UNSAFE_LINK.search(text), text
    body = "\n".join(texts)
    assert "\\<script\\>alert(1)\\</script\\>" in body  # shown as text, not dropped silently
    assert "[Asana](https://asana.com)" in body
    assert "\\[here\\](data:text/html," in body  # a link safe_markdown cannot parse stays inert text
    assert "[this review](https://www.g2.com/categories/project-management)" in body
    assert "](https://www.g2.com/categories/project-management?utm_source=chatgpt.com)" in body
    sources = next(t for t in texts if t.startswith("**Sources**"))
    assert sources.count("](") == 1  # only the https annotation is a link; the three others are plain titles
    assert "\\<b onmouseover=alert(1)\\>Asana\\</b\\>" in sources
    assert "- \\<script\\>alert(1)\\</script\\> best project management tool" in body  # fan-out query
    assert not any(e.proto.expanded for e in at.expander if e.label == "Reasoning summary")
    _assert_shows(at, task, downloads)
    raw = downloads[-1]["data"]
    assert api_env.login not in raw and api_env.password not in raw


def test_fake_api_mixed_batch_lists_only_completed_answers(api_env, sample, app, downloads):
    names = ["chat_gpt_web_search", "chat_gpt_no_search"]
    done = [sample(name)["tasks"][0] for name in names]
    for name, task in zip(names, done):
        api_env.add_reply("chat_gpt", task["id"], sample(name))
    pending = "11241742-1535-0613-0000-d3e8a1c6f9aa"
    api_env.add_pending("chat_gpt", pending)
    at = app(page="pages/answers.py", ids=[t["id"] for t in done] + [pending], engine="chat_gpt")
    assert len(at.selectbox(key="w_answer_task").options) == 2
    at.selectbox(key="w_answer_task").set_value(done[1]["id"]).run()
    _assert_shows(at, done[1], downloads)  # web search off: no sources, no fan-out
    assert not any(t.startswith("**Sources**") for t in _texts(at))


def test_no_completed_answers_explains_what_to_do(api_env, app):
    pending = "11241742-1535-0613-0000-d3e8a1c6f9aa"
    api_env.add_pending("chat_gpt", pending)
    at = app(page="pages/answers.py", ids=[pending], engine="chat_gpt")
    assert not at.selectbox and not at.metric
    assert any("None of the loaded tasks has an answer yet" in info.value for info in at.info)


def test_fake_api_gemini_redirects_show_the_credited_domain(api_env, sample, app, downloads):
    reply = sample("gemini_direct_url")
    task = reply["tasks"][0]
    task["data"]["system_message"] = "Answer <b>briefly</b>"
    task["data"]["message_chain"] = [{"role": "user", "message": "Hi [x](javascript:alert(1))"},
                                     {"role": "ai", "message": "Hello!"}]
    api_env.add_reply("gemini", task["id"], reply)
    at = app(page="pages/answers.py", ids=[task["id"]], engine="gemini")
    _assert_shows(at, task, downloads)
    sources = "\n".join(t for t in _texts(at) if t.startswith("**Sources**"))
    labels = re.findall(r"(?m)^\d+\. \[([^\]]*)\]\(([^)]*)\)", sources)
    notes = [n for s in _items(task, "message") for n in s.get("annotations") or []]
    assert labels == [(n["title"], n.get("direct_url") or n["url"]) for n in notes]  # the domain, not google
    assert "vertexaisearch" not in re.sub(r"\]\([^)]*\)", "]", sources)  # only inside the redirect's URL
    expander = next(e for e in at.expander if e.label == "Reasoning summary")
    summary = "\n\n".join(s["text"] for s in _items(task, "reasoning"))
    assert summary and [m.value for m in expander.markdown] == [safe_markdown(summary)]
    captions = [c.value for c in at.caption]
    assert "System message: Answer \\<b\\>briefly\\</b\\>" in captions
    chain = next(c for c in captions if c.startswith("Conversation before the prompt"))
    assert "- **user**: Hi x" in chain and "javascript" not in chain and "- **ai**: Hello!" in chain
