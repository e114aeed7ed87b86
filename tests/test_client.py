"""core.client against the fake DataForSEO server (real HTTP on 127.0.0.1)."""
from __future__ import annotations

import base64
import logging
import socket
import threading
import time

import pytest

from core import errors, sansio, model
from core.client import Client
from core.config import DEFAULT_REQUESTS_PER_MINUTE, Credentials
from core.ratelimit import RateLimiter
from tests.fake_dataforseo import FakeDataForSEO

FAST = dict(backoff=0.01, max_backoff=0.05, timeout=(1.0, 3.0), max_attempts=3,
            requests_per_minute=600_000)


def ids(n: int, prefix: str = "aaaa") -> list[str]:
    return [f"{prefix}{i:04x}-1535-0613-0000-{i:012x}" for i in range(n)]


def client_for(api: FakeDataForSEO, password: str | None = None, **options) -> Client:
    return Client(Credentials(api.login, api.password if password is None else password),
                  api.base_url, **{**FAST, **options})


@pytest.fixture
def loaded(fake_api, sample):
    """The fake with every completed sample stored under its engine; yields (api, {name: task})."""
    tasks = {}
    for name, engine in [("gemini_direct_url", "gemini"), ("chat_gpt_web_search", "chat_gpt"),
                         ("claude_reasoning", "claude")]:
        task = sample(name)["tasks"][0]
        fake_api.add_task(engine, task)
        tasks[name] = task
    return fake_api, tasks


# -- one outcome each ----------------------------------------------------------------------

def test_completed(loaded):
    api, tasks = loaded
    with client_for(api) as client:
        for name, engine in [("gemini_direct_url", "gemini"), ("chat_gpt_web_search", "chat_gpt"),
                             ("claude_reasoning", "claude")]:
            outcome = client.fetch_task(engine, tasks[name]["id"])
            assert outcome.completed and outcome.task == tasks[name]
    assert api.count("task_get") == 3 and all(r.auth_ok for r in api.requests)


def test_pending_not_found_expired_wrong_engine(loaded):
    api, tasks = loaded
    pending, expired, unknown = ids(3, "bbbb")
    api.add_pending("gemini", pending)
    api.add_expired("gemini", expired)
    gemini_id = tasks["gemini_direct_url"]["id"]
    with client_for(api) as client:
        batch = client.fetch_tasks([pending, expired, unknown, gemini_id], "gemini")
        wrong = client.fetch_task("claude", gemini_id)
    assert batch.error is None
    assert [o.status for o in batch.outcomes] == [model.PENDING, model.EXPIRED, model.NOT_FOUND,
                                                  model.COMPLETED]
    assert [o.status_code for o in batch.outcomes] == [40602, 40403, 40401, 20000]
    assert batch.counts() == {model.COMPLETED: 1, model.PENDING: 1, model.NOT_FOUND: 1, model.EXPIRED: 1}
    assert (wrong.status, wrong.status_code) == (model.WRONG_ENGINE, 40002)
    assert api.count() == 5  # nothing retried


def test_task_level_non_transient_code_is_failed(fake_api):
    (task_id,) = ids(1)
    fake_api.script(task_id, ("task_code", 40501))
    with client_for(fake_api) as client:
        outcome = client.fetch_task("gemini", task_id)
    assert (outcome.status, outcome.status_code) == (model.FAILED, 40501)
    assert fake_api.count() == 1


def test_task_level_50000_is_retried_then_fails_with_its_code(fake_api):
    first, second = ids(2)
    fake_api.script(first, ("task_code", 50000))
    fake_api.script(second, *[("task_code", 50000)] * 3)
    with client_for(fake_api, max_attempts=3) as client:
        assert client.fetch_task("gemini", first).status == model.NOT_FOUND  # retried past the 50000
        outcome = client.fetch_task("gemini", second)
    assert (outcome.status, outcome.status_code) == (model.FAILED, 50000)
    assert fake_api.count(first) == 2 and fake_api.count(second) == 3


@pytest.mark.parametrize("behaviour, error", [
    (None, errors.AuthError),  # a wrong password
    (("auth", 401), errors.AuthError),
    (("auth", 402), errors.BalanceError),
    (("auth", 40210), errors.BalanceError),
    (("code", 40203), errors.CostLimitError),
])
def test_account_errors_stop_the_batch_after_one_request(fake_api, behaviour, error):
    batch_ids = ids(8)
    fake_api.fail_all = behaviour
    with client_for(fake_api, password="wrong-password" if behaviour is None else None) as client:
        batch = client.fetch_tasks(batch_ids, "gemini")
    assert fake_api.count() == 1
    assert isinstance(batch.error, error)
    assert [o.task_id for o in batch.outcomes] == batch_ids
    assert all(o.status == model.SKIPPED for o in batch.outcomes)
    assert all(o.status_message.startswith("Not requested") for o in batch.outcomes)
    assert batch.counts() == {model.SKIPPED: len(batch_ids)}


def test_account_error_mid_batch_cancels_the_rest(fake_api):
    fake_api.latency = 0.05
    batch_ids = ids(30)
    fake_api.script(batch_ids[3], ("auth", 402))
    with client_for(fake_api, max_workers=2) as client:
        batch = client.fetch_tasks(batch_ids, "gemini")
    assert isinstance(batch.error, errors.BalanceError)
    assert fake_api.count() < len(batch_ids)
    statuses = [o.status for o in batch.outcomes]
    assert set(statuses) <= {model.NOT_FOUND, model.SKIPPED}
    assert statuses.count(model.SKIPPED) >= len(batch_ids) - fake_api.count()
    assert statuses[0] == model.NOT_FOUND and statuses[-1] == model.SKIPPED


# -- retries ------------------------------------------------------------------------------

@pytest.mark.parametrize("behaviour", [("http", 500), ("http", 502), ("http", 503)])
def test_http_5xx_then_success(loaded, behaviour):
    api, tasks = loaded
    task_id = tasks["gemini_direct_url"]["id"]
    api.script(task_id, behaviour)
    with client_for(api) as client:
        outcome = client.fetch_task("gemini", task_id)
    assert outcome.completed and api.count() == 2


def test_http_5xx_that_persists_is_failed(fake_api):
    (task_id,) = ids(1)
    fake_api.script(task_id, *[("http", 503)] * 40)
    with client_for(fake_api, transport_retries=1) as client:
        outcome = client.fetch_task("gemini", task_id)
    assert outcome.status == model.FAILED and "503" in outcome.status_message


@pytest.mark.parametrize("code", [40202, 40209])
def test_rate_limit_reply_then_success(loaded, code):
    api, tasks = loaded
    task_id = tasks["claude_reasoning"]["id"]
    api.script(task_id, ("code", code))
    with client_for(api) as client:
        outcome = client.fetch_task("claude", task_id)
    assert outcome.completed and api.count() == 2


def test_rate_limit_that_persists_is_failed_not_batch_stopping(fake_api):
    first, second = ids(2)
    fake_api.script(first, *[("code", 40202)] * 3)
    with client_for(fake_api, max_attempts=3) as client:
        batch = client.fetch_tasks([first, second], "gemini")
    assert batch.error is None
    assert (batch.outcomes[0].status, batch.outcomes[0].status_code) == (model.FAILED, 40202)
    assert batch.outcomes[1].status == model.NOT_FOUND
    assert fake_api.count(first) == 3


def test_timeout_fails_that_id_and_the_batch_continues(loaded):
    api, tasks = loaded
    slow, fine = ids(1, "cccc")[0], tasks["gemini_direct_url"]["id"]
    api.script(slow, *[("delay", 1.0)] * 4)
    with client_for(api, timeout=(1.0, 0.2)) as client:
        batch = client.fetch_tasks([slow, fine], "gemini")
    assert batch.error is None
    outcome = batch.outcomes[0]
    assert outcome.status == model.FAILED
    assert "timeout" in outcome.status_message.lower()
    assert batch.outcomes[1].completed


@pytest.mark.parametrize("kind", ["nonjson", "truncated"])
def test_broken_bodies_are_retried_then_failed(loaded, kind):
    api, tasks = loaded
    task_id = tasks["chat_gpt_web_search"]["id"]
    api.script(task_id, *[("broken", kind)] * 3)
    with client_for(api, max_attempts=3) as client:
        outcome = client.fetch_task("chat_gpt", task_id)
        assert outcome.status == model.FAILED
        assert "not valid JSON" in outcome.status_message
        assert api.count() == 3
        api.script(task_id, ("broken", kind))  # once only: the retry gets the answer
        assert client.fetch_task("chat_gpt", task_id).completed


class RawServer:
    """A bare TCP server on 127.0.0.1 answering every connection with ``answer(conn)``."""

    def __init__(self, answer):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(32)
        self.sock.settimeout(0.05)
        self.answer, self.running = answer, True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn):
        with conn:
            conn.settimeout(2)
            try:
                conn.recv(65536)
                self.answer(conn)
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
        self.sock.close()


def slow_body(conn):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"ve")
    time.sleep(0.6)


def hang_up(conn):
    """Read the request, then close without a word."""


@pytest.mark.parametrize("answer, words", [(slow_body, "timeout"), (hang_up, "closed the connection")])
def test_reachable_host_that_misbehaves_fails_ids_without_stopping_the_batch(answer, words):
    with RawServer(answer) as server:
        with Client(Credentials("login", "password"), server.base_url,
                    **{**FAST, "timeout": (1.0, 0.2), "transport_retries": 1}) as client:
            batch = client.fetch_tasks(ids(3), "gemini")
    assert batch.error is None
    assert [o.status for o in batch.outcomes] == [model.FAILED] * 3
    assert all(words in o.status_message for o in batch.outcomes)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_host_stops_the_batch():
    client = Client(Credentials("login", "password"), f"http://127.0.0.1:{closed_port()}",
                    **{**FAST, "transport_retries": 1})
    batch_ids = ids(5)
    started = time.monotonic()
    with client:
        batch = client.fetch_tasks(batch_ids, "gemini")
    assert isinstance(batch.error, errors.Unreachable)
    assert "Cannot reach" in str(batch.error)
    assert all(o.status == model.SKIPPED for o in batch.outcomes)
    assert time.monotonic() - started < 5


def test_perplexity_makes_no_request(fake_api):
    with client_for(fake_api) as client:
        with pytest.raises(errors.ConfigurationError, match="Perplexity"):
            client.fetch_tasks(ids(3), "perplexity")
        with pytest.raises(errors.ConfigurationError, match="Perplexity"):
            client.tasks_ready("perplexity")
    assert fake_api.count() == 0


def test_no_credentials_is_a_configuration_error():
    with pytest.raises(errors.ConfigurationError, match="DATAFORSEO_LOGIN"):
        Client(None, "http://127.0.0.1:9")


# -- concurrency, rate, progress ------------------------------------------------------------

def record_spans(api: FakeDataForSEO) -> list[tuple[str, float, float]]:
    """Patch the fake to note (path, start, end) of each request it handles."""
    spans, handle = [], api._handle

    def timed(handler):
        start = time.monotonic()
        handle(handler)
        spans.append((handler.path, start, time.monotonic()))
    api._handle = timed
    return spans


def test_concurrent_after_a_first_request_alone(fake_api):
    fake_api.latency = 0.2
    spans = record_spans(fake_api)
    batch_ids = ids(20)
    started = time.monotonic()
    with client_for(fake_api, max_workers=8) as client:
        batch = client.fetch_tasks(batch_ids, "gemini")
    elapsed = time.monotonic() - started
    assert batch.error is None and len(batch.outcomes) == 20
    assert 1 < fake_api.max_in_flight <= 8
    assert fake_api.requests[0].path.endswith(batch_ids[0])
    first = next(span for span in spans if span[0].endswith(batch_ids[0]))
    others = [span for span in spans if span is not first]
    assert len(others) == 19
    assert first[2] <= min(start for _, start, _ in others)  # done before any other began
    assert elapsed < 0.2 * 20 / 2  # far quicker than one by one


def test_max_workers_is_capped_at_30(fake_api):
    with client_for(fake_api, max_workers=100) as client:
        assert client.max_workers == 30
    with client_for(fake_api, max_workers=0) as client:
        assert client.max_workers == 1


def test_one_worker_is_one_request_at_a_time(fake_api):
    fake_api.latency = 0.02
    with client_for(fake_api, max_workers=1) as client:
        client.fetch_tasks(ids(6), "gemini")
    assert fake_api.max_in_flight == 1 and fake_api.count() == 6


def test_requests_per_minute_cap(fake_api):
    rpm, workers, n = 600, 2, 10  # one request every 0.1 s after a burst of `workers`
    started = time.monotonic()
    with client_for(fake_api, max_workers=workers, requests_per_minute=rpm) as client:
        batch = client.fetch_tasks(ids(n), "gemini")
    elapsed = time.monotonic() - started
    assert batch.error is None and fake_api.count() == n
    assert elapsed >= (n - workers) * 60 / rpm * 0.95


class FakeClock:
    def __init__(self):
        self.now, self.sleeps = 100.0, []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 9))


def test_rate_limiter_with_a_fake_clock():
    clock = FakeClock()
    limiter = RateLimiter(60, burst=2, clock=clock, sleep=clock.sleep)  # one a second
    for _ in range(5):
        limiter.acquire()
    assert clock.sleeps == [1.0, 2.0, 3.0]  # the burst goes at once, then one a second each
    clock.now += 10  # idle: the debt is paid and the bucket refills, but no further than the burst
    clock.sleeps.clear()
    for _ in range(4):
        limiter.acquire()
    assert clock.sleeps == [1.0, 2.0]
    clock.now += 0.5
    clock.sleeps.clear()
    limiter.acquire()
    assert clock.sleeps == [2.5]


def test_rate_limiter_rejects_nonsense():
    with pytest.raises(ValueError):
        RateLimiter(0)
    assert RateLimiter(120, burst=0).burst == 1


def test_progress_once_per_id(loaded):
    api, tasks = loaded
    batch_ids = ids(12) + [tasks["gemini_direct_url"]["id"]]
    calls = []
    with client_for(api, max_workers=4) as client:
        batch = client.fetch_tasks(batch_ids, "gemini", progress=lambda d, t, o: calls.append((d, t, o.task_id)))
    assert [(d, t) for d, t, _ in calls] == [(i, len(batch_ids)) for i in range(1, len(batch_ids) + 1)]
    assert sorted(task_id for _, _, task_id in calls) == sorted(batch_ids)
    assert calls[0][2] == batch_ids[0]
    assert [o.task_id for o in batch.outcomes] == batch_ids  # in the order given


def test_empty_batch(fake_api):
    with client_for(fake_api) as client:
        batch = client.fetch_tasks([], "gemini")
    assert batch.outcomes == [] and batch.error is None and fake_api.count() == 0


# -- credentials never leak -----------------------------------------------------------------

SECRET = "pw-Zq8!s3cr3t-do-not-print"


def test_credentials_never_appear(caplog, sample):
    caplog.set_level(logging.DEBUG)
    secrets = [SECRET, base64.b64encode(f"me@example.com:{SECRET}".encode()).decode(),
               base64.b64encode(SECRET.encode()).decode()[:12]]
    texts = []
    with FakeDataForSEO(login="me@example.com", password=SECRET) as api:
        task = sample("gemini_direct_url")["tasks"][0]
        api.add_task("gemini", task)
        credentials = Credentials(api.login, SECRET)
        texts += [repr(credentials), str(credentials)]
        with client_for(api) as client:
            texts.append(repr(client))
            api.script(task["id"], ("http", 500), ("code", 40202), ("broken", "nonjson"))
            batch = client.fetch_tasks([task["id"]] + ids(3), "gemini")
            assert batch.outcomes[0].completed
            texts += [repr(o) + o.status_message for o in batch.outcomes]
        with client_for(api, timeout=(1.0, 0.1)) as client:  # a timeout
            api.script(None, *[("delay", 0.5)] * 3)
            texts.append(client.fetch_task("gemini", ids(1, "dddd")[0]).status_message)
        api.fail_all = ("auth", 402)
        with client_for(api) as client:
            texts.append(str(client.fetch_tasks(ids(2), "gemini").error))
        api.fail_all = None
        wrong = f"{SECRET}-wrong"
        with Client(Credentials(api.login, wrong), api.base_url, **FAST) as client:
            texts.append(repr(client))
            error = client.fetch_tasks(ids(2), "gemini").error
            assert isinstance(error, errors.AuthError)
            texts += [str(error), repr(error), *map(str, error.args)]
            with pytest.raises(errors.AuthError) as caught:
                client.account_rate_limit()
            texts += [str(caught.value), repr(caught.value)]
    unreachable = Client(credentials, f"http://127.0.0.1:{closed_port()}", **{**FAST, "transport_retries": 0})
    texts += [repr(unreachable), str(unreachable.fetch_tasks(ids(1), "gemini").error)]
    assert caplog.records, "the client logged nothing: the check below would prove nothing"
    texts += [record.getMessage() for record in caplog.records] + [caplog.text]
    texts += [repr(record.args) for record in caplog.records]
    for text in texts:
        for secret in secrets:
            assert secret not in text
    assert "me@example.com" in repr(credentials)  # the login may show; the password never


# -- service calls --------------------------------------------------------------------------

def test_tasks_ready_and_account_rate_limit(loaded):
    api, tasks = loaded
    api.add_pending("gemini", ids(1)[0])
    api.task_get_limit = 1234
    with client_for(api) as client:
        ready = client.tasks_ready("gemini")
        assert [item["id"] for item in ready] == [tasks["gemini_direct_url"]["id"]]
        assert ready[0]["date_posted"] == tasks["gemini_direct_url"]["result"][0]["datetime"]
        assert [item["id"] for item in client.tasks_ready("claude")] == [tasks["claude_reasoning"]["id"]]
        assert client.account_rate_limit() == 1234
        api.script(None, ("code", 40202))
        assert client.account_rate_limit() == 1234  # retried past the rate limit
    assert api.count("user_data") == 3 and api.count("tasks_ready") == 2


# -- pacing at the account's own limit ----------------------------------------------------------

def test_without_a_cap_the_client_paces_at_the_account_limit_read_once(loaded):
    api, tasks = loaded
    api.task_get_limit = 600
    client = client_for(api, requests_per_minute=None)
    task_id = tasks["chat_gpt_web_search"]["id"]
    for _ in range(2):
        assert client.fetch_tasks([task_id], "chat_gpt").outcomes[0].completed
    assert client.requests_per_minute == 600 and client._limiter.interval == pytest.approx(0.1)
    assert api.count("user_data") == 1  # read once, before the first batch


def test_an_unreadable_user_data_falls_back_to_the_help_center_figure(loaded):
    api, tasks = loaded
    api.script(None, ("broken", "nonjson"), ("broken", "nonjson"))  # user_data's tries, not the task's
    client = client_for(api, requests_per_minute=None, max_attempts=2)
    assert client.fetch_tasks([tasks["gemini_direct_url"]["id"]]).outcomes[0].completed
    assert client.requests_per_minute == DEFAULT_REQUESTS_PER_MINUTE


def test_bad_credentials_stop_at_the_user_data_request(loaded):
    api, tasks = loaded
    batch = client_for(api, password="wrong", requests_per_minute=None).fetch_tasks(
        [t["id"] for t in tasks.values()], "gemini")
    assert isinstance(batch.error, errors.AuthError) and api.count() == 1
    assert [o.status for o in batch.outcomes] == ["not requested"] * 3


def test_retry_after_waits_at_most_max_backoff(loaded, monkeypatch):
    """A 503 with ``Retry-After: 45`` is retried after ``max_backoff``, not 45 s."""
    import urllib3.util.retry
    api, tasks = loaded
    task_id = tasks["gemini_direct_url"]["id"]
    api.script(task_id, ("retry_after", 45))
    waits = []
    monkeypatch.setattr(urllib3.util.retry.time, "sleep", waits.append)
    with client_for(api, max_backoff=0.05) as client:
        assert client.fetch_task("gemini", task_id).completed
    assert api.count(task_id) == 2  # the 503, then the retry
    assert waits and max(waits) <= 0.05


def test_a_trickled_body_stops_at_the_deadline(loaded):
    """A byte every 50 ms of a reply of several KB would take minutes; the request gives up at its deadline
    and the id fails as a timeout while the batch goes on."""
    api, tasks = loaded
    slow, fine = tasks["gemini_direct_url"]["id"], tasks["claude_reasoning"]["id"]
    api.script(slow, *[("trickle", 0.05)] * 3)
    with client_for(api, deadline=0.3, max_attempts=1) as client:
        batch = client.fetch_tasks([slow], "gemini")
        other = client.fetch_task("claude", fine)
    outcome = batch.outcomes[0]
    assert batch.error is None and outcome.status == sansio.FAILED
    assert "timeout" in outcome.status_message and "0.3 s" in outcome.status_message
    assert other.completed
