"""A real ``streamlit run`` of the dashboard and headless Chromium, for browser tests and screenshots.

    with LiveApp(demo_env()) as app, browser() as chromium:
        page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(app.url("/domains", ids="a,b", engine="chat_gpt"))
        settle(page)

Nothing here downloads a browser: Chromium is Debian's (``shutil.which("chromium")``).
"""
from __future__ import annotations

import contextlib
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Iterator
from urllib.parse import urlencode

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
_APP_PREFIXES = ("DATAFORSEO_", "AIVIS_")  # credentials, demo lock, archive, access gate


def chromium_path() -> str | None:
    return shutil.which("chromium")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(archive_dir: pathlib.Path, **variables: str) -> dict[str, str]:
    """This process's environment without the app's own variables (``DATAFORSEO_*``, ``AIVIS_*``: no
    credentials, no password gate), plus a private archive and ``variables``."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(_APP_PREFIXES)}
    env["AIVIS_ARCHIVE_URL"] = f"sqlite:///{archive_dir / 'archive.sqlite'}"
    env.update(variables)
    return env


class LiveApp:
    """``streamlit run app.py`` on a free port of 127.0.0.1, in its own process group."""

    def __init__(self, env: dict[str, str], log_dir: pathlib.Path | None = None) -> None:
        self.env = env
        self.port = free_port()
        self._log_dir = log_dir
        self.log_path: pathlib.Path | None = None
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/", **params: str) -> str:
        return f"{self.base_url}{path}" + (f"?{urlencode(params, safe=',')}" if params else "")

    def start(self, timeout: float = 60) -> "LiveApp":
        log_dir = self._log_dir or pathlib.Path(tempfile.mkdtemp(prefix="aivis-app-"))
        self.log_path = log_dir / f"streamlit-{self.port}.log"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                 "--server.port", str(self.port), "--server.address", "127.0.0.1",
                 "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/_stcore/health", timeout=2) as reply:
                    if reply.read().strip() == b"ok":
                        return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"streamlit was not healthy within {timeout:.0f} s:\n{self.log()}")

    def stop(self) -> None:
        """SIGTERM to the app's process group, SIGKILL if it is still there 10 s later."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def log(self, tail: int = 4000) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-tail:]

    def __enter__(self) -> "LiveApp":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def browser() -> Iterator["playwright.sync_api.Browser"]:  # noqa: F821
    """Debian's headless Chromium through Playwright (never ``playwright install``)."""
    from playwright.sync_api import sync_playwright

    driver = sync_playwright().start()
    try:
        chromium = driver.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        driver.stop()


_IDLE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.dataset.testScriptState === 'notRunning'
        && app.dataset.testConnectionState === 'CONNECTED'
        && !document.querySelector('[data-testid="stStatusWidget"]')
        && !document.querySelector('[data-stale="true"]')
        && !document.querySelector('[data-testid="stSkeleton"]');
}"""


def settle(page, timeout: float = 30_000) -> None:
    """Wait until the app finished its run: script not running, nothing stale; twice, 300 ms apart."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    for _ in range(2):
        page.wait_for_function(_IDLE, timeout=timeout, polling=100)
        page.wait_for_timeout(300)
    page.wait_for_function(_IDLE, timeout=timeout, polling=100)


def wait_for_charts(page, timeout: float = 30_000) -> None:
    """Wait until every plotly chart on the page has drawn its SVG."""
    page.wait_for_function("""() => {
        const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
        return charts.every(c => c.querySelector('.js-plotly-plot .main-svg'));
    }""", timeout=timeout, polling=100)
