"""A fake DataForSEO API for tests: real HTTP on 127.0.0.1, on a port the OS picks.

It serves ``task_get`` and ``tasks_ready`` of the LLM-responses API (gemini, chat_gpt, claude) and
``appendix/user_data``, checks HTTP Basic auth, and can be scripted to fail (HTTP errors, API
status codes, broken bodies, delays, a ``Retry-After`` header, a body trickled byte by byte). A reply
can also be served as raw bytes (``add_raw``: the hostile shapes of :mod:`tests.hostile_shapes`). An id
asked on another engine's path than the one it is stored under gets ``40002``, as the API answers.
It never logs anything, credentials least of all.

``tasks_ready`` behaves as DataForSEO's help center describes: it lists the engine's completed tasks
not yet collected, at most 1,000 a call (the rest appear once the first ones are collected), and a
task drops off the list once a ``task_get`` has delivered its result.

    with FakeDataForSEO() as api:
        api.add_task("gemini", task)
        api.script(task["id"], ("http", 500))   # first a 500, then the stored reply
        requests.get(f"{api.base_url}/v3/ai_optimization/gemini/llm_responses/task_get/{task['id']}",
                     auth=(api.login, api.password))
"""
from __future__ import annotations

import base64
import binascii
import copy
import hmac
import json
import re
import threading
import time
import uuid
from collections import defaultdict, deque
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from core import replies
from core.replies import envelope

ENGINES = ("gemini", "chat_gpt", "claude")
# The API's messages; 40202 states the per-minute limit the fake is set to.
MESSAGES = {**replies.MESSAGES,
            40202: "You can't make more than {limit} requests per minute. Please, try again later."}
BEHAVIOURS = {"http", "code", "task_code", "broken", "delay", "auth", "retry_after", "trickle"}
_TASK_GET = re.compile(r"/v3/ai_optimization/([^/]+)/llm_responses/task_get/([^/]+)")
_TASKS_READY = re.compile(r"/v3/ai_optimization/([^/]+)/llm_responses/tasks_ready")
_USER_DATA = "/v3/appendix/user_data"
READY_PAGE = 1000  # ids a tasks_ready call lists at most


class Request(NamedTuple):
    """One request the server saw (never its credentials)."""

    method: str
    path: str
    auth_ok: bool


class _Reply(NamedTuple):
    status: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()
    seconds_per_byte: float = 0.0  # > 0: the body is written a byte at a time


class _Route(NamedTuple):
    kind: str  # "task_get", "tasks_ready" or "user_data"
    engine: str | None = None
    task_id: str | None = None

    @property
    def script_key(self) -> str | None:
        """The queue of scripted behaviours this request takes first (see ``FakeDataForSEO.script``)."""
        return ready_key(self.engine) if self.kind == "tasks_ready" else self.task_id


def ready_key(engine: str) -> str:
    """The script queue of ``engine``'s ``tasks_ready`` calls."""
    return f"tasks_ready/{engine}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # idle keep-alive connections must not hold up stop()
    request_queue_size = 128
    fake: "FakeDataForSEO"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes: with Nagle on, a keep-alive client's delayed ACK
    # holds the body back ~40 ms a request, which would swamp latency and timing measurements
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        self.server.fake._handle(self)

    do_POST = do_GET

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Stay quiet: a request line or header must never reach a log."""


class FakeDataForSEO:
    """The fake API server; use as a context manager or call ``start()`` / ``stop()``.

    Settable attributes: ``latency`` (seconds added to every request), ``fail_all`` (a behaviour
    answered to every authorised request, e.g. ``("auth", 402)``; not consumed), ``task_get_limit``
    (the per-minute limit ``user_data`` reports, also in the 40202 message), ``balance``.
    """

    def __init__(self, login: str = "test-login", password: str = "test-password") -> None:
        self.login, self.password = login, password
        self.latency = 0.0
        self.fail_all: tuple[str, Any] | None = None
        self.task_get_limit = 2000
        self.balance = 42.5
        self.max_in_flight = 0
        self._replies: dict[str, tuple[str, dict[str, Any] | bytes]] = {}
        self._posted: dict[str, str] = {}  # task id -> date_posted, when given
        self._collected: set[str] = set()  # delivered by a task_get: off the tasks_ready list
        self._scripts: dict[str | None, deque] = defaultdict(deque)
        self._requests: list[Request] = []
        self._in_flight = 0
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> "FakeDataForSEO":
        """Listen on 127.0.0.1 (an OS-chosen port) and serve from a daemon thread."""
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-dataforseo", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> "FakeDataForSEO":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` of the running server."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- data ----------------------------------------------------------------------------
    def add_reply(self, engine: str, task_id: str, reply: dict[str, Any]) -> None:
        """Serve ``reply`` (a full envelope, as the API sends it) for ``task_id`` under ``engine``."""
        with self._lock:
            self._replies[task_id] = (engine, copy.deepcopy(reply))

    def add_raw(self, engine: str, task_id: str, body: bytes | str) -> None:
        """Serve ``body`` verbatim (HTTP 200, JSON content type) for ``task_id`` under ``engine``: any text at
        all, so a test can send what ``json.dumps`` would never write (``1e400``, ``NaN``, deep nesting)."""
        with self._lock:
            self._replies[task_id] = (engine, body.encode() if isinstance(body, str) else bytes(body))

    def add_task(self, engine: str, task: dict[str, Any], date_posted: str | None = None) -> None:
        """Serve one task dict (it has its own ``id``) wrapped in an envelope; ``date_posted`` is what
        ``tasks_ready`` lists (default: the result's datetime)."""
        self.add_reply(engine, task["id"], envelope([task]))
        if date_posted is not None:
            with self._lock:
                self._posted[task["id"]] = date_posted

    def collected(self) -> set[str]:
        """The ids a ``task_get`` has delivered (so ``tasks_ready`` no longer lists them)."""
        with self._lock:
            return set(self._collected)

    def add_pending(self, engine: str, task_id: str, code: int = 40602) -> None:
        """A task not done yet: 40602 Task In Queue. (or 40601 Task Handed.)."""
        self.add_task(engine, replies.task(task_id, engine, code, self._message(code)))

    def add_expired(self, engine: str, task_id: str) -> None:
        """A task older than 30 days: 40403 Results Expired."""
        self.add_task(engine, replies.task(task_id, engine, 40403, self._message(40403)))

    def script(self, task_id: str | None, *behaviours: tuple[str, Any]) -> None:
        """Queue behaviours for the next requests of ``task_id`` (``None``: of any request), in order.

        A behaviour is ``("http", 500)``, ``("code", 40202)`` (top-level code, HTTP 200),
        ``("task_code", 50000)`` (task-level code), ``("broken", "nonjson" | "truncated")``,
        ``("delay", seconds)``, ``("auth", 401 | 402 | 40210)``, ``("retry_after", seconds)`` (a 503 with
        that ``Retry-After`` header) or ``("trickle", seconds)`` (the normal reply, its body written one
        byte every ``seconds``). Requests of an id use its own
        queue first, then the global one; once both are empty, requests are answered normally.
        ``tasks_ready`` calls of an engine have their own queue, ``ready_key(engine)``.
        """
        for kind, arg in behaviours:
            if kind not in BEHAVIOURS or (kind == "broken" and arg not in ("nonjson", "truncated")):
                raise ValueError(f"unknown behaviour {(kind, arg)!r}")
        with self._lock:
            self._scripts[task_id].extend(behaviours)

    # -- observability -------------------------------------------------------------------
    @property
    def requests(self) -> list[Request]:
        """A copy of the requests seen so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def count(self, path_contains: str | None = None) -> int:
        """How many requests were seen (whose path contains ``path_contains``, if given)."""
        return sum(1 for r in self.requests if path_contains is None or path_contains in r.path)

    def reset_log(self) -> None:
        """Forget the requests seen and the in-flight maximum."""
        with self._lock:
            self._requests.clear()
            self.max_in_flight = 0

    # -- serving -------------------------------------------------------------------------
    def _handle(self, handler: _Handler) -> None:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            length = int(handler.headers.get("Content-Length") or 0)
            if length:
                handler.rfile.read(length)
            path = urlsplit(handler.path).path
            auth_ok = self._auth_ok(handler.headers.get("Authorization"))
            with self._lock:
                self._requests.append(Request(handler.command, path, auth_ok))
            if self.latency:
                time.sleep(self.latency)
            reply = self._answer(handler.command, path, auth_ok)
        finally:
            with self._lock:  # before the reply leaves, so a client's next request never overlaps
                self._in_flight -= 1
        handler.send_response(reply.status)
        handler.send_header("Content-Type", reply.content_type)
        handler.send_header("Content-Length", str(len(reply.body)))
        if reply.status == 401:
            handler.send_header("WWW-Authenticate", 'Basic realm="DataForSEO"')
        for name, value in reply.headers:
            handler.send_header(name, value)
        handler.end_headers()
        if not reply.seconds_per_byte:
            handler.wfile.write(reply.body)
            return
        try:
            for index in range(len(reply.body)):
                handler.wfile.write(reply.body[index:index + 1])
                handler.wfile.flush()
                time.sleep(reply.seconds_per_byte)
        except OSError:  # the client gave up: that is what a trickle tests
            handler.close_connection = True

    def _auth_ok(self, header: str | None) -> bool:
        scheme, _, encoded = (header or "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            given = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        return hmac.compare_digest(given, f"{self.login}:{self.password}".encode())

    def _answer(self, method: str, path: str, auth_ok: bool) -> _Reply:
        """Status, body and content type for one request."""
        if not auth_ok:
            return self._auth_error(40100)
        route = self._route(method, path)
        if route is None:
            return _json(404, envelope(None, 40400, self._message(40400)))
        behaviour = self.fail_all or self._next_behaviour(route.script_key)
        if behaviour is None:
            return self._normal(route)
        kind, arg = behaviour
        if kind == "delay":
            time.sleep(arg)
            return self._normal(route)
        if kind == "trickle":
            return self._normal(route)._replace(seconds_per_byte=arg)
        if kind == "retry_after":
            return _html(503, "<html><body><h1>503 Service Unavailable</h1></body></html>")._replace(
                headers=(("Retry-After", str(arg)),))
        if kind == "http":
            if arg == 500:
                return _json(500, envelope(None, 50000, self._message(50000)))
            return _html(arg, f"<html><body><h1>{arg} {HTTPStatus(arg).phrase}</h1></body></html>")
        if kind == "code":
            return _json(200, envelope([], arg, self._message(arg)))
        if kind == "task_code":
            return _json(200, envelope([self._error_task(route, arg)]))
        if kind == "auth":
            return self._auth_error({401: 40100, 402: 40200}.get(arg, arg))
        if arg == "nonjson":
            return _html(200, "<html>Bad gateway</html>")
        reply = self._normal(route)
        return reply._replace(body=reply.body[: len(reply.body) // 2])

    def _route(self, method: str, path: str) -> _Route | None:
        if method != "GET":
            return None
        if match := _TASK_GET.fullmatch(path):
            return _Route("task_get", *match.groups()) if match[1] in ENGINES else None
        if match := _TASKS_READY.fullmatch(path):
            return _Route("tasks_ready", match[1]) if match[1] in ENGINES else None
        return _Route("user_data") if path == _USER_DATA else None

    def _next_behaviour(self, script_key: str | None) -> tuple[str, Any] | None:
        with self._lock:
            for key in (script_key, None):
                if self._scripts.get(key):
                    return self._scripts[key].popleft()
        return None

    def _normal(self, route: _Route) -> _Reply:
        if route.kind == "task_get":
            reply = self._task_get(route.engine, route.task_id)
            return _Reply(200, reply, "application/json") if isinstance(reply, bytes) else _json(200, reply)
        if route.kind == "tasks_ready":
            return _json(200, envelope([self._service_task(route, self._ready(route.engine))]))
        return _json(200, envelope([self._service_task(route, [self._user_data()])]))

    def _task_get(self, engine: str, task_id: str) -> dict[str, Any] | bytes:
        with self._lock:
            stored = self._replies.get(task_id)
        if stored is None:
            return envelope([replies.task(task_id, engine, 40401, self._message(40401))])
        if stored[0] != engine:
            return envelope([replies.task(task_id, engine, 40002, self._message(40002))])
        if _completed_task(stored[1]) is not None:
            with self._lock:
                self._collected.add(task_id)
        return stored[1]

    def _ready(self, engine: str) -> list[dict[str, Any]]:
        """``tasks_ready`` items: ``engine``'s completed tasks not yet collected, the first 1,000."""
        with self._lock:
            stored = [(task_id, reply, self._posted.get(task_id)) for task_id, (se, reply) in self._replies.items()
                      if se == engine and task_id not in self._collected and isinstance(reply, dict)]
        items = []
        for task_id, reply, posted in stored:
            task = _completed_task(reply)
            if task is None:
                continue
            result = (task.get("result") or [{}])[0]
            items.append({
                "id": task_id,
                "se": engine,
                "se_type": "llm_responses",
                "date_posted": posted or result.get("datetime") or "2026-11-16 09:00:00 +00:00",
                "tag": (task.get("data") or {}).get("tag"),
                "endpoint": f"/v3/ai_optimization/{engine}/llm_responses/task_get/{task_id}",
            })
            if len(items) == READY_PAGE:
                break
        return items

    def _user_data(self) -> dict[str, Any]:
        limit = self.task_get_limit
        return {
            "login": self.login,
            "timezone": "UTC",
            "rates": {"limits": {"day": {"total": 0},
                                 "minute": {"total": limit, "ai_optimization": {"llm_responses": {
                                     "task_post": limit, "tasks_ready": 20, "task_get": limit}}}}},
            "money": {"total": 100.0, "balance": self.balance},
        }

    def _service_task(self, route: _Route, result: list[dict[str, Any]]) -> dict[str, Any]:
        """A completed task of ``tasks_ready`` or ``user_data`` carrying ``result``."""
        task = self._error_task(route, 20000)
        task.update(result=result, result_count=len(result))
        return task

    def _error_task(self, route: _Route, code: int) -> dict[str, Any]:
        """A task with ``code`` and no result, its path and data matching ``route``."""
        task = replies.task(route.task_id or str(uuid.uuid4()), route.engine or "", code, self._message(code))
        if route.kind == "tasks_ready":
            task["path"] = ["v3", "ai_optimization", route.engine, "llm_responses", "tasks_ready"]
            task["data"] = {"api": "ai_optimization", "function": "tasks_ready", "se": route.engine}
        elif route.kind == "user_data":
            task["path"] = ["v3", "appendix", "user_data"]
            task["data"] = {"api": "appendix", "function": "user_data"}
        return task

    def _auth_error(self, code: int) -> _Reply:
        """An account-level refusal: HTTP 401 or 402 (from the code), ``tasks`` null."""
        return _json(code // 100, envelope(None, code, self._message(code)))

    def _message(self, code: int) -> str:
        return MESSAGES.get(code, "Error.").format(limit=self.task_get_limit)


def _completed_task(reply: dict[str, Any] | bytes) -> dict[str, Any] | None:
    """The task of a stored reply when it is completed (20000), else None (raw or hostile replies too)."""
    tasks = reply.get("tasks") if isinstance(reply, dict) else None
    task = tasks[0] if isinstance(tasks, list) and tasks else None
    return task if isinstance(task, dict) and task.get("status_code") == 20000 else None


def _json(status: int, body: dict[str, Any]) -> _Reply:
    return _Reply(status, json.dumps(body, ensure_ascii=False).encode(), "application/json")


def _html(status: int, text: str) -> _Reply:
    return _Reply(status, text.encode(), "text/html")
