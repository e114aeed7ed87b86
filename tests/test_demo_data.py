"""The bundled demo dataset: reproducible, and shaped like real DataForSEO task_get replies.

Plain Python on the JSON file (no imports from ``core``), so it checks the data itself.
"""
from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "core" / "data" / "demo_replies.json"
SCRIPT = ROOT / "scripts" / "make_demo_data.py"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ENGINES = {"gemini", "chat_gpt", "claude"}
KNOWN_ITEMS = {"message", "reasoning"}
REQUEST_FIELDS = {"user_prompt", "model_name", "tag", "web_search", "web_search_country_iso_code",
                  "force_web_search", "temperature"}
REDIRECT = "https://vertexaisearch.cloud.google.com/grounding-api-redirect/"


@pytest.fixture(scope="module")
def demo() -> dict:
    return json.loads(DEMO.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def replies(demo) -> list[dict]:
    return demo["replies"]


def task_of(reply: dict) -> dict:
    return reply["reply"]["tasks"][0]


def completed(replies: list[dict]) -> list[tuple[dict, dict]]:
    """(reply, result) for every completed task that has a result."""
    return [(r, task_of(r)["result"][0]) for r in replies
            if task_of(r)["status_code"] == 20000 and task_of(r)["result"]]


def message_sections(result: dict) -> list[dict]:
    return [s for item in result["items"] if item["type"] == "message" for s in item["sections"]]


def annotations(result: dict) -> list[dict]:
    return [a for s in message_sections(result) for a in (s["annotations"] or [])]


def answer_text(result: dict) -> str:
    return "\n\n".join(s["text"] for s in message_sections(result))


def cited_host(note: dict) -> str:
    """The cited site by the documented rule: direct_url, else a redirect's title, else the url's host."""
    link = note.get("direct_url") or (note["title"] if note["url"].startswith(REDIRECT) else note["url"])
    host = link.split("/")[2] if link.startswith("http") else link
    return host.removeprefix("www.")


def test_regenerating_gives_identical_bytes(tmp_path):
    out = tmp_path / "demo.json"
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == DEMO.read_bytes(), "run scripts/make_demo_data.py and commit the result"


def test_file_is_small_and_self_describing(demo):
    assert DEMO.stat().st_size < 600_000
    assert "make_demo_data.py" in demo["about"]
    assert demo["brand"] not in demo["competitors"]
    assert 60 <= len(demo["replies"]) <= 90


def test_brands_in_the_brands_file_shape(demo):
    brands = demo["brands"]
    assert set(brands) == {"brands", "competitors"}
    assert [b["name"] for b in brands["brands"]] == [demo["brand"]]
    for entry in brands["brands"] + brands["competitors"]:
        assert set(entry) == {"name", "aliases", "domains"} and entry["name"] and entry["domains"]
        assert all(isinstance(a, str) and a for a in entry["aliases"])
    assert brands["brands"][0]["domains"] == [demo["brand"]]
    assert sorted(d for c in brands["competitors"] for d in c["domains"] if d in demo["competitors"]) \
        == sorted(demo["competitors"])


def test_ids_unique_and_uuid_shaped(replies):
    ids = [r["task_id"] for r in replies]
    assert len(set(ids)) == len(ids)
    for r in replies:
        task = task_of(r)
        assert UUID.fullmatch(r["task_id"]), r["task_id"]
        assert task["id"] == r["task_id"] == task["path"][-1]
        assert task["path"] == ["v3", "ai_optimization", r["engine"], "llm_responses", "task_get", r["task_id"]]


def test_envelopes_are_http_200_shaped(replies):
    for r in replies:
        env, task = r["reply"], task_of(r)
        assert env["status_code"] == 20000 and env["status_message"] == "Ok."
        assert env["tasks_count"] == len(env["tasks"]) == 1
        assert env["tasks_error"] == (1 if task["status_code"] >= 40000 else 0)
        assert env["cost"] == task["cost"] == 0, "task_get replies cost 0, as in every published example"
        assert re.fullmatch(r"\d+\.\d{4} sec\.", env["time"]) and re.fullmatch(r"\d+\.\d{4} sec\.", task["time"])
        assert task["data"]["se"] == r["engine"] and task["data"]["api"] == "ai_optimization"
        if task["status_code"] != 20000:
            assert task["result"] is None and task["result_count"] == 0
        assert task["result_count"] == len(task["result"] or [])


def test_engines_models_and_statuses(replies):
    assert {r["engine"] for r in replies} == ENGINES
    models = {engine: {res["model_name"] for r, res in completed(replies) if r["engine"] == engine}
              for engine in ENGINES}
    assert all(len(names) >= 2 for names in models.values()), models
    codes = Counter(task_of(r)["status_code"] for r in replies)
    assert codes[20000] >= 60
    assert codes[40601] + codes[40602] >= 1, "no pending task"
    assert codes[20100] == 1 and any(task_of(r)["status_message"] == "Task Created." for r in replies)
    assert codes[40403] >= 1, "no expired task"
    assert codes[40401] >= 1, "no not-found task"
    assert set(codes) - {20000, 20100, 40601, 40602, 40403, 40401}, "no failed task"
    reasoning = {engine: {res["reasoning_tokens"] > 0 for r, res in completed(replies) if r["engine"] == engine}
                 for engine in ENGINES}
    assert all(kinds == {True, False} for kinds in reasoning.values()), "reasoning and non-reasoning models"
    assert len({res["model_name"] for _, res in completed(replies)}) >= 9


def test_completed_results_are_consistent(replies):
    for r, res in completed(replies):
        task = task_of(r)
        assert res["model_name"] == task["data"]["model_name"]
        assert res["web_search"] == task["data"]["web_search"]
        assert re.fullmatch(r"2026-\d\d-\d\d \d\d:\d\d:\d\d \+00:00", res["datetime"])
        assert 20 <= res["input_tokens"] <= 120 and 300 <= res["output_tokens"] <= 1500
        assert 0 <= res["reasoning_tokens"] <= 3000
        assert task["cost"] == 0 and res["money_spent"] > 0  # money_spent: what the model provider charged
        has_reasoning_item = any(item["type"] == "reasoning" for item in res["items"])
        assert not has_reasoning_item or res["reasoning_tokens"] > 0
        sections = message_sections(res)
        assert 1 <= len(sections) <= 4
        if not res["web_search"]:
            assert res["fan_out_queries"] is None
            assert all(s["annotations"] is None for s in sections)
        else:
            assert 3 <= len(res["fan_out_queries"]) <= 12
            assert all(isinstance(s["annotations"], list) for s in sections)


def test_variety_the_dashboard_must_handle(replies):
    done = completed(replies)
    reasoning = [res for _, res in done if res["reasoning_tokens"] > 0]
    assert any(any(i["type"] == "reasoning" for i in res["items"]) for res in reasoning)
    assert any(not any(i["type"] == "reasoning" for i in res["items"]) for res in reasoning), \
        "reasoning is never guaranteed: some reasoning runs should lack the item"
    assert any(res["reasoning_tokens"] == 0 for _, res in done)
    assert any(not res["web_search"] for _, res in done)
    assert any(res["web_search"] and not annotations(res) for _, res in done), "no web search with empty annotations"


def test_gemini_annotations_old_and_new(replies):
    notes = [a for r, res in completed(replies) if r["engine"] == "gemini" for a in annotations(res)]
    assert notes
    for note in notes:
        assert note["url"].startswith(REDIRECT)
        assert "/" not in note["title"] and "." in note["title"], note["title"]
    assert any("direct_url" in n for n in notes) and any("direct_url" not in n for n in notes)
    for note in notes:
        if "direct_url" in note:
            assert note["direct_url"].startswith("https://") and not note["direct_url"].startswith(REDIRECT)


def test_chatgpt_and_claude_cite_real_pages(replies):
    for r, res in completed(replies):
        if r["engine"] == "gemini":
            continue
        for note in annotations(res):
            assert note["url"].startswith("https://") and not note["url"].startswith(REDIRECT)
            assert not note.get("direct_url")
            assert note["title"]
    chatgpt = [a for r, res in completed(replies) if r["engine"] == "chat_gpt" for a in annotations(res)]
    assert any("utm_source=openai" in a["url"] for a in chatgpt)


def test_annotation_spans_point_into_their_section(replies):
    checked = 0
    for _, res in completed(replies):
        for section in message_sections(res):
            for note in section["annotations"] or []:
                if "start_index" in note:
                    assert section["text"][note["start_index"]:note["end_index"]] == note["text"]
                    checked += 1
    assert checked > 50


def test_brand_visibility_varies(demo, replies):
    cited_in = Counter()
    for _, res in completed(replies):
        cited_in.update({cited_host(note) for note in annotations(res)})
    answers = len(completed(replies))
    assert 0 < cited_in[demo["brand"]] < answers / 2
    assert all(cited_in[c] > 0 for c in demo["competitors"])


def test_replies_parse_with_the_official_sdk(replies):
    """If dataforseo-client is installed, its pydantic models accept every reply and every item."""
    pytest.importorskip("dataforseo_client")
    classes = {
        engine: getattr(importlib.import_module(
            f"dataforseo_client.models.ai_optimization_{engine}_llm_responses_task_get_response_info"),
            f"AiOptimization{name}LlmResponsesTaskGetResponseInfo")
        for engine, name in (("gemini", "Gemini"), ("chat_gpt", "ChatGpt"), ("claude", "Claude"))
    }
    for r in replies:
        parsed = classes[r["engine"]].from_dict(r["reply"])
        task = parsed.tasks[0]
        assert task.status_code == task_of(r)["status_code"]
        for result, raw in zip(task.result or [], task_of(r)["result"] or []):
            for item, raw_item in zip(result.items, raw["items"]):  # the SDK makes an unknown type None
                assert (item is None) == (raw_item["type"] not in KNOWN_ITEMS), raw_item["type"]


def test_request_fields_in_task_data(replies):
    """What a task's data echoes of the request (the API forgets it for unknown and expired ids)."""
    echoed = [task_of(r) for r in replies if task_of(r)["status_code"] not in (40401, 40403)]
    for task in echoed:
        data = task["data"]
        assert REQUEST_FIELDS <= set(data), REQUEST_FIELDS - set(data)
        assert isinstance(data["force_web_search"], bool) and data["web_search"] >= data["force_web_search"]
        assert ("use_reasoning" in data) == (data["se"] in {"gemini", "claude"})
        assert 0 <= data["temperature"] <= 2 and data["tag"]
    assert {"US", "DE", "JP"} <= {t["data"]["web_search_country_iso_code"] for t in echoed}
    cities = [t["data"].get("web_search_city") for t in echoed]
    assert any(cities) and not all(cities), "web_search_city on some tasks only"
    assert {t["data"]["force_web_search"] for t in echoed} == {True, False}
    assert {t["data"]["use_reasoning"] for t in echoed if "use_reasoning" in t["data"]} == {True, False}


def test_shapes_a_reader_must_survive(replies):
    tasks = [task_of(r) for r in replies]
    null = [t for t in tasks if t["status_code"] == 20000 and t["result"] is None]
    assert len(null) == 1 and null[0]["result_count"] == 0 and null[0]["data"]["user_prompt"]
    unknown = [res for _, res in completed(replies) if {i["type"] for i in res["items"]} - KNOWN_ITEMS]
    assert len(unknown) == 1
    items = {item["type"]: item for item in unknown[0]["items"]}
    assert "message" in items and len(items["image_generation"]) > 1, "an unknown item beside the message"


def test_answers_span_ten_weeks_and_the_old_july_ones(replies):
    days = [date.fromisoformat(res["datetime"][:10]) for _, res in completed(replies)]
    recent = [d for d in days if d >= date(2026, 9, 1)]
    assert len({d.isocalendar()[:2] for d in recent}) >= 9 and (max(recent) - min(recent)).days >= 60
    july = [(r, res) for r, res in completed(replies) if res["datetime"] < "2026-07-28"]
    assert july and {r["engine"] for r, _ in july} == {"gemini"}
    assert all("start_index" not in note and "text" not in note for _, res in july for note in annotations(res))


def test_answers_exercise_the_brand_mention_matching(demo, replies):
    """Texts a mention finder must get right: CJK without spaces, possessives, ordinary words, markdown."""
    everything = "\n".join(answer_text(res) for _, res in completed(replies))
    for needle in ("我们推荐monday.com和Asana", "Asana's", "Monday.com's", "on Monday", "a notion",
                   "**monday.com**", "[Asana](https://"):
        assert needle in everything, needle
    assert re.search(r"(?m)^(\d+\.|-|\*) +\*\*(Asana|ClickUp|Trello|Notion|Wrike)\*\*", everything), "list items"
    prompts = {task_of(r)["data"].get("user_prompt") or "" for r in replies}
    assert any(demo["brand"] in prompt.lower() for prompt in prompts), "no branded prompt"


def test_brand_named_but_not_cited_and_cited_but_not_named(demo, replies):
    brand = demo["brand"]
    named_only = cited_only = 0
    for _, res in completed(replies):
        named = "monday" in answer_text(res).lower()
        cited = brand in {cited_host(note) for note in annotations(res)}
        named_only += named and not cited
        cited_only += cited and not named
    assert named_only >= 3 and cited_only >= 1
    assert any(r["engine"] == "chat_gpt" and not res["web_search"]
               and re.search(r"(?m)^2\. \*\*monday\.com\*\*", answer_text(res)) for r, res in completed(replies)), \
        "a ChatGPT answer without web search recommending monday.com as number 2"
