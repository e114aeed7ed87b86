"""Collecting every ready task (core/collect.py, ``python -m core collect``, the collector service).

Against the fake API, whose ``tasks_ready`` lists an engine's completed tasks until a ``task_get``
collects them, 1,000 a call. Expected counts come from what the test stored in the fake.
"""
from __future__ import annotations

import os
import pathlib
import re
import subprocess
from datetime import date, datetime, timezone

import pytest
import yaml

from core import errors, replies, sansio
from core.archive import Archive
from core.client import Client
from core.collect import collect
from core.config import TASKS_READY_PER_MINUTE, Credentials
from core.model import COMPLETED, ENGINES
from tests.fake_dataforseo import ready_key
from tests.test_cli import run_cli

ROOT = pathlib.Path(__file__).resolve().parents[1]
FAST = dict(backoff=0.01, max_backoff=0.05, timeout=(1.0, 5.0), max_attempts=3, requests_per_minute=60_000)
SUMMARY = re.compile(r"collected (?P<engines>[^:]+): (?P<listed>\d+) listed, (?P<new>\d+) new, "
                     r"(?P<already>\d+) already archived, (?P<failed>\d+) failed; (?P<requests>\d+) requests in "
                     r"[\d.]+ s")


def ids(n: int, prefix: str) -> list[str]:
    return [f"{prefix}{i:04x}-1535-0613-0000-{i:012x}" for i in range(n)]


def answer(task_id: str, engine: str, day: int = 20) -> dict:
    """A completed task with an answer, answered on 2026-11-``day``."""
    moment = datetime(2026, 11, day, 9, 0, tzinfo=timezone.utc)
    items = [replies.message_item([replies.text_section(f"An answer of {engine}.", None)])]
    return replies.task(task_id, engine, data={"user_prompt": "best crm?", "model_name": "m", "tag": "t"},
                        result=[replies.result("m", moment, items, web_search=False, input_tokens=1,
                                               output_tokens=2)])


def store(api, engine: str, task_ids: list[str], day: int = 20) -> None:
    for task_id in task_ids:
        api.add_task(engine, answer(task_id, engine, day))


def client_for(api, **options) -> Client:
    return Client(Credentials(api.login, api.password), api.base_url, **{**FAST, **options})


@pytest.fixture
def archive(tmp_path):
    with Archive(f"sqlite:///{tmp_path / 'collect.sqlite'}") as opened:
        yield opened


@pytest.fixture
def three_engines(fake_api):
    """Three completed tasks per engine, plus a pending and an expired one (never listed)."""
    posted = {engine: ids(3, prefix) for engine, prefix in zip(ENGINES, ("aaaa", "bbbb", "cccc"))}
    for engine, task_ids in posted.items():
        store(fake_api, engine, task_ids)
    fake_api.add_pending("gemini", ids(1, "dddd")[0])
    fake_api.add_expired("claude", ids(1, "eeee")[0])
    return posted


def test_every_engine_is_collected_under_its_engine_and_a_second_run_only_lists(fake_api, three_engines, archive):
    with client_for(fake_api) as client:
        summary = collect(client, archive)
    expected = {task_id: engine for engine, task_ids in three_engines.items() for task_id in task_ids}
    assert summary.error is None and not summary.listing_errors
    assert (summary.listed, summary.new, summary.already_archived, summary.failed) == (len(expected), len(expected), 0, 0)
    archived = archive.query()
    assert {o.task_id: o.engine for o in archived} == expected
    assert all(o.status == COMPLETED for o in archived)
    for engine in ENGINES:  # each id asked on its own engine only: no detection
        asked = [r.path.rsplit("/", 1)[1] for r in fake_api.requests if f"/{engine}/llm_responses/task_get/" in r.path]
        assert sorted(asked) == sorted(three_engines[engine])
    assert fake_api.count("tasks_ready") == len(ENGINES)
    assert summary.requests == fake_api.count() == len(ENGINES) + len(expected)

    fake_api.reset_log()
    with client_for(fake_api) as client:
        again = collect(client, archive)
    assert (again.listed, again.new, again.requests) == (0, 0, len(ENGINES))
    assert fake_api.count() == fake_api.count("tasks_ready") == len(ENGINES)
    record = archive.last_collection()
    assert (record.listed, record.new, record.error) == (0, 0, None)
    assert record.started <= record.finished
    assert archive.count_fetched_since(datetime(2000, 1, 1)) == len(expected)
    assert archive.count_fetched_since(record.finished) == 0


def test_more_than_1000_ready_tasks_are_listed_in_pages(fake_api, archive):
    posted = ids(1200, "abab")
    store(fake_api, "gemini", posted)
    with client_for(fake_api, max_workers=30) as client:
        summary = collect(client, archive, ["gemini"])
    assert (summary.listed, summary.new, summary.failed) == (1200, 1200, 0)
    assert fake_api.count("tasks_ready") == 2  # 1,000, then the 200 left once those were collected
    assert fake_api.count("task_get") == 1200
    assert archive.count() == 1200


def test_a_listed_task_already_archived_is_not_fetched(fake_api, archive):
    posted = ids(3, "acac")
    store(fake_api, "chat_gpt", posted)
    archive.save([sansio.outcome_of("chat_gpt", posted[0], answer(posted[0], "chat_gpt"))])  # e.g. imported
    with client_for(fake_api) as client:
        first = collect(client, archive, ["chat_gpt"])
        second = collect(client, archive, ["chat_gpt"])  # the archived one is still listed: not fetched
    assert (first.listed, first.new, first.already_archived) == (3, 2, 1)
    assert (second.listed, second.new, second.already_archived) == (1, 0, 1)
    assert fake_api.count("task_get") == 2


def test_since_keeps_tasks_posted_before_it_out(fake_api, archive):
    old, recent = ids(2, "adad"), ids(3, "aeae")
    store(fake_api, "claude", old, day=10)
    store(fake_api, "claude", recent, day=20)
    with client_for(fake_api) as client:
        by_day = collect(client, archive, ["claude"], since=date(2026, 11, 15))
        by_moment = collect(client, archive, ["claude"], since=datetime(2026, 11, 10, 9, 0))
    assert (by_day.listed, by_day.new) == (3, 3)
    assert {o.task_id for o in archive.query()} == set(recent + old)
    assert (by_moment.listed, by_moment.new) == (2, 2)  # the old ones, still listed, from that moment on


def test_rate_limit_answers_on_tasks_ready_are_retried(fake_api, archive):
    store(fake_api, "gemini", ids(2, "afaf"))
    store(fake_api, "claude", ids(2, "baba"))
    fake_api.script(ready_key("gemini"), ("code", 40202), ("code", 40202))
    with client_for(fake_api) as client:
        summary = collect(client, archive, ["gemini"])
    assert (summary.new, fake_api.count("tasks_ready")) == (2, 3)

    fake_api.script(ready_key("claude"), *[("code", 40202)] * FAST["max_attempts"])
    store(fake_api, "gemini", ids(1, "bcbc"))
    with client_for(fake_api) as client:
        summary = collect(client, archive, ["claude", "gemini"])
    assert "claude" in summary.listing_errors and summary.error is None  # that engine only
    assert (summary.listed, summary.new) == (1, 1)


def test_tasks_ready_is_paced_at_20_a_minute():
    """Whatever the burst, no 60-second window holds more than 20 tasks_ready calls."""
    now = [0.0]
    client = Client(Credentials("login", "password"), "http://127.0.0.1:9")
    limiter = client._ready_limiter
    limiter._clock, limiter._sleep = (lambda: now[0]), (lambda seconds: now.__setitem__(0, now[0] + seconds))
    limiter._stamp = 0.0
    calls = []
    for _ in range(100):
        limiter.acquire()
        calls.append(now[0])
    busiest = max(sum(1 for t in calls if start <= t < start + 60) for start in calls)
    assert busiest <= TASKS_READY_PER_MINUTE
    assert busiest >= TASKS_READY_PER_MINUTE - 1  # and not much slower than allowed
    client.close()


def test_an_interrupted_collection_keeps_what_it_fetched_and_the_next_run_finishes(fake_api, archive):
    posted = ids(40, "bdbd")
    store(fake_api, "gemini", posted)
    fake_api.script(posted[20], ("auth", 40210))  # the balance runs out half way
    with client_for(fake_api, max_workers=4) as client:
        first = collect(client, archive, ["gemini"])
    assert isinstance(first.error, errors.BalanceError)
    kept = {o.task_id for o in archive.query()}
    assert kept == fake_api.collected()  # every result the API delivered is archived
    assert 0 < len(kept) < len(posted)
    assert first.new == len(kept) and first.listed == len(posted) and first.failed == len(posted) - len(kept)
    assert archive.last_collection().error

    fake_api.reset_log()
    with client_for(fake_api) as client:
        second = collect(client, archive, ["gemini"])
    assert second.error is None and second.new == len(posted) - len(kept)
    assert fake_api.count("task_get") == len(posted) - len(kept)  # only the rest
    assert {o.task_id for o in archive.query()} == set(posted)


# -- the command line --------------------------------------------------------------------------

@pytest.fixture
def cli_env(tmp_path, fake_api):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATAFORSEO_", "AIVIS_", "XDG_"))}
    env.update(HOME=str(tmp_path), AIVIS_ARCHIVE_URL=f"sqlite:///{tmp_path}/cli.sqlite", PYTHONDONTWRITEBYTECODE="1",
               DATAFORSEO_LOGIN=fake_api.login, DATAFORSEO_PASSWORD=fake_api.password,
               DATAFORSEO_BASE_URL=fake_api.base_url)
    return env


def test_cli_collect_prints_one_summary_line_and_a_second_run_fetches_nothing(fake_api, three_engines, cli_env):
    done = run_cli(["collect"], cli_env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    found = SUMMARY.fullmatch(lines[0])
    total = sum(map(len, three_engines.values()))
    assert found and (int(found["listed"]), int(found["new"]), int(found["failed"])) == (total, total, 0)
    assert found["engines"] == "Gemini, ChatGPT, Claude"
    assert int(found["requests"]) == fake_api.count()  # the tasks_ready and task_get calls, user_data too

    fake_api.reset_log()
    again = run_cli(["collect", "--engine", "claude", "--engine", "ChatGPT"], cli_env)
    found = SUMMARY.fullmatch(again.stderr.strip())
    assert again.returncode == 0 and found, again.stderr
    assert (found["engines"], found["listed"], found["new"]) == ("Claude, ChatGPT", "0", "0")
    assert fake_api.count() == fake_api.count("tasks_ready") == 2


def test_cli_collect_account_wide_error_is_one_line(fake_api, three_engines, cli_env):
    fake_api.fail_all = ("auth", 401)
    done = run_cli(["collect"], cli_env)
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith("error: ")
    assert fake_api.password not in done.stderr


@pytest.mark.parametrize("args, extra, status", [
    (["collect", "--engine", "perplexity"], {}, 2),
    (["collect"], {"AIVIS_DEMO_ONLY": "1"}, 2),
    (["collect"], {"DATAFORSEO_LOGIN": ""}, 2),
    (["collect"], {"AIVIS_ARCHIVE_URL": "mysql://nowhere/db"}, 3),
])
def test_cli_collect_refusals(fake_api, cli_env, args, extra, status):
    done = run_cli(args, {**cli_env, **extra})
    assert done.returncode == status, done.stderr
    assert done.stderr.startswith("error: ") and len(done.stderr.strip().splitlines()) == 1
    assert fake_api.count() == 0


def test_cli_prints_the_interval_from_the_settings(cli_env):
    assert run_cli(["collect", "--print-interval"], {**cli_env, "AIVIS_COLLECT_EVERY_MINUTES": "15"}).stdout == "900\n"
    assert run_cli(["collect", "--print-interval"], {**cli_env, "AIVIS_COLLECT_EVERY_MINUTES": "0"}).stdout == "1800\n"


# -- the collector service ---------------------------------------------------------------------

def test_compose_collector_runs_collect_in_a_loop_against_the_shared_archive():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    collector, app = compose["services"]["collector"], compose["services"]["app"]
    assert collector["image"] == app["image"] and collector["build"] == app["build"]
    shell, flag, script = collector["command"]
    assert (shell, flag) == ("sh", "-c")
    script = script.replace("$$", "$")  # Compose's escape for a literal $
    assert "python -m core collect;" in script and "python -m core collect --print-interval" in script
    assert re.search(r'sleep "\$s"', script) and script.startswith("while :; do")
    subprocess.run(["sh", "-n", "-c", script], check=True)  # valid shell
    env = collector["environment"]
    assert env["AIVIS_ARCHIVE_URL"] == app["environment"]["AIVIS_ARCHIVE_URL"]
    assert "@db:5432/" in env["AIVIS_ARCHIVE_URL"]
    assert env["AIVIS_COLLECT_EVERY_MINUTES"] == "${AIVIS_COLLECT_EVERY_MINUTES:-30}"
    for name in ("DATAFORSEO_LOGIN", "DATAFORSEO_PASSWORD", "DATAFORSEO_BASE_URL", "AIVIS_DEMO_ONLY"):
        assert env[name] == app["environment"][name]
    assert collector["depends_on"]["db"]["condition"] == "service_healthy"
    assert "ports" not in collector


def test_the_docs_say_how_often_and_what_it_costs():
    for path in ("docs/deploy.md", "README.md"):
        text = (ROOT / path).read_text()
        assert "python -m core collect" in text and "*/30 * * * *" in text, path
        assert "free" in text and "tasks_ready" in text and "task_get" in text, path


# -- the Load page ------------------------------------------------------------------------------

def _texts(at) -> list[str]:
    return [element.value for element in at.text]


def test_load_page_collects_now_and_says_when_it_last_collected(api_env, three_engines, app):
    at = app()
    at.button_group(key="w_load_source").set_value("archive").run()
    assert any("has not collected yet" in text for text in _texts(at))
    at.button(key="w_collect").click().run()
    assert not at.exception
    total = sum(map(len, three_engines.values()))
    line = next(text for text in _texts(at) if text.startswith("collected "))
    assert SUMMARY.fullmatch(line) and f"{total} listed, {total} new" in line
    assert any(text.startswith("Last collected ") and f"{total} new results of {total} listed" in text
               and "0 answers arrived since" in text for text in _texts(at))
    assert any(f"{total} completed answers archived" in text for text in _texts(at))
    assert not at.warning  # collected just now: not stale


@pytest.mark.parametrize("locked", [False, True])
def test_no_collect_button_in_the_demo_nor_the_locked_demo(request, monkeypatch, app, locked):
    if locked:  # credentials set, but the deployment is locked to the demo
        api = request.getfixturevalue("api_env")
        monkeypatch.setenv("AIVIS_DEMO_ONLY", "1")
    else:
        request.getfixturevalue("demo_env")
    at = app()
    at.button_group(key="w_load_source").set_value("archive").run()
    assert not [button for button in at.button if button.key == "w_collect"]
    if locked:
        assert api.requests == []
