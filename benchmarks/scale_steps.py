"""The steps of ``bench_scale.py`` that run inside their own process: import, open, page, viewers.

Each step drives the archive only the way a person or a script does: ``core.archive.Archive``
(``import_jsonl``, ``query``), ``core.tables.build_tables``, and the app itself through Streamlit's
AppTest on ``app.py`` with ``source=archive`` in its URL, as a browser opening the archive view
would. It never reaches into the archive's tables or the app's caches, so it keeps measuring
whatever the archive becomes inside. A step writes its figures to its result file as it goes
(replacing it whole each time), so a step killed by the watcher still leaves what it measured.
"""
from __future__ import annotations

import gc
import json
import os
import statistics
import time
from itertools import islice
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
# (figure name, script, the title the page draws): Load tasks first (it opens the archive), then every page
PAGES = [("load", "app.py", "Load tasks"), ("overview", "pages/overview.py", "Overview"),
         ("domains", "pages/domains.py", "Cited domains"), ("brands", "pages/brands.py", "Brand visibility"),
         ("usage", "pages/usage.py", "Usage and cost"), ("fan_out", "pages/fan_out.py", "Fan-out queries"),
         ("answers", "pages/answers.py", "Answers")]
ARCHIVE_CAPTION = "Everything in the archive"
NO_TIMEOUT = 24 * 3600  # AppTest's own timeout: the watcher enforces the budget


# -- memory -----------------------------------------------------------------------------------

def _status_bytes(field: str, pid: int | None) -> int:
    with open(f"/proc/{pid or 'self'}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    return 0


def rss_bytes(pid: int | None = None) -> int:
    """The resident memory of a process (this one by default): psutil if installed, else /proc."""
    try:
        import psutil
        return psutil.Process(pid).memory_info().rss
    except ImportError:
        return _status_bytes("VmRSS", pid)


def peak_rss_bytes(pid: int | None = None) -> int:
    """The highest RSS of a process since it started its program (VmHWM, Linux). Not ``ru_maxrss``:
    Linux carries that over from the parent at exec, so a small step would report its parent's size."""
    return _status_bytes("VmHWM", pid)


def held_rss_bytes() -> int:
    """RSS after a full collection: what the open sessions hold, not garbage waiting to be collected."""
    gc.collect()
    return rss_bytes()


class Results(dict):
    """A step's figures, written to its result file at every :meth:`save` (atomically: whole or not at all)."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = path

    def save(self, **figures) -> None:
        self.update(figures, rss_after=rss_bytes(), peak_self=peak_rss_bytes())
        partial = self.path.with_suffix(".partial")
        partial.write_text(json.dumps(self))
        os.replace(partial, self.path)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


# -- the archive API -------------------------------------------------------------------------------

def step_import(url: str, export: Path, count: int, out: Results, **_) -> None:
    from core.archive import Archive
    with export.open(encoding="utf-8") as lines, Archive(url) as store:
        started = time.perf_counter()
        changed = store.import_jsonl(islice(lines, count))
        seconds = time.perf_counter() - started
    out.save(seconds=seconds, rows=changed, rate=count / seconds)


def step_open(url: str, out: Results, **_) -> None:
    """The archive view's read: every completed answer's tables from the stored facts (``Archive.tables``)."""
    from core.archive import Archive
    with Archive(url) as store:
        started = time.perf_counter()
        built = store.tables()
        seconds = time.perf_counter() - started
    out.save(seconds=seconds, answers=len(built.answers), citations=len(built.citations), fan_out=len(built.fan_out))


# -- the app, as viewers use it -------------------------------------------------------------------------

def brand_params() -> dict[str, str]:
    """The demo's tracked brands and competitors as the URL parameters a shared link carries."""
    from core.brands import brands_from_dict, to_query
    from core.demo import DEMO_FILE
    return to_query(brands_from_dict(json.loads(DEMO_FILE.read_text(encoding="utf-8"))["brands"]))


def viewer(params: dict[str, str]):
    """A new browser session on the archive view: ``app.py?source=archive&brand=...``, not yet run."""
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(APP, default_timeout=NO_TIMEOUT)
    at.query_params["source"] = "archive"
    for name, value in params.items():
        at.query_params[name] = value
    return at


def problem(at) -> str | None:
    """The first exception the last run showed, in one line, or None."""
    if not at.exception:
        return None
    first = at.exception[0]
    return f"{getattr(first, 'message', '') or first.value}".strip().splitlines()[0][:300] or "an exception"


def page_times(at, runs: int):
    """Each page of :data:`PAGES` in turn on the viewer ``at``: (name, first draw in s, rerun seconds, failure
    or None). A page that raises (or times out) gives its failure and no reruns; the next is still measured."""
    for name, script, _ in PAGES:
        if script != "app.py":
            at.switch_page(script)
        first, reruns = None, []
        try:
            first = timed(at.run)
            failure = problem(at)
            reruns = [] if failure else [timed(at.run) for _ in range(runs)]
            failure = failure or problem(at)
        except Exception as exc:  # noqa: BLE001 - AppTest's own errors (a timeout, a script it cannot run)
            failure = f"{type(exc).__name__}: {exc}"
        yield name, first, reruns, failure


def step_page(runs: int, out: Results, **_) -> None:
    """One viewer: Load tasks opens the archive, then every page's first draw and median rerun.
    A page that raises (or times out) is named in ``failed`` and the others are still measured."""
    at, failed = viewer(brand_params()), {}
    for name, first, reruns, failure in page_times(at, runs):
        if failure:
            failed[name] = failure
            out.save(failed=failed)
            continue
        captions = [c.value for c in at.caption if ARCHIVE_CAPTION in c.value]
        out.setdefault("caption", captions[0] if captions else "")
        out.save(**{f"{name}_first": first, f"{name}_rerun": statistics.median(reruns),
                    f"{name}_drawn": bool(captions) or name == "load"})
    out.save(rss_one=held_rss_bytes(), failed=failed)


def step_viewers(sessions: int, out: Results, **_) -> None:
    """``sessions`` viewers open at once in one process (as a server holds them, sharing its caches):
    each opens the archive and draws Cited domains. RSS after the first, the second and the last;
    the second viewer's seconds (a warm process: what a new viewer of a running server waits)."""
    params, open_now, failed = brand_params(), [], {}
    for number in range(1, sessions + 1):
        at, opened, drawn = viewer(params), None, None
        try:
            opened = timed(at.run)
            at.switch_page("pages/domains.py")
            drawn = timed(at.run)
            failure = problem(at)
        except Exception as exc:  # noqa: BLE001 - reported, as a page's failure
            failure = f"{type(exc).__name__}: {exc}"
        if failure:
            failed[f"session {number}"] = failure
        open_now.append(at)  # kept alive: viewers are open at the same time
        held = held_rss_bytes()
        figures = {"sessions": number, "rss_last": held, "failed": failed}
        if number == 1:
            figures["rss_one"] = held
        if number == 2:
            figures["rss_two"] = held
            figures.update(added_second=held - out["rss_one"], second_opens=opened, second_draws=drawn)
        if number > 1:
            figures["per_extra"] = (held - out["rss_one"]) / (number - 1)
        out.save(**figures)


IN_PROCESS = {"import": step_import, "open": step_open, "page": step_page, "viewers": step_viewers}


def child_main(step: str, url: str, export: Path, count: int, runs: int, sessions: int, result: Path) -> None:
    IN_PROCESS[step](url=url, export=export, count=count, runs=runs, sessions=sessions, out=Results(result))
