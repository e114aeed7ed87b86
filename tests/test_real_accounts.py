"""Ready for real accounts (issue 15): one mixed list of Gemini, ChatGPT and Claude ids, the reply shapes a
real account meets (``20100``, ``result: null``, an unknown item type, no top-level status, ``cost: 0``),
through the CLI and the pages, against the fake API (which answers ``40002`` on another engine's path).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from core import model
from core.archive import Archive
from core.config import DEFAULT_TASK_PRICES
from tests.hostile_shapes import SHAPES, UNKNOWN_ITEM, good_task
from tests.page_values import metrics, table_with
from tests.test_archive import ROOT, uid
from tests.test_cli import expected_usage
from tests.test_hostile_replies import strict_json

SAMPLES = {"gemini_direct_url": "gemini", "chat_gpt_web_search": "chat_gpt", "chat_gpt_no_search": "chat_gpt",
           "claude_reasoning": "claude"}
SHAPED = {"created_20100": "claude", "result_null": "chat_gpt", "unknown_item": "gemini", "no_top_status": "claude"}
SHAPE = {shape.name: shape for shape in SHAPES}


@pytest.fixture
def mixed(fake_api, sample):
    """The fake serving each sample under its engine and each shape under its own; returns
    ({id: engine}, {id: expected status}, {id: the completed task dict behind each answer})."""
    engine_of, status_of, answers = {}, {}, {}
    for name, engine in SAMPLES.items():
        reply = sample(name)
        task = reply["tasks"][0]
        fake_api.add_reply(engine, task["id"], reply)
        engine_of[task["id"]], status_of[task["id"]], answers[task["id"]] = engine, model.COMPLETED, task
    for n, (name, engine) in enumerate(SHAPED.items()):
        task = good_task(uid(n, "5eed"), engine, n)
        fake_api.add_raw(engine, task["id"], SHAPE[name].build(task))
        engine_of[task["id"]], status_of[task["id"]] = engine, SHAPE[name].status
        if SHAPE[name].status == model.COMPLETED:
            answers[task["id"]] = task
    return engine_of, status_of, answers


def _env(fake_api, tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATAFORSEO_", "AIVIS_", "XDG_"))}
    return {**env, "HOME": str(tmp_path), "AIVIS_ARCHIVE_URL": f"sqlite:///{tmp_path / 'archive.sqlite'}",
            "DATAFORSEO_LOGIN": fake_api.login, "DATAFORSEO_PASSWORD": fake_api.password,
            "DATAFORSEO_BASE_URL": fake_api.base_url}


def _cli(env, *args):
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_cli_fetch_of_a_mixed_list_finds_and_archives_each_engine(fake_api, mixed, tmp_path):
    engine_of, status_of, _ = mixed
    ids = list(engine_of)
    done = _cli(_env(fake_api, tmp_path), "fetch", *ids)
    assert done.returncode == 0, done.stderr
    rows = {line.split("\t")[0]: line.split("\t") for line in done.stdout.splitlines()}
    assert {i: (row[1], row[2]) for i, row in rows.items()} == {i: (engine_of[i], status_of[i]) for i in ids}
    asked = {i: [r.path.split("/")[3] for r in fake_api.requests if r.path.endswith(i)] for i in ids}
    for task_id, engines in asked.items():
        assert 1 <= len(engines) <= 3 and engines[-1] == engine_of[task_id], (task_id, engines)
        assert len(set(engines)) == len(engines)  # never the same engine twice
    with Archive(f"sqlite:///{tmp_path / 'archive.sqlite'}") as archive:
        stored = {o.task_id: (o.engine, o.status) for o in archive.query(statuses=None)}
    assert stored == {i: (engine_of[i], status_of[i]) for i in ids}
    assert f"0 from the archive, {len(ids)} requested" in done.stderr


def test_cli_report_json_is_strict_and_gives_each_task_its_engine(fake_api, mixed, tmp_path):
    engine_of, status_of, answers = mixed
    ids = list(engine_of)
    done = _cli(_env(fake_api, tmp_path), "report", "--format", "json", *ids)
    assert done.returncode == 0, done.stderr
    report = strict_json(done.stdout)
    assert [(t["id"], t["engine"], t["status"]) for t in report["tasks"]] == [
        (i, engine_of[i], status_of[i]) for i in ids]
    pending = next(t for t in report["tasks"] if t["status"] == model.PENDING)
    assert pending["status_code"] == 20100 and pending["model_name"] is None
    assert report["counts"]["completed"] == len(answers)  # "completed, no answer" is not an answer
    want = expected_usage(answers)
    assert want["total_spend_is_estimate"] and want["task_cost"] is not None  # both kinds of price present
    for key, value in want.items():
        exact = value is None or isinstance(value, bool)
        assert report["usage"][key] == (value if exact else pytest.approx(value, abs=1e-6)), key
    assert report["usage"]["total_spend"] >= report["usage"]["money_spent"]


# -- the pages ---------------------------------------------------------------------------------------
def test_load_tasks_lists_every_shape_with_its_engine(api_env, mixed, app):
    engine_of, status_of, _ = mixed
    at = app(ids=list(engine_of))
    table = table_with(at, "status")
    assert {row.task_id: (row.engine, row.status) for row in table.itertuples()} == {
        i: (model.engine_label(engine_of[i]), status_of[i]) for i in engine_of}
    shown = metrics(at)
    assert shown["Pending"] == "1" and shown["Completed, no answer"] == "1"
    assert shown["Completed"] == str(sum(s == model.COMPLETED for s in status_of.values()))


def test_usage_says_estimate_when_every_reply_reports_cost_0(api_env, mixed, app):
    engine_of, _, answers = mixed
    free = [i for i, task in answers.items() if not task["cost"]]
    assert len(free) >= 3
    at = app(page="pages/usage.py", ids=free)
    shown = metrics(at)
    money = sum(answers[i]["result"][0]["money_spent"] for i in free)
    price = DEFAULT_TASK_PRICES["standard"] * len(free)
    assert shown["Money spent"] == f"${money:,.4f}"
    assert shown["DataForSEO task price (estimate)"] == f"${price:,.4f}"
    assert shown["Spend (estimate)"] == f"${money + price:,.4f}"
    assert any("the task price is an estimate" in c.value for c in at.caption)


def test_answers_shows_an_unknown_item_raw(api_env, mixed, app):
    engine_of, _, answers = mixed
    unknown = next(i for i in answers if i.startswith("5eed") and engine_of[i] == SHAPED["unknown_item"])
    at = app(page="pages/answers.py", ids=[unknown])
    assert at.selectbox(key="w_answer_task").value == unknown
    assert any(e.label == "1 item of a type this app does not read" for e in at.expander)
    raw = [json.loads(element.proto.body) for element in at.get("json")]
    assert [UNKNOWN_ITEM] in raw
