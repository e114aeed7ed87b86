"""The app and the archive: nothing fetched twice, the whole archive as a view, long links as refs."""
from __future__ import annotations

import uuid

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.page_values import metrics, table_with


def _serve(api_env, sample, names=("chat_gpt_web_search", "chat_gpt_no_search", "hostile")) -> list[str]:
    ids = []
    for name in names:
        reply = sample(name)
        api_env.add_reply("chat_gpt", reply["tasks"][0]["id"], reply)
        ids.append(reply["tasks"][0]["id"])
    return ids


def test_a_second_session_on_the_same_ids_makes_no_api_request(api_env, sample, app):
    ids = _serve(api_env, sample)
    pending = str(uuid.UUID(int=7))
    api_env.add_pending("chat_gpt", pending)
    first = app(ids=ids + [pending], engine="chat_gpt")
    assert api_env.count("task_get") == 4
    api_env.reset_log()
    second = app(page="pages/domains.py", ids=ids + [pending], engine="chat_gpt")
    assert api_env.count("task_get") == 1  # only the pending id is asked again
    assert api_env.count(pending) == 1
    assert metrics(second)["Citations"] == metrics(app(page="pages/domains.py", ids=ids, engine="chat_gpt"))["Citations"]
    assert table_with(first, "status")["status"].tolist()[:3] == ["completed"] * 3


def test_the_whole_archive_opens_as_a_view(api_env, sample, app):
    ids = _serve(api_env, sample)
    app(ids=ids, engine="chat_gpt")
    api_env.reset_log()
    at = app(page="pages/domains.py", source="archive")
    assert api_env.count("task_get") == 0
    assert any("Everything in the archive: 3 completed answers" in c.value for c in at.caption)


def test_a_long_id_list_travels_as_a_short_reference(api_env, sample, app):
    ids = _serve(api_env, sample) + [str(uuid.UUID(int=n)) for n in range(1, 120)]
    at = app(ids=ids, engine="chat_gpt")
    ref = at.query_params["ref"]
    assert "ids" not in at.query_params and len(ref) < 20
    api_env.reset_log()
    shared = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    shared.query_params["ref"] = ref
    shared.query_params["engine"] = "chat_gpt"
    shared.run()
    assert list(table_with(shared, "status")["task_id"]) == ids
    assert api_env.count("task_get") == 119  # the not-found ids are asked again; completed ones are not
