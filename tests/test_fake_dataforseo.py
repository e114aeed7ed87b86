"""Tests of the fake DataForSEO server itself."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

KNOWN = "11160914-1535-0613-0000-6e3f1a2b9c01"
UNKNOWN = "00000000-1111-2222-3333-444455556666"
PENDING = "aaaaaaaa-1111-2222-3333-444455556666"
EXPIRED = "bbbbbbbb-1111-2222-3333-444455556666"


def task_get(api, task_id, engine="gemini", auth=None, session=requests):
    url = f"{api.base_url}/v3/ai_optimization/{engine}/llm_responses/task_get/{task_id}"
    return session.get(url, auth=auth or (api.login, api.password), timeout=5)


def test_wrong_or_missing_credentials_are_refused(fake_api, capfd):
    for auth in [("test-login", "wrong"), None]:
        url = f"{fake_api.base_url}/v3/ai_optimization/gemini/llm_responses/task_get/{KNOWN}"
        reply = requests.get(url, auth=auth, timeout=5)
        assert reply.status_code == 401
        body = reply.json()
        assert (body["status_code"], body["tasks"], body["tasks_count"]) == (40100, None, 0)
        assert body["status_message"] == "You are not authorized to access this resource."
    assert [r.auth_ok for r in fake_api.requests] == [False, False]
    task_get(fake_api, KNOWN, auth=("test-login", "test-password"))
    assert fake_api.requests[-1].auth_ok
    out, err = capfd.readouterr()
    assert out == err == ""  # quiet: no request lines, no credentials


def test_known_id_is_served_verbatim(fake_api, sample):
    reply_sample = sample("gemini_direct_url")
    fake_api.add_reply("gemini", KNOWN, reply_sample)
    reply = task_get(fake_api, KNOWN)
    assert reply.status_code == 200
    assert reply.json() == reply_sample


def test_unknown_id_and_wrong_engine(fake_api, sample):
    fake_api.add_reply("gemini", KNOWN, sample("gemini_direct_url"))
    body = task_get(fake_api, UNKNOWN).json()
    assert (body["status_code"], body["tasks_error"]) == (20000, 1)
    task = body["tasks"][0]
    assert (task["id"], task["status_code"], task["status_message"]) == (UNKNOWN, 40401, "Task Not Found.")
    assert task["result"] is None and task["result_count"] == 0 and task["cost"] == 0
    assert task["path"] == ["v3", "ai_optimization", "gemini", "llm_responses", "task_get", UNKNOWN]
    assert task["data"] == {"api": "ai_optimization", "function": "llm_responses", "se": "gemini"}
    assert task_get(fake_api, KNOWN, engine="claude").json()["tasks"][0]["status_code"] == 40002


def test_pending_expired_and_add_task(fake_api, sample):
    fake_api.add_pending("gemini", PENDING)
    fake_api.add_expired("chat_gpt", EXPIRED)
    claude = sample("claude_reasoning")["tasks"][0]
    fake_api.add_task("claude", claude)
    assert task_get(fake_api, PENDING).json()["tasks"][0]["status_code"] == 40602
    expired = task_get(fake_api, EXPIRED, engine="chat_gpt").json()
    assert expired["tasks"][0]["status_message"] == "Results Expired."
    body = task_get(fake_api, claude["id"], engine="claude").json()
    assert body["tasks"] == [claude] and body["tasks_count"] == 1 and body["cost"] == claude["cost"]


def test_scripted_500_then_success(fake_api, sample):
    fake_api.add_reply("gemini", KNOWN, sample("gemini_direct_url"))
    fake_api.script(KNOWN, ("http", 500), ("code", 40202))
    first, second, third = (task_get(fake_api, KNOWN) for _ in range(3))
    assert first.status_code == 500 and first.json()["status_code"] == 50000
    assert second.status_code == 200 and second.json()["status_code"] == 40202
    assert "2000 requests per minute" in second.json()["status_message"]
    assert third.json() == sample("gemini_direct_url")
    assert fake_api.count("task_get") == 3


def test_broken_bodies(fake_api, sample):
    fake_api.add_reply("gemini", KNOWN, sample("gemini_direct_url"))
    fake_api.script(None, ("broken", "truncated"), ("broken", "nonjson"))
    truncated, nonjson = task_get(fake_api, KNOWN), task_get(fake_api, KNOWN)
    assert truncated.status_code == 200 and 0 < len(truncated.content) < len(task_get(fake_api, KNOWN).content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(truncated.content)
    assert nonjson.text == "<html>Bad gateway</html>"
    with pytest.raises(ValueError):
        fake_api.script(KNOWN, ("broken", "slow"))


def test_account_errors_and_task_codes(fake_api):
    fake_api.script(UNKNOWN, ("auth", 402), ("auth", 40210), ("task_code", 50000))
    payment, funds, task_code = (task_get(fake_api, UNKNOWN) for _ in range(3))
    assert (payment.status_code, payment.json()["status_code"]) == (402, 40200)
    assert (funds.status_code, funds.json()["status_code"], funds.json()["tasks"]) == (402, 40210, None)
    assert task_code.json()["tasks"][0]["status_code"] == 50000
    fake_api.fail_all = ("auth", 402)
    assert [task_get(fake_api, UNKNOWN).status_code for _ in range(2)] == [402, 402]


def test_max_in_flight_counts_concurrency(fake_api):
    fake_api.latency = 0.3
    with ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(lambda _: task_get(fake_api, UNKNOWN), range(6)))
    assert all(r.status_code == 200 for r in replies)
    assert fake_api.max_in_flight == 6
    fake_api.reset_log()
    fake_api.latency = 0
    with requests.Session() as session:  # one keep-alive connection, one request at a time
        for _ in range(5):
            task_get(fake_api, UNKNOWN, session=session)
    assert fake_api.max_in_flight == 1 and fake_api.count() == 5


def test_tasks_ready_user_data_and_unknown_paths(fake_api, sample):
    fake_api.add_reply("gemini", KNOWN, sample("gemini_direct_url"))
    fake_api.add_pending("gemini", PENDING)
    fake_api.task_get_limit = 500
    auth = (fake_api.login, fake_api.password)
    ready = requests.get(f"{fake_api.base_url}/v3/ai_optimization/gemini/llm_responses/tasks_ready",
                         auth=auth, timeout=5).json()
    assert ready["tasks"][0]["result"] == [{
        "id": KNOWN, "se": "gemini", "se_type": "llm_responses", "date_posted": "2026-11-16 09:14:52 +00:00",
        "tag": "pm-software-agency", "endpoint": f"/v3/ai_optimization/gemini/llm_responses/task_get/{KNOWN}"}]
    user = requests.get(f"{fake_api.base_url}/v3/appendix/user_data", auth=auth, timeout=5).json()
    result = user["tasks"][0]["result"][0]
    assert result["rates"]["limits"]["minute"]["ai_optimization"]["llm_responses"]["task_get"] == 500
    assert result["money"]["balance"] == fake_api.balance
    for path in ["/v3/nothing", "/v3/ai_optimization/perplexity/llm_responses/task_get/" + KNOWN]:
        missing = requests.get(fake_api.base_url + path, auth=auth, timeout=5)
        assert (missing.status_code, missing.json()["status_code"]) == (404, 40400)
