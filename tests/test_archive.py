"""core.archive: the store of every fetched result, on SQLite and (when one is given) PostgreSQL.

PostgreSQL runs when ``AIVIS_TEST_POSTGRES_URL`` names a server (``.ci/run`` starts one);
each test then works in a schema of its own, dropped afterwards.
"""
from __future__ import annotations

import copy
import io
import json
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import threading
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from core import cli, sansio, model
from core.archive import Archive, ArchiveError
from core.client import Client
from core.config import Credentials, Settings, default_archive_url
from core.loader import load
from core.model import TaskOutcome

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = Path(__file__).with_name("samples")
NO_POSTGRES = "no PostgreSQL server: set AIVIS_TEST_POSTGRES_URL"
FAST = dict(backoff=0.01, max_backoff=0.05, timeout=(1.0, 5.0), max_attempts=3, requests_per_minute=600_000)
SAMPLE_ENGINES = {"gemini_direct_url": "gemini", "chat_gpt_web_search": "chat_gpt", "claude_reasoning": "claude"}


# -- helpers (module level: the multiprocessing workers use them too) ------------------------

def uid(n: int, prefix: str = "aaaa") -> str:
    return f"{prefix}{n:04x}-1535-0613-0000-{n:012x}"


def sample_task(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))["tasks"][0]


def completed(task_id: str, name: str = "gemini_direct_url", *, model: str | None = None,
              tag: str | None = None, when: str | None = None, prompt: str | None = None) -> TaskOutcome:
    """A completed outcome: a real sample task under another id, with the given filter fields."""
    task = copy.deepcopy(sample_task(name))
    task["id"] = task_id
    task["path"][-1] = task_id
    if model:
        task["data"]["model_name"] = task["result"][0]["model_name"] = model
    if tag:
        task["data"]["tag"] = tag
    if when:
        task["result"][0]["datetime"] = when
    if prompt:
        task["data"]["user_prompt"] = prompt
    return sansio.outcome_of(SAMPLE_ENGINES[name], task["id"], task)


def other(task_id: str, status: str = model.PENDING, engine: str = "gemini") -> TaskOutcome:
    code = {model.PENDING: 40602, model.EXPIRED: 40403, model.NOT_FOUND: 40401, model.FAILED: 50000,
            model.WRONG_ENGINE: 40002, model.SKIPPED: None}[status]
    return TaskOutcome(task_id, engine, status, code, f"{status} message")


def overlapping_outcomes(worker: int, ids: int = 60) -> list[TaskOutcome]:
    """Worker ``worker``'s view of ids 0..ids-1 (each worker covers two thirds, overlapping the others).

    An id whose number is even is completed in every view that has it; an odd one is pending
    in some views and completed in others, so what ends up stored depends on who wins a race
    unless "completed is never overwritten" holds.
    """
    outcomes = []
    for n in range(ids):
        if (n + worker) % 3 == 0:
            continue
        if n % 2 == 0 or (n + worker) % 2 == 0:
            outcomes.append(completed(uid(n, "cccc"), model=f"model-{n % 4}"))
        else:
            outcomes.append(other(uid(n, "cccc")))
    return outcomes


def expected_after_all(workers: int, ids: int = 60) -> tuple[set[str], set[str]]:
    """(every id some worker saved, the ids some worker saved as completed)."""
    seen, done = set(), set()
    for worker in range(workers):
        for outcome in overlapping_outcomes(worker, ids):
            seen.add(outcome.task_id)
            if outcome.completed:
                done.add(outcome.task_id)
    return seen, done


def _save_in_process(url: str, worker: int, barrier, rounds: int) -> None:
    """A multiprocessing worker: open the archive and save its outcomes, in small batches."""
    archive = Archive(url)
    outcomes = overlapping_outcomes(worker)
    barrier.wait()
    for _ in range(rounds):
        for start in range(0, len(outcomes), 7):
            archive.save(outcomes[start:start + 7])
    archive.close()


# -- fixtures ------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _private_archive(tmp_path, monkeypatch):
    """Never the real ~/.local/share archive: the environment points into tmp_path."""
    monkeypatch.setenv("AIVIS_ARCHIVE_URL", f"sqlite:///{tmp_path / 'env-archive.sqlite'}")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


@pytest.fixture(params=["sqlite", "postgresql"])
def archive_url(request, tmp_path):
    """The URL of an empty archive: a SQLite file, or a fresh schema on the test PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'archive.sqlite'}"
        return
    base = os.environ.get("AIVIS_TEST_POSTGRES_URL", "").strip()
    if not base:
        pytest.skip(NO_POSTGRES)
    schema = f"aivis_test_{uuid.uuid4().hex[:10]}"
    url = sa.make_url(base)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def archive(archive_url):
    with Archive(archive_url) as opened:
        yield opened


def client_for(api) -> Client:
    return Client(Credentials(api.login, api.password), api.base_url, **FAST)


def every_row(archive: Archive) -> list[tuple]:
    return [(o.task_id, o.engine, o.status, o.status_code, o.status_message, o.task)
            for o in archive.query(statuses=None)]


# -- storing and reading back ----------------------------------------------------------------------

def test_round_trip(archive):
    done = [completed(uid(n), name) for n, name in enumerate(SAMPLE_ENGINES)]
    rest = [other(uid(10), model.PENDING), other(uid(11), model.EXPIRED), other(uid(12), model.NOT_FOUND),
            other(uid(13), model.FAILED)]
    assert archive.save(done + rest) == 7
    found = archive.completed([o.task_id for o in done + rest] + [uid(99)])
    assert set(found) == {o.task_id for o in done}
    for original in done:
        again = found[original.task_id]
        assert again == original and again.task == original.task and again.engine == original.engine
    assert archive.count() == 3 and archive.count(None) == 7 and archive.count(model.PENDING) == 1
    stored = {o.task_id: o for o in archive.query(statuses=None)}
    assert stored[uid(11)] == rest[1] and stored[uid(11)].task is None


def test_reopened_archive_keeps_everything(archive_url):
    outcomes = [completed(uid(n), model="m") for n in range(3)]
    with Archive(archive_url) as first:
        first.save(outcomes)
    with Archive(archive_url) as second:
        assert set(second.completed([o.task_id for o in outcomes])) == {o.task_id for o in outcomes}


def test_many_ids_in_one_call(archive):
    outcomes = [completed(uid(n, "dddd")) for n in range(1200)]
    assert archive.save(outcomes) == 1200
    assert len(archive.completed([o.task_id for o in outcomes])) == 1200


def test_completed_is_never_overwritten(archive):
    done = completed(uid(1))
    archive.save([done])
    for status in (model.PENDING, model.EXPIRED, model.NOT_FOUND, model.FAILED, model.WRONG_ENGINE):
        assert archive.save([other(uid(1), status)]) == 0
    assert archive.save([done]) == 0  # a re-save of a completed result is a no-op
    assert archive.completed([uid(1)])[uid(1)].task == done.task
    # within one save too, whichever comes first
    assert archive.save([other(uid(2)), completed(uid(2)), other(uid(2), model.EXPIRED)]) == 1
    assert archive.save([completed(uid(3)), other(uid(3), model.EXPIRED)]) == 1
    assert set(archive.completed([uid(2), uid(3)])) == {uid(2), uid(3)}
    assert archive.count(None) == archive.count() == 3


def test_pending_is_replaced_by_newer_news(archive):
    archive.save([other(uid(1))], fetched_at=datetime(2026, 11, 1, tzinfo=timezone.utc))
    archive.save([other(uid(1), model.EXPIRED)], fetched_at=datetime(2026, 11, 20, tzinfo=timezone.utc))
    assert archive.query(statuses=None)[0].status == model.EXPIRED
    # an older status (say, from an old export) does not turn it back
    archive.save([other(uid(1))], fetched_at=datetime(2026, 11, 2, tzinfo=timezone.utc))
    assert archive.query(statuses=None)[0].status == model.EXPIRED
    archive.save([completed(uid(1))], fetched_at=datetime(2026, 10, 1, tzinfo=timezone.utc))
    assert archive.query(statuses=None)[0].status == model.COMPLETED


def test_not_requested_ids_are_not_stored(archive):
    assert archive.save([other(uid(1), model.SKIPPED)]) == 0
    assert archive.count(None) == 0


# -- the loader: archive first, the API for the rest ---------------------------------------------

def test_second_load_makes_no_requests_and_pending_is_asked_again(fake_api, archive_url):
    done = [sample_task(name) for name in SAMPLE_ENGINES]
    for task in done:
        fake_api.add_task("gemini", task)
    pending = uid(7, "eeee")
    fake_api.add_pending("gemini", pending)
    ids = [task["id"] for task in done]

    with client_for(fake_api) as client, Archive(archive_url) as archive:
        first = load(ids + [pending], "gemini", client, archive)
    assert fake_api.count("task_get") == 4 and first.archive_error is None
    assert [o.status for o in first.outcomes] == [model.COMPLETED] * 3 + [model.PENDING]

    fake_api.reset_log()  # a new session: a new client and a new Archive on the same store
    with client_for(fake_api) as client, Archive(archive_url) as archive:
        again = load(ids, "gemini", client, archive)
    assert fake_api.count("task_get") == 0
    assert [o.task for o in again.outcomes] == done

    with client_for(fake_api) as client, Archive(archive_url) as archive:
        refresh = load(ids + [pending], "gemini", client, archive)
    assert [r.path.rsplit("/", 1)[-1] for r in fake_api.requests] == [pending]
    assert [o.task_id for o in refresh.outcomes] == ids + [pending]
    assert refresh.outcomes[-1].status == model.PENDING

    finished = copy.deepcopy(done[0])
    finished["id"] = finished["path"][-1] = pending
    fake_api.add_task("gemini", finished)  # the pending task completes at the API
    fake_api.reset_log()
    with client_for(fake_api) as client, Archive(archive_url) as archive:
        assert load(ids + [pending], "gemini", client, archive).outcomes[-1].completed
        assert archive.count() == 4
    assert fake_api.count("task_get") == 1
    with client_for(fake_api) as client, Archive(archive_url) as archive:
        load(ids + [pending], "gemini", client, archive)
    assert fake_api.count("task_get") == 1


class BrokenStore:
    def completed(self, ids):
        raise ArchiveError("The archive sqlite:////x cannot be read: file is not a database.")

    def save(self, outcomes):
        raise AssertionError("not written after a failed read")


class ReadOnlyStore:
    def completed(self, ids):
        return {}

    def save(self, outcomes):
        raise ArchiveError("The archive sqlite:////x cannot be written: attempt to write a readonly database.")


@pytest.mark.parametrize("store", [BrokenStore(), ReadOnlyStore()], ids=["unreadable", "unwritable"])
def test_load_runs_on_what_it_can_fetch_without_the_archive(fake_api, store):
    task = sample_task("gemini_direct_url")
    fake_api.add_task("gemini", task)
    with client_for(fake_api) as client:
        batch = load([task["id"]], "gemini", client, store)
    assert batch.outcomes[0].completed and batch.error is None
    assert "sqlite:////x cannot be" in batch.archive_error


# -- concurrent writers ------------------------------------------------------------------------------

@pytest.mark.parametrize("shared", [True, False], ids=["one-archive", "archive-per-thread"])
def test_concurrent_threads_lose_nothing(archive_url, shared):
    workers, failures = 6, []
    archives = [Archive(archive_url)] * workers if shared else [Archive(archive_url) for _ in range(workers)]
    barrier = threading.Barrier(workers)

    def work(worker: int) -> None:
        try:
            outcomes = overlapping_outcomes(worker)
            barrier.wait()
            for _ in range(3):
                for start in range(0, len(outcomes), 5):
                    archives[worker].save(outcomes[start:start + 5])
                    archives[worker].completed([o.task_id for o in outcomes[start:start + 5]])
        except BaseException as exc:  # noqa: BLE001 (reported below)
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    seen, done = expected_after_all(workers)
    check = Archive(archive_url)
    rows = every_row(check)
    assert len(rows) == len(seen) == len({row[0] for row in rows})
    assert set(check.completed(sorted(seen))) == done
    assert check.count() == len(done)
    for archive in {id(a): a for a in archives + [check]}.values():
        archive.close()


def test_concurrent_processes_lose_nothing(archive_url):
    workers = 3
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers)
    processes = [context.Process(target=_save_in_process, args=(archive_url, n, barrier, 3)) for n in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [p.exitcode for p in processes] == [0] * workers
    seen, done = expected_after_all(workers)
    with Archive(archive_url) as check:
        rows = every_row(check)
        assert len(rows) == len(seen) == len({row[0] for row in rows})
        assert set(check.completed(sorted(seen))) == done


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    with Archive(f"sqlite:///{tmp_path / 'a.sqlite'}") as archive, archive.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000


# -- failures that must read clearly -------------------------------------------------------------------

def test_corrupt_file_is_a_clear_error(tmp_path):
    path = tmp_path / "archive.sqlite"
    with Archive(f"sqlite:///{path}") as archive:
        archive.save([completed(uid(1))])
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.write_bytes(os.urandom(8192))
    with pytest.raises(ArchiveError) as caught:
        Archive(f"sqlite:///{path}")
    message = str(caught.value)
    assert str(path) in message and "not a database" in message
    assert "move it away" in message and "AIVIS_ARCHIVE_URL" in message
    assert "\n" not in message


def test_unopenable_path_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ArchiveError, match="cannot be created.*AIVIS_ARCHIVE_URL"):
        Archive(f"sqlite:///{blocker / 'sub' / 'archive.sqlite'}")
    with pytest.raises(ArchiveError, match=f"{tmp_path}.*cannot be opened"):
        Archive(f"sqlite:///{tmp_path}")  # a folder, not a file


def test_errors_never_show_the_password():
    with pytest.raises(ArchiveError) as caught:
        Archive("postgresql://someone:s3cret-pw@127.0.0.1:1/archive")
    assert "s3cret-pw" not in str(caught.value) and "someone:***@127.0.0.1:1" in str(caught.value)
    with pytest.raises(ArchiveError) as caught:
        Archive("not a url with s3cret-pw")
    assert "s3cret-pw" not in str(caught.value) and "AIVIS_ARCHIVE_URL" in str(caught.value)
    with pytest.raises(ArchiveError, match="SQLite and PostgreSQL"):
        Archive("mysql://u:p@localhost/db")


def test_the_settings_url_and_the_default_location(tmp_path, monkeypatch):
    with Archive(Settings.resolve({}).archive_url) as archive:
        assert archive.path == tmp_path / "env-archive.sqlite"
    monkeypatch.delenv("AIVIS_ARCHIVE_URL")
    settings = Settings.resolve({})
    assert settings.archive_url_is_default
    with Archive(settings.archive_url) as archive:
        assert archive.path == tmp_path / "xdg" / "aivis" / "archive.sqlite" and archive.path.exists()
    home = str(Path.home())
    assert default_archive_url({}) == f"sqlite:///{home}/.local/share/aivis/archive.sqlite"


# -- everything in the archive -------------------------------------------------------------------------

@pytest.fixture
def varied(archive):
    archive.save([
        completed(uid(1), "gemini_direct_url", model="gemini-2.5-flash", tag="oct", when="2026-10-05 08:00:00 +00:00"),
        completed(uid(2), "gemini_direct_url", model="gemini-2.5-pro", tag="nov", when="2026-11-01 00:00:00 +00:00"),
        completed(uid(3), "chat_gpt_web_search", model="gpt-5", tag="nov", when="2026-11-01 23:59:59 +00:00"),
        completed(uid(4), "claude_reasoning", model="claude-sonnet-4-5", tag=None, when="2026-11-16 09:21:44 +00:00"),
        other(uid(5), model.PENDING),
    ])
    return archive


def ids_of(outcomes: list[TaskOutcome]) -> list[str]:
    return [o.task_id for o in outcomes]


def test_query_filters(varied):
    assert ids_of(varied.query()) == [uid(1), uid(2), uid(3), uid(4)]  # oldest answer first
    assert ids_of(varied.query(statuses=None)) == [uid(1), uid(2), uid(3), uid(4), uid(5)]
    assert ids_of(varied.query(engines=["gemini"])) == [uid(1), uid(2)]
    assert ids_of(varied.query(engines="chat_gpt")) == [uid(3)]
    assert ids_of(varied.query(models=["gpt-5", "gemini-2.5-pro"])) == [uid(2), uid(3)]
    assert ids_of(varied.query(tags=["nov"], engines=["gemini"])) == [uid(2)]
    assert ids_of(varied.query(since=date(2026, 11, 1), until=date(2026, 11, 1))) == [uid(2), uid(3)]
    assert ids_of(varied.query(since="2026-11-02")) == [uid(4)]
    assert ids_of(varied.query(until="2026-10-31")) == [uid(1)]
    assert ids_of(varied.query(since=datetime(2026, 11, 1, 12, tzinfo=timezone.utc))) == [uid(3), uid(4)]
    assert ids_of(varied.query(until=datetime(2026, 11, 1, 0, 0))) == [uid(1), uid(2)]  # naive: UTC
    assert ids_of(varied.query(until="2026-11-01T02:00:00+02:00")) == [uid(1), uid(2)]
    assert ids_of(varied.query(until="2026-11-01T01:59:59+02:00")) == [uid(1)]
    assert varied.query(models=[]) == [] and varied.query(tags=["none such"]) == []
    assert all(o.completed and o.task for o in varied.query())


def test_facets_and_count(varied):
    facets = varied.facets()
    assert facets.engines == ["chat_gpt", "claude", "gemini"]
    assert facets.models == ["claude-sonnet-4-5", "gemini-2.5-flash", "gemini-2.5-pro", "gpt-5"]
    assert "nov" in facets.tags and "oct" in facets.tags
    assert facets.first == datetime(2026, 10, 5, 8, tzinfo=timezone.utc)
    assert facets.last == datetime(2026, 11, 16, 9, 21, 44, tzinfo=timezone.utc)
    assert facets.count == varied.count() == 4 and varied.count(None) == 5


def test_facets_of_an_empty_archive(archive):
    facets = archive.facets()
    assert (facets.engines, facets.models, facets.tags, facets.first, facets.last, facets.count) == \
        ([], [], [], None, None, 0)


# -- export and import -------------------------------------------------------------------------------

def test_jsonl_round_trip(varied, tmp_path):
    text = io.StringIO()
    assert varied.export_jsonl(text) == 5
    lines = [json.loads(line) for line in text.getvalue().splitlines()]
    assert set(lines[0]) == {"engine", "task_id", "fetched_at", "status", "status_code", "status_message", "task"}
    assert datetime.fromisoformat(lines[0]["fetched_at"]).tzinfo is not None
    with Archive(f"sqlite:///{tmp_path / 'fresh.sqlite'}") as fresh:
        assert fresh.import_jsonl(io.StringIO(text.getvalue())) == 5
        assert every_row(fresh) == every_row(varied)
        assert fresh.facets() == varied.facets()
        again = io.BytesIO()
        fresh.export_jsonl(again)
        assert again.getvalue().decode() == text.getvalue()  # fetched_at kept exactly
        assert fresh.import_jsonl(io.BytesIO(again.getvalue())) == 0  # nothing new


def test_import_is_all_or_nothing(archive):
    good = json.dumps({"engine": "gemini", "task_id": uid(1), "fetched_at": "2026-11-20T10:00:00+00:00",
                       "status": "pending", "status_code": 40602, "status_message": "Task In Queue.", "task": None})
    for bad, why in [("{not json", "not JSON"), ('{"engine": "perplexity"}', "task_id is not a task id"),
                     (good.replace('"gemini"', '"perplexity"'), "perplexity"),
                     (good.replace('"pending"', '"completed"'), "without its task")]:
        with pytest.raises(ArchiveError, match=f"Line 2 .*{why}.*Nothing was imported"):
            archive.import_jsonl(io.StringIO(f"{good}\n{bad}\n"))
    assert archive.count(None) == 0
    assert archive.import_jsonl(io.StringIO(f"\n{good}\n\n")) == 1


# -- short references for long id lists ------------------------------------------------------------------

def test_id_list_refs(archive_url):
    ids = [uid(n) for n in range(5000)]
    with Archive(archive_url) as archive:
        ref = archive.save_id_list(ids)
        assert len(ref) == 12 and all(c in "0123456789abcdef" for c in ref)
        assert archive.save_id_list(ids) == ref
        assert archive.save_id_list(ids[::-1]) != ref
        assert archive.save_id_list([]) != ref
    with Archive(archive_url) as other_session:
        assert other_session.id_list(ref) == ids
        assert other_session.id_list(f" {ref.upper()} ") == ids
        with pytest.raises(KeyError, match="No id list"):
            other_session.id_list("0123456789ab")


# -- the command line ---------------------------------------------------------------------------------

def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)


def test_cli_fetch_archives_and_a_second_run_requests_nothing(fake_api, tmp_path):
    tasks = [sample_task(name) for name in SAMPLE_ENGINES]
    for task in tasks:
        fake_api.add_task("gemini", task)
    ids = [task["id"] for task in tasks]
    env = {"DATAFORSEO_LOGIN": fake_api.login, "DATAFORSEO_PASSWORD": fake_api.password,
           "DATAFORSEO_BASE_URL": fake_api.base_url, "AIVIS_ARCHIVE_URL": f"sqlite:///{tmp_path / 'cron.sqlite'}"}

    first = run_cli("fetch", *ids, env=env)
    assert first.returncode == 0, first.stderr
    assert fake_api.count("task_get") == 3
    with Archive(env["AIVIS_ARCHIVE_URL"]) as archive:
        assert set(archive.completed(ids)) == set(ids)

    fake_api.reset_log()
    second = run_cli("fetch", *ids, env=env)
    assert second.returncode == 0, second.stderr
    assert fake_api.count("task_get") == 0
    assert second.stdout == first.stdout
    assert "3 from the archive, 0 requested" in second.stderr


def test_cli_fetch_options(api_env, tmp_path, capsys):
    fake_api = api_env
    task = sample_task("gemini_direct_url")
    fake_api.add_task("gemini", task)
    pending = uid(9, "ffff")
    fake_api.add_pending("gemini", pending)
    other_archive = f"sqlite:///{tmp_path / 'other.sqlite'}"

    assert cli.run(["fetch", task["id"], pending, "--archive", other_archive]) == 0
    assert cli.run(["fetch", task["id"], pending, "--archive", other_archive]) == 0
    assert fake_api.count("task_get") == 3  # the pending id both times, the completed one once
    with Archive(other_archive) as archive:
        assert archive.count() == 1 and archive.count(model.PENDING) == 1
    with Archive(os.environ["AIVIS_ARCHIVE_URL"]) as default:
        assert default.count(None) == 0  # --archive URL overrode the environment

    fake_api.reset_log()
    assert cli.run(["fetch", task["id"], "--no-archive"]) == 0
    assert fake_api.count("task_get") == 1
    with Archive(os.environ["AIVIS_ARCHIVE_URL"]) as default:
        assert default.count(None) == 0


def test_cli_demo_writes_nothing(tmp_path):
    assert cli.run(["fetch", "--demo"]) == 0
    with Archive(os.environ["AIVIS_ARCHIVE_URL"]) as archive:
        assert archive.count(None) == 0


def test_cli_fetches_even_when_the_archive_is_unreadable(api_env, tmp_path, monkeypatch, capsys):
    task = sample_task("gemini_direct_url")
    api_env.add_task("gemini", task)
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"\x00garbage" * 2048)
    monkeypatch.setenv("AIVIS_ARCHIVE_URL", f"sqlite:///{broken}")
    assert cli.run(["fetch", task["id"]]) == 3
    out, err = capsys.readouterr()
    assert f"{task['id']}\tgemini\tcompleted" in out
    warning = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and str(broken) in warning[0] and "not a database" in warning[0]
    assert api_env.count("task_get") == 1


def test_cli_report_of_the_whole_archive(tmp_path, capsys):
    with Archive(os.environ["AIVIS_ARCHIVE_URL"]) as archive:
        archive.save([completed(uid(1), model="gemini-2.5-flash", tag="oct", when="2026-10-05 08:00:00 +00:00"),
                      completed(uid(2), "chat_gpt_web_search", model="gpt-5", tag="nov",
                                when="2026-11-01 10:00:00 +00:00"),
                      other(uid(3))])
    assert cli.run(["report"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [t["id"] for t in report["tasks"]] == [uid(1), uid(2)] and report["counts"]["completed"] == 2
    assert cli.run(["report", "--model", "gpt-5", "--since", "2026-11-01"]) == 0
    assert [t["id"] for t in json.loads(capsys.readouterr().out)["tasks"]] == [uid(2)]
    assert cli.run(["report", "--tag", "oct", "--until", "2026-10-05", "--format", "csv"]) == 0
    assert uid(1) in capsys.readouterr().out
    assert cli.run(["report", "--engine", "claude"]) == 0
    assert json.loads(capsys.readouterr().out)["tasks"] == []
    assert cli.run(["report", uid(1), "--model", "gpt-5"]) == 2  # filters are for the whole archive
    assert cli.run(["report", "--no-archive"]) == 2


def test_cli_archive_export_and_import(tmp_path, capsys):
    with Archive(os.environ["AIVIS_ARCHIVE_URL"]) as archive:
        archive.save([completed(uid(1)), completed(uid(2), "claude_reasoning"), other(uid(3))])
    exported = tmp_path / "backup.jsonl"
    assert cli.run(["archive", "export", str(exported)]) == 0
    assert len(exported.read_text().splitlines()) == 3 and not list(tmp_path.glob("*.partial"))
    assert cli.run(["archive", "export", "-"]) == 0
    assert capsys.readouterr().out == exported.read_text()
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    assert cli.run(["archive", "import", str(exported), "--archive", fresh]) == 0
    assert "imported 3 new or updated rows" in capsys.readouterr().err
    with Archive(fresh) as archive, Archive(os.environ["AIVIS_ARCHIVE_URL"]) as original:
        assert every_row(archive) == every_row(original)
    assert cli.run(["archive", "import", str(tmp_path / "missing.jsonl")]) == 2
    exported.write_text("{broken\n")
    assert cli.run(["archive", "import", str(exported)]) == 3
    assert "Line 1" in capsys.readouterr().err


def test_a_read_only_archive_can_still_be_read(tmp_path):
    path = tmp_path / "ro" / "archive.sqlite"
    with Archive(f"sqlite:///{path}") as archive:
        archive.save([completed(uid(1))])
    plain = sqlite3.connect(path, isolation_level=None)  # a rollback journal: read-only opens need no -shm
    plain.execute("PRAGMA journal_mode = DELETE")
    plain.close()
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    with Archive(read_only) as archive:
        assert set(archive.completed([uid(1)])) == {uid(1)}
        with pytest.raises(ArchiveError, match="cannot be written"):
            archive.save([completed(uid(2))])


def test_a_newer_schema_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    with Archive(url) as archive, archive.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE aivis_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(ArchiveError, match="newer version of this app"):
        Archive(url)
