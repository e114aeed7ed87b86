"""Benchmark the archive at a year's scale: import, open everything, report, every page, memory per viewer.

Run by hand from the repo root (never in CI: it writes hundreds of MB and runs for minutes)::

    .venv/bin/python benchmarks/bench_scale.py [--sizes 1000,10000,100000] [--steps import,page]
        [--budget 120] [--max-rss-gb 8] [--runs 5] [--sessions 10] [--workdir /tmp/aivis-bench-scale]

Sizes up to 1,000,000 may be asked for (``--sizes 300000,1000000``). One archive export (JSON
Lines, the shape ``archive export`` writes) of the largest size is generated once, a line at a
time (never held in memory): the demo replies (``core/data/demo_replies.json``, three engines)
cloned by :func:`bench_core.synthetic_task` with new ids, prompts, cited sites and fan-out
queries, answer dates spread over the year before 2026-11-29. For each size, on a fresh SQLite
archive (and a fresh PostgreSQL one when ``AIVIS_TEST_POSTGRES_URL`` is set; its aivis tables are
dropped first), each step runs in its own process, watched by this one (``--steps`` picks some;
import always runs, since each size starts from an empty archive):

1. import: ``Archive.import_jsonl`` of the file's first N lines: tasks/s, peak RSS;
2. open: ``Archive.tables()`` (every completed answer read from the stored facts): seconds, RSS, peak;
3. report: ``python -m core report --format json`` with ``AIVIS_ARCHIVE_URL`` set: seconds, peak RSS;
4. page: one viewer, Streamlit's AppTest on ``app.py?source=archive`` with the demo's brands and
   competitors in the URL (dummy credentials, an API address where nothing listens: nothing leaves
   the machine): Load tasks' first run (the app opening the archive) and median rerun, then each
   page's first draw and median rerun of ``--runs`` (Overview, Cited domains, Brand visibility,
   Usage and cost, Fan-out queries, Answers); a page that raises is reported and the rest measured;
5. viewers: ``--sessions`` AppTests open at once in one process (sharing Streamlit's caches as the
   sessions of one server do), each opening the archive and drawing Cited domains: RSS after the
   first, the second and the last, the second's addition and the addition per extra viewer.

A step that passes ``--budget`` seconds or ``--max-rss-gb`` of RSS is killed; the size stops there,
saying which step and why (with what the step measured before), and larger sizes are not run
(they would only take longer). A step that fails (an exception, a page that raises) is reported
with its error and the next steps still run.

RSS is read with psutil when installed, else from /proc; the viewers' RSS after a full garbage
collection (what the sessions hold). A step's peak RSS is its VmHWM, read by the watcher every
0.2 s and by the step itself as it saves its figures (a rise in its last 0.2 s may be missed).
Prints a markdown table per size and the growth of each figure from one size to the next, with a
linear and a power-law extrapolation to 1M from the last two sizes; the figures also go to
``results.json``. The steps live in ``scale_steps.py``, the tables in ``scale_report.py``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bench_core import site_pool, synthetic_task  # noqa: E402
from scale_report import TARGET_SIZE, mb, print_growth, print_size  # noqa: E402
from scale_steps import child_main, peak_rss_bytes, rss_bytes  # noqa: E402

from core import model  # noqa: E402
from core.demo import DEMO_FILE  # noqa: E402

YEAR_END = datetime(2026, 11, 29, tzinfo=timezone.utc)
POSTGRES_ENV = "AIVIS_TEST_POSTGRES_URL"
NOWHERE = "http://127.0.0.1:9"  # the discard port: a request would fail at once, never leave the machine
STEPS = ("import", "open", "report", "page", "viewers")
POLL_SECONDS = 0.2


# -- the synthetic export ------------------------------------------------------------------------

def demo_templates() -> list[tuple[str, dict]]:
    replies = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["replies"]
    return [(r["engine"], r["reply"]["tasks"][0]) for r in replies if r["reply"]["tasks"][0].get("result")]


def export_lines(count: int, seed: int = 16) -> Iterator[str]:
    """``count`` completed tasks as archive export lines, one at a time (deterministic for a seed)."""
    rng = random.Random(seed)
    templates = demo_templates()
    sites, weights = site_pool(rng)
    for _ in range(count):
        engine, template = rng.choice(templates)
        task = synthetic_task(rng, engine, template, sites, weights)
        when = YEAR_END - timedelta(seconds=rng.randrange(365 * 86400))
        task["result"][0]["datetime"] = when.strftime("%Y-%m-%d %H:%M:%S +00:00")
        fetched = when + timedelta(minutes=rng.randint(1, 600))
        yield json.dumps({"engine": engine, "task_id": task["id"], "fetched_at": fetched.isoformat(),
                          "status": model.COMPLETED, "status_code": 20000, "status_message": "Ok.",
                          "task": task}, ensure_ascii=False) + "\n"


def write_export(path: Path, count: int) -> float:
    """Write :func:`export_lines` to ``path`` as they come (memory stays flat whatever ``count``);
    reused when a file of at least ``count`` lines was completed before. Returns seconds (0 if reused)."""
    done = path.with_suffix(".count")
    if path.exists() and done.exists() and int(done.read_text()) >= count:
        return 0.0
    done.unlink(missing_ok=True)
    started = time.perf_counter()
    with path.open("w", encoding="utf-8") as out:
        out.writelines(export_lines(count))
    done.write_text(str(count))
    return time.perf_counter() - started


# -- the steps, each in its own process, watched by this one ------------------------------------

def watch(command: list[str], env: dict, budget: float, max_rss: int, stdout: Path) -> dict:
    """Run ``command``, killing it past ``budget`` seconds or ``max_rss`` bytes: seconds, peak RSS, why it was
    stopped (past a limit) or why it failed (it exited with an error).
    Its output goes to ``stdout`` and its log to the ``.err`` file beside it (files, not pipes: a
    long log cannot fill a pipe nobody reads while the step runs)."""
    started, stderr = time.perf_counter(), stdout.with_suffix(".err")
    with stdout.open("wb") as out, stderr.open("wb") as log:
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=log)
    stopped, worst, peak = None, 0, 0
    while True:
        pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        elapsed = time.perf_counter() - started
        try:
            worst, peak = max(worst, rss_bytes(proc.pid)), max(peak, peak_rss_bytes(proc.pid))
        except (OSError, ProcessLookupError):
            pass
        if stopped is None and elapsed > budget:
            stopped = f"passed the time budget ({budget:.0f} s) after {elapsed:.0f} s"
        elif stopped is None and worst > max_rss:
            stopped = (f"passed the memory limit ({max_rss / 2**30:.1f} GB): "
                       f"RSS {worst / 2**30:.2f} GB at {elapsed:.0f} s")
        if stopped:
            proc.kill()
        time.sleep(POLL_SECONDS)
    proc.returncode = os.waitstatus_to_exitcode(status)
    errors = stderr.read_text(encoding="utf-8", errors="replace")
    failed = None
    if not stopped and proc.returncode:
        failed = f"exit {proc.returncode}: {errors.strip().splitlines()[-1] if errors.strip() else ''}"
    return {"wall": time.perf_counter() - started, "peak": peak, "stopped": stopped,
            "failed": failed}


def fresh_archive(url: str, sqlite_file: Path | None) -> None:
    """An empty archive at ``url``: the SQLite file removed, or the PostgreSQL aivis tables dropped."""
    if sqlite_file is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        return
    import sqlalchemy as sa
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine, only=lambda name, _: name.startswith("aivis_"))
    meta.drop_all(engine)
    engine.dispose()


def run_size(backend: str, url: str, sqlite_file: Path | None, export: Path, count: int,
             args: argparse.Namespace) -> dict:
    """Every asked step on a fresh archive of ``count`` tasks. A step past a limit stops the size; a step
    that fails is reported and the next steps still run (unless it was the import: nothing to measure)."""
    if not args.keep_archive:
        fresh_archive(url, sqlite_file)
    env = {**os.environ, "AIVIS_ARCHIVE_URL": url, "DATAFORSEO_LOGIN": "bench", "DATAFORSEO_PASSWORD": "bench",
           "DATAFORSEO_BASE_URL": NOWHERE, "PYTHONPATH": str(ROOT)}
    env.pop("AIVIS_DEMO_ONLY", None)
    max_rss, row = int(args.max_rss_gb * 2**30), {"backend": backend, "size": count, "steps": {}}
    for step in args.steps:
        output = args.workdir / f"{step}.out"
        result_file = args.workdir / f"{step}.json"
        result_file.unlink(missing_ok=True)
        if step == "report":
            command = [sys.executable, "-m", "core", "report", "--format", "json"]
        else:
            command = [sys.executable, str(Path(__file__).resolve()), "--step", step, "--url", url,
                       "--export", str(export), "--count", str(count), "--runs", str(args.runs),
                       "--sessions", str(args.sessions), "--result", str(result_file)]
        print(f"  {backend} {count:,}: {step} ...", file=sys.stderr, flush=True)
        watched = watch(command, env, args.budget, max_rss, output)
        figures = json.loads(result_file.read_text()) if result_file.exists() else {}
        if step == "report" and not watched["failed"]:
            figures = {"seconds": watched["wall"], "output_mb": mb(output.stat().st_size)}
        if watched["failed"]:
            figures["failed"] = {**figures.get("failed", {}), "(the step)": watched["failed"]}
        figures.update(peak=max(watched["peak"], figures.get("peak_self", 0)), stopped=watched["stopped"])
        row["steps"][step] = figures
        if watched["stopped"] or (step == "import" and watched["failed"]):
            row["stopped"] = f"{step} {watched['stopped'] or 'failed: ' + watched['failed']}"
            break
    if sqlite_file is not None and sqlite_file.exists():
        row["archive_mb"] = mb(sqlite_file.stat().st_size)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated task counts (up to 1000000)")
    parser.add_argument("--budget", type=float, default=120, help="seconds a step may take before the size stops")
    parser.add_argument("--max-rss-gb", type=float, default=8, help="RSS a step may reach before the size stops")
    parser.add_argument("--runs", type=int, default=5, help="reruns of each page, for its median")
    parser.add_argument("--sessions", type=int, default=10, help="viewers open at once in the viewers step, for "
                        "the RSS each extra one adds (each opens the archive: the step's time grows with them)")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated steps to run, of {','.join(STEPS)} "
                        "(import always runs: each size starts from an empty archive, unless --keep-archive)")
    parser.add_argument("--keep-archive", action="store_true", help="measure the archive the last run left in "
                        "--workdir (give the one size it holds) instead of importing a fresh one")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/aivis-bench-scale"))
    for hidden in ("--step", "--url", "--export", "--result"):  # a step's own process
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        child_main(args.step, args.url, Path(args.export), args.count, args.runs, args.sessions, Path(args.result))
        return
    asked = {s.strip() for s in args.steps.split(",") if s.strip()}
    if asked - set(STEPS):
        parser.error(f"unknown steps: {', '.join(sorted(asked - set(STEPS)))} (steps: {', '.join(STEPS)})")
    args.steps = [s for s in STEPS if s in (asked if args.keep_archive else asked | {"import"})]
    if args.sessions < 2 and "viewers" in args.steps:
        parser.error("--sessions must be at least 2 (the viewers step measures what extra viewers add)")
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    if sizes[-1] > TARGET_SIZE:
        parser.error("sizes go up to 1000000")
    args.workdir.mkdir(parents=True, exist_ok=True)
    export = args.workdir / "export.jsonl"
    seconds = write_export(export, sizes[-1])
    written_peak = peak_rss_bytes()
    import pandas as pd
    import sqlalchemy as sa
    import streamlit
    print(f"Python {platform.python_version()}, pandas {pd.__version__}, SQLAlchemy {sa.__version__}, "
          f"Streamlit {streamlit.__version__}, {os.cpu_count()} CPUs; budget {args.budget:.0f} s a step, "
          f"memory limit {args.max_rss_gb:g} GB")
    print(f"Export of {sizes[-1]:,} synthetic tasks: {mb(export.stat().st_size):,.0f} MB"
          + (f", written in {seconds:.0f} s, peak RSS of this process {mb(written_peak):,.0f} MB"
             if seconds else " (reused)") + f". Steps: {', '.join(args.steps)}.")
    sqlite_file = args.workdir / "archive.sqlite"
    backends = [("SQLite", f"sqlite:///{sqlite_file}", sqlite_file)]
    if os.environ.get(POSTGRES_ENV):
        backends.append(("PostgreSQL", os.environ[POSTGRES_ENV], None))
    rows = []
    for backend, url, path in backends:
        for count in sizes:
            row = run_size(backend, url, path, export, count, args)
            rows.append(row)
            print_size(row)
            (args.workdir / "results.json").write_text(json.dumps(rows, indent=1))
            if row.get("stopped"):
                print(f"\nLarger {backend} sizes not run: {row['size']:,} tasks already stopped.")
                break
    print_growth(rows)  # the last archive stays in --workdir, for a later --keep-archive run


if __name__ == "__main__":
    main()
