"""Load tasks page: pasted ids, malformed ids, statuses from the fake server, demo data."""
from __future__ import annotations

import pytest

from core import model
from core.demo import demo_outcomes

OK_SAMPLES = ("chat_gpt_web_search", "chat_gpt_no_search", "hostile")


@pytest.fixture
def loaded_api(api_env, sample):
    """The fake server holding three completed chat_gpt tasks, one expired; returns their ids."""
    ids = []
    for name in OK_SAMPLES:
        reply = sample(name)
        api_env.add_reply("chat_gpt", reply["tasks"][0]["id"], reply)
        ids.append(reply["tasks"][0]["id"])
    expired = sample("expired")["tasks"][0]["id"]
    api_env.add_expired("chat_gpt", expired)
    return ids + [expired]


def _status_table(at):
    return next(df.value for df in at.dataframe if "status" in df.value.columns)


def test_demo_data_is_labelled_and_every_id_is_listed(demo_env, app):
    at = app()
    assert any("Demo data" in info.value for info in at.info)
    table = _status_table(at)
    expected = {o.task_id: o.status for o in demo_outcomes().values()}
    assert dict(zip(table["task_id"], table["status"])) == expected
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Task ids"] == str(len(expected))
    assert metrics["Pending"] == str(sum(s == model.PENDING for s in expected.values()))


def test_pasted_ids_load_from_the_api_with_malformed_ones_named(loaded_api, app):
    at = app()
    assert not any("Demo data" in info.value for info in at.info)
    at.selectbox(key="w_engine").set_value("chat_gpt")
    pasted = "\n".join(id.upper() for id in loaded_api) + "\n02249714-1807-0791-0000-0423e705a8r, not-an-id"
    at.text_area(key="w_ids_text").set_value(pasted)
    at.button[0].click()  # the form's submit button
    at.run()
    assert not at.exception
    table = _status_table(at)
    assert list(table["task_id"]) == loaded_api
    assert list(table["status"]) == ["completed"] * 3 + [model.EXPIRED]
    warnings = [w.value for w in at.warning]
    assert any("0423e705a8r" in w and "8-4-4-4-11" in w and "not-an-id" in w and w.startswith("2 entries")
               for w in warnings)  # one message lists every rejected entry
    assert at.query_params["ids"] == ",".join(loaded_api)
    assert at.query_params["engine"] == "chat_gpt"


def test_perplexity_is_explained_not_requested(loaded_api, api_env, app):
    at = app()
    api_env.reset_log()
    at.selectbox(key="w_engine").set_value("perplexity")
    at.text_area(key="w_ids_text").set_value(loaded_api[0])
    at.button[0].click()
    at.run()
    assert any("Perplexity" in w.value and "Live-only" in w.value for w in at.warning)
    assert api_env.count("perplexity") == 0


def test_ready_tasks_are_listed_and_loaded_when_picked(loaded_api, api_env, app):
    at = app(engine="chat_gpt")
    at.button_group(key="w_load_source").set_value("ready").run()
    at.toggle(key="w_list_ready").set_value(True).run()
    ready = at.multiselect(key="w_ready")
    completed = loaded_api[:3]  # tasks_ready lists completed tasks only
    assert sorted(option.split(" · ")[0] for option in ready.options) == sorted(completed)
    api_env.reset_log()
    ready.set_value(completed[:2]).run()
    at.button(key="w_load_ready").click().run()
    assert not at.exception
    assert list(_status_table(at)["task_id"]) == completed[:2]
    assert api_env.count("task_get") == 2


def test_perplexity_with_not_completed_ids_loaded_is_a_message_not_a_traceback(loaded_api, api_env, app):
    """The bug of issue 12: ids loaded (one pending), then Perplexity chosen and submitted."""
    at = app(ids=loaded_api, engine="chat_gpt")
    api_env.reset_log()
    at.selectbox(key="w_engine").set_value("perplexity")
    at.button[0].click()
    at.run()
    assert not at.exception
    assert any("Live-only" in w.value for w in at.warning)
    assert api_env.count("perplexity") == 0 and api_env.count("task_get") == 0
    at.run()  # and the next run still draws the page
    assert not at.exception and list(_status_table(at)["task_id"]) == loaded_api


def test_an_engine_from_the_url_is_checked_where_it_enters(demo_env, app):
    for engine in ("perplexity", "bing"):
        at = app(engine=engine)
        assert not at.exception
        assert any("engine was ignored" in w.value for w in at.warning)
        assert "engine" not in at.query_params


def test_ready_tasks_of_every_engine_are_listed_unless_one_is_chosen(api_env, sample, app):
    ready = {}
    for name, engine in (("chat_gpt_web_search", "chat_gpt"), ("claude_reasoning", "claude"),
                         ("gemini_direct_url", "gemini")):
        reply = sample(name)
        api_env.add_reply(engine, reply["tasks"][0]["id"], reply)
        ready[reply["tasks"][0]["id"]] = engine
    at = app()
    at.button_group(key="w_load_source").set_value("ready").run()
    at.toggle(key="w_list_ready").set_value(True).run()
    options = at.multiselect(key="w_ready").options
    assert sorted(o.split(" · ")[0] for o in options) == sorted(ready)
    assert api_env.count("tasks_ready") == 3
