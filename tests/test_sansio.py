"""core.sansio: replies (HTTP status, body bytes) to outcomes or typed errors, no I/O."""
from __future__ import annotations

import json

import pytest

from core import errors, model, sansio
from core.replies import envelope, task

COMPLETED_SAMPLES = [
    ("gemini_documented_example", "gemini"),
    ("gemini_direct_url", "gemini"),
    ("chat_gpt_web_search", "chat_gpt"),
    ("chat_gpt_no_search", "chat_gpt"),
    ("claude_reasoning", "claude"),
    ("hostile", "chat_gpt"),
]
ID = "11160914-1535-0613-0000-6e3f1a2b9c01"


def body(data) -> bytes:
    return json.dumps(data).encode()


def task_code_reply(code: int, message: str = "Something.") -> bytes:
    return body(envelope([task(ID, "gemini", code, message)]))


def top_code_reply(code: int, message: str = "Something.") -> bytes:
    return body(envelope(None if code // 100 in (401, 402) else [], code, message))


@pytest.mark.parametrize("name, engine", COMPLETED_SAMPLES)
def test_completed_samples(sample, name, engine):
    reply = sample(name)
    task = reply["tasks"][0]
    outcome = sansio.parse_task_get(200, body(reply), engine, task["id"])
    assert outcome.completed and outcome.status == model.COMPLETED
    assert (outcome.task_id, outcome.engine) == (task["id"], engine)
    assert (outcome.status_code, outcome.status_message) == (task["status_code"], task["status_message"])
    assert outcome.task == task  # the raw task is kept for the tables


def test_a_reply_for_another_id_is_never_an_answer(sample):
    """The documented example's path id differs from its task id. Asked for its own (non-hex) id it is an
    answer; asked for the path's id, the reply holds another task: failed, so nothing is counted twice."""
    reply = sample("gemini_documented_example")
    task_id, path_id = reply["tasks"][0]["id"], reply["tasks"][0]["path"][-1]
    assert sansio.parse_task_get(200, body(reply), "gemini", task_id).completed
    other = sansio.parse_task_get(200, body(reply), "gemini", path_id)
    assert (other.task_id, other.status, other.task) == (path_id, model.FAILED, None)
    assert "another task id" in other.status_message


@pytest.mark.parametrize("name, engine, status", [
    ("pending", "gemini", model.PENDING),
    ("not_found", "gemini", model.NOT_FOUND),
    ("expired", "chat_gpt", model.EXPIRED),
    ("wrong_engine", "claude", model.WRONG_ENGINE),
])
def test_not_completed_samples(sample, name, engine, status):
    reply = sample(name)
    task = reply["tasks"][0]
    outcome = sansio.parse_task_get(200, body(reply), engine, task["id"])
    assert outcome.status == status and not outcome.completed
    assert (outcome.status_code, outcome.status_message) == (task["status_code"], task["status_message"])
    assert outcome.task is None


@pytest.mark.parametrize("code, status", [
    (40601, model.PENDING), (40602, model.PENDING), (40400, model.NOT_FOUND),
    (40401, model.NOT_FOUND), (40402, model.NOT_FOUND), (40403, model.EXPIRED),
    (40001, model.WRONG_ENGINE), (40002, model.WRONG_ENGINE), (40003, model.WRONG_ENGINE),
    (40004, model.WRONG_ENGINE), (40501, model.FAILED), (40006, model.FAILED),
])
def test_task_level_codes(code, status):
    outcome = sansio.parse_task_get(200, task_code_reply(code, "msg"), "gemini", ID)
    assert (outcome.status, outcome.status_code, outcome.status_message) == (status, code, "msg")


def test_auth_error_sample_with_http_401(sample):
    with pytest.raises(errors.AuthError) as caught:
        sansio.parse_task_get(401, body(sample("auth_error")), "gemini", ID)
    assert caught.value.code == 40100 and caught.value.http_status == 401
    assert isinstance(caught.value, errors.BatchStoppingError)
    assert "credentials" in str(caught.value)


@pytest.mark.parametrize("raw", [b"", b"<html><body>401 Unauthorized</body></html>"])
def test_http_401_without_json_is_an_auth_error(raw):
    with pytest.raises(errors.AuthError):
        sansio.parse_task_get(401, raw, "gemini", ID)


@pytest.mark.parametrize("code", sorted(sansio.AUTH_CODES))
def test_account_codes_are_auth_errors_even_with_http_200(code):
    with pytest.raises(errors.AuthError):
        sansio.parse_task_get(200, top_code_reply(code), "gemini", ID)
    with pytest.raises(errors.AuthError):  # and at task level
        sansio.parse_task_get(200, task_code_reply(code), "gemini", ID)


@pytest.mark.parametrize("http_status, raw", [
    (402, b"<html>Payment Required</html>"),
    (402, body(envelope(None, 40200, "Payment Required."))),
    (200, body(envelope(None, 40200, "Payment Required."))),
    (402, body(envelope(None, 40210, "Insufficient funds."))),
    (200, body(envelope([], 40210, "Insufficient funds."))),
    (200, task_code_reply(40210, "Insufficient funds.")),
])
def test_balance_errors(http_status, raw):
    with pytest.raises(errors.BalanceError) as caught:
        sansio.parse_task_get(http_status, raw, "gemini", ID)
    assert isinstance(caught.value, errors.BatchStoppingError)
    assert "balance" in str(caught.value).lower()


def test_cost_limit_says_when_it_resets():
    with pytest.raises(errors.CostLimitError) as caught:
        sansio.parse_task_get(200, top_code_reply(40203, "The cost limit has been exceeded."), "gemini", ID)
    assert caught.value.code == 40203
    assert "00:00 UTC" in str(caught.value)
    assert isinstance(caught.value, errors.BatchStoppingError)


def test_rate_limited_sample(sample):
    reply = sample("rate_limited")
    with pytest.raises(errors.RateLimited) as caught:
        sansio.parse_task_get(200, body(reply), "gemini", ID)
    assert caught.value.code == reply["status_code"] == 40202
    assert isinstance(caught.value, errors.TransientError)
    assert not isinstance(caught.value, errors.BatchStoppingError)


@pytest.mark.parametrize("code", [40202, 40209])
def test_rate_limit_codes_at_both_levels(code):
    for raw in (top_code_reply(code), task_code_reply(code)):
        with pytest.raises(errors.RateLimited) as caught:
            sansio.parse_task_get(200, raw, "gemini", ID)
        assert caught.value.code == code


@pytest.mark.parametrize("code", sorted(sansio.API_TRANSIENT_CODES))
def test_task_level_internal_errors_are_transient(code):
    with pytest.raises(errors.TransientError) as caught:
        sansio.parse_task_get(200, task_code_reply(code, "Internal Error."), "gemini", ID)
    assert caught.value.code == code
    assert not isinstance(caught.value, (errors.RateLimited, errors.BatchStoppingError))


def test_non_json_body_is_a_bad_reply():
    with pytest.raises(errors.BadReply) as caught:
        sansio.parse_task_get(200, b"<html>Bad gateway</html>", "gemini", ID)
    assert "not valid JSON" in str(caught.value)
    assert isinstance(caught.value, errors.TransientError)


def test_truncated_json_is_a_bad_reply(sample):
    raw = body(sample("gemini_direct_url"))
    with pytest.raises(errors.BadReply):
        sansio.parse_task_get(200, raw[: len(raw) // 2], "gemini", ID)


@pytest.mark.parametrize("raw", [b"[1, 2]", b"null", b"\xff\xfe\x00garbage"])
def test_json_that_is_not_an_envelope_is_a_bad_reply(raw):
    with pytest.raises(errors.BadReply):
        sansio.parse_task_get(200, raw, "gemini", ID)


@pytest.mark.parametrize("http_status", [500, 502, 503])
def test_http_5xx_with_html_is_an_http_error(http_status):
    raw = f"<html><body><h1>{http_status}</h1></body></html>".encode()
    with pytest.raises(errors.HTTPError) as caught:
        sansio.parse_task_get(http_status, raw, "gemini", ID)
    assert caught.value.http_status == http_status
    assert str(http_status) in str(caught.value)


def test_http_500_with_internal_error_envelope_is_transient():
    with pytest.raises(errors.TransientError):
        sansio.parse_task_get(500, body(envelope(None, 50000, "Internal Error.")), "gemini", ID)


def test_http_404_unknown_endpoint_is_an_http_error():
    with pytest.raises(errors.HTTPError) as caught:
        sansio.parse_task_get(404, body(envelope(None, 40400, "Not Found.")), "gemini", ID)
    assert caught.value.http_status == 404


def test_empty_tasks_with_ok_code_is_failed_not_completed():
    outcome = sansio.parse_task_get(200, body(envelope([])), "gemini", ID)
    assert outcome.status == model.FAILED and outcome.task is None


def test_perplexity_is_refused_with_a_clear_message():
    for call in (lambda: model.parse_engine("perplexity"),
                 lambda: sansio.task_get_path("perplexity", ID),
                 lambda: sansio.tasks_ready_path("perplexity")):
        with pytest.raises(errors.ConfigurationError) as caught:
            call()
        message = str(caught.value)
        assert "Perplexity" in message and "Live" in message and "task_get" in message
    with pytest.raises(errors.ConfigurationError, match="Unknown engine"):
        model.parse_engine("bing")


@pytest.mark.parametrize("engine", model.ENGINES)
def test_paths(engine):
    assert sansio.task_get_path(engine, ID) == f"/v3/ai_optimization/{engine}/llm_responses/task_get/{ID}"
    assert sansio.tasks_ready_path(engine) == f"/v3/ai_optimization/{engine}/llm_responses/tasks_ready"


def test_outcome_from_task(sample):
    task = sample("claude_reasoning")["tasks"][0]
    outcome = sansio.outcome_of("claude", task["id"], task)
    assert outcome.completed and outcome.task_id == task["id"] and outcome.task == task
    pending = sansio.outcome_of("gemini", sample("pending")["tasks"][0]["id"], sample("pending")["tasks"][0])
    assert pending.status == model.PENDING and pending.task is None


def service_reply(result) -> bytes:
    service_task = task("00000000-0000-0000-0000-000000000000", "", 20000, "Ok.")
    service_task.update(result=result, result_count=len(result or []))
    return body(envelope([service_task]))


def test_parse_tasks_ready():
    items = [{"id": ID, "se": "gemini", "se_type": "llm_responses", "date_posted": "2026-11-16 09:14:52 +00:00",
              "tag": "t", "endpoint": f"/v3/ai_optimization/gemini/llm_responses/task_get/{ID}"},
             {"id": None}, "junk", {"se": "gemini"}]
    assert sansio.parse_tasks_ready(200, service_reply(items)) == items[:1]
    assert sansio.parse_tasks_ready(200, service_reply(None)) == []
    with pytest.raises(errors.RateLimited):
        sansio.parse_tasks_ready(200, top_code_reply(40202))
    with pytest.raises(errors.AuthError):
        sansio.parse_tasks_ready(401, top_code_reply(40100))


def user_data(limit):
    return [{"rates": {"limits": {"minute": {"ai_optimization": {"llm_responses": {"task_get": limit}}}}}}]


def test_parse_rate_limit():
    assert sansio.parse_rate_limit(200, service_reply(user_data(10000))) == 10000
    assert sansio.parse_rate_limit(200, service_reply(user_data(2000.0))) == 2000
    for missing in (user_data(0), user_data(None), user_data("lots"), [{"rates": {}}], [], None):
        assert sansio.parse_rate_limit(200, service_reply(missing)) is None
    with pytest.raises(errors.BadReply):
        sansio.parse_rate_limit(200, b"not json")
