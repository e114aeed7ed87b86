"""Benchmark the archive at a year's scale: import, open everything, report, one page, memory.

Run by hand from the repo root (never in CI: it writes hundreds of MB and runs for minutes)::

    .venv/bin/python benchmarks/bench_scale.py [--sizes 1000,10000,100000] [--budget 120]
        [--max-rss-gb 8] [--runs 5] [--workdir /tmp/aivis-bench-scale]

Sizes up to 1,000,000 may be asked for (``--sizes 300000,1000000``). One archive export (JSON
Lines, the shape ``archive export`` writes) of the largest size is generated once: the demo replies
(``core/data/demo_replies.json``, three engines) cloned by :func:`bench_core.synthetic_task`
with new ids, prompts, cited sites and fan-out queries, answer dates spread over the year before
2026-11-29. For each size, on a fresh SQLite archive (and a fresh PostgreSQL one when
``AIVIS_TEST_POSTGRES_URL`` is set; its aivis tables are dropped first), each step runs in its own
process, watched by this one:

1. import: ``Archive.import_jsonl`` of the file's first N lines: tasks/s, peak RSS;
2. open everything: ``Archive.query()`` then ``core.tables.build_tables``: seconds, RSS, peak;
3. report: ``python -m core report --format json`` with ``AIVIS_ARCHIVE_URL`` set: seconds, peak RSS;
4. page: Streamlit's AppTest with ``source=archive`` (dummy credentials, an API address where
   nothing listens: nothing leaves the machine): the Load tasks first run (the app opening the
   archive), the Cited domains first draw and its median rerun of ``--runs``; RSS after, peak.

A step that passes ``--budget`` seconds or ``--max-rss-gb`` of RSS is killed; the size stops there,
saying which step and why, and larger sizes are not run (they would only take longer). RSS is read
with psutil when installed, else from /proc; a step's peak RSS is its ``ru_maxrss`` (wait4).
Prints a markdown table per size and the growth of each figure from one size to the next, with a
power-law extrapolation to 1M from the last two sizes; the figures also go to ``results.json``.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bench_core import site_pool, synthetic_task  # noqa: E402

from core import model  # noqa: E402
from core.demo import DEMO_FILE  # noqa: E402

YEAR_END = datetime(2026, 11, 29, tzinfo=timezone.utc)
POSTGRES_ENV = "AIVIS_TEST_POSTGRES_URL"
NOWHERE = "http://127.0.0.1:9"  # the discard port: a request would fail at once, never leave the machine
STEPS = ("import", "open", "report", "page")
TARGET_SIZE = 1_000_000
POLL_SECONDS = 0.2


# -- memory -----------------------------------------------------------------------------------

def rss_bytes(pid: int | None = None) -> int:
    """The resident memory of a process (this one by default): psutil if installed, else /proc."""
    try:
        import psutil
        return psutil.Process(pid).memory_info().rss
    except ImportError:
        with open(f"/proc/{pid or 'self'}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    return 0


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes


def mb(n_bytes: float) -> float:
    return n_bytes / 2**20


# -- the synthetic export ------------------------------------------------------------------------

def demo_templates() -> list[tuple[str, dict]]:
    replies = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["replies"]
    return [(r["engine"], r["reply"]["tasks"][0]) for r in replies if r["reply"]["tasks"][0].get("result")]


def write_export(path: Path, count: int, seed: int = 16) -> float:
    """``count`` completed tasks as archive export lines; reused when already written. Returns seconds."""
    done = path.with_suffix(".count")
    if path.exists() and done.exists() and int(done.read_text()) >= count:
        return 0.0
    started = time.perf_counter()
    rng = random.Random(seed)
    templates = demo_templates()
    sites, weights = site_pool(rng)
    with path.open("w", encoding="utf-8") as out:
        for _ in range(count):
            engine, template = rng.choice(templates)
            task = synthetic_task(rng, engine, template, sites, weights)
            when = YEAR_END - timedelta(seconds=rng.randrange(365 * 86400))
            task["result"][0]["datetime"] = when.strftime("%Y-%m-%d %H:%M:%S +00:00")
            fetched = when + timedelta(minutes=rng.randint(1, 600))
            out.write(json.dumps({"engine": engine, "task_id": task["id"], "fetched_at": fetched.isoformat(),
                                  "status": model.COMPLETED, "status_code": 20000, "status_message": "Ok.",
                                  "task": task}, ensure_ascii=False) + "\n")
    done.write_text(str(count))
    return time.perf_counter() - started


# -- the steps, each in its own process ------------------------------------------------------------

def step_import(url: str, export: Path, count: int, runs: int, sessions: int) -> dict:
    from core.archive import Archive
    with export.open(encoding="utf-8") as lines, Archive(url) as store:
        started = time.perf_counter()
        changed = store.import_jsonl(islice(lines, count))
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": changed, "rate": count / seconds}


def step_open(url: str, export: Path, count: int, runs: int, sessions: int) -> dict:
    from core.archive import Archive
    from core.tables import build_tables
    with Archive(url) as store:
        started = time.perf_counter()
        outcomes = store.query()
        query_seconds = time.perf_counter() - started
        built = build_tables(outcomes)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "query": query_seconds, "build": seconds - query_seconds,
            "answers": len(built.answers), "citations": len(built.citations), "fan_out": len(built.fan_out)}


def step_page(url: str, export: Path, count: int, runs: int, sessions: int) -> dict:
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=24 * 3600)  # the watcher enforces the budget
    at.query_params["source"] = "archive"
    started = time.perf_counter()
    at.run()
    load_first = time.perf_counter() - started
    at.switch_page("pages/domains.py")
    started = time.perf_counter()
    at.run()
    first = time.perf_counter() - started
    reruns = []
    for _ in range(runs):
        started = time.perf_counter()
        at.run()
        reruns.append(time.perf_counter() - started)
    if at.exception:
        raise RuntimeError(f"the page failed: {at.exception}")
    captions = [c.value for c in at.caption if "Everything in the archive" in c.value]
    one_session = rss_bytes()
    others = []  # kept alive: sessions open at the same time, as viewers are
    for _ in range(sessions - 1):
        others.append(AppTest.from_file(str(ROOT / "app.py"), default_timeout=24 * 3600))
        others[-1].query_params["source"] = "archive"
        others[-1].run()
    return {"load_first": load_first, "first": first, "rerun": statistics.median(reruns),
            "caption": captions[0] if captions else "", "rss_one": one_session,
            "per_extra_session": (rss_bytes() - one_session) / (sessions - 1) if sessions > 1 else None}


IN_PROCESS = {"import": step_import, "open": step_open, "page": step_page}


def child_main(args: argparse.Namespace) -> None:
    result = IN_PROCESS[args.step](args.url, Path(args.export), args.count, args.runs, args.sessions)
    result.update(rss_after=rss_bytes(), peak_self=peak_rss_bytes())
    Path(args.result).write_text(json.dumps(result))


def watch(command: list[str], env: dict, budget: float, max_rss: int, stdout: Path) -> dict:
    """Run ``command``, killing it past ``budget`` seconds or ``max_rss`` bytes; seconds, peak RSS, why it stopped."""
    started = time.perf_counter()
    with stdout.open("wb") as out:
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.PIPE)
    stopped, worst = None, 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        elapsed = time.perf_counter() - started
        try:
            worst = max(worst, rss_bytes(proc.pid))
        except (OSError, ProcessLookupError):
            pass
        if stopped is None and elapsed > budget:
            stopped = f"passed the time budget ({budget:.0f} s) after {elapsed:.0f} s"
        elif stopped is None and worst > max_rss:
            stopped = f"passed the memory limit ({max_rss / 2**30:.1f} GB): RSS {worst / 2**30:.2f} GB at {elapsed:.0f} s"
        if stopped:
            proc.kill()
        time.sleep(POLL_SECONDS)
    proc.returncode = os.waitstatus_to_exitcode(status)
    errors = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    if not stopped and proc.returncode:
        stopped = f"failed (exit {proc.returncode}): {errors.strip().splitlines()[-1] if errors.strip() else ''}"
    return {"wall": time.perf_counter() - started, "peak": usage.ru_maxrss * 1024, "stopped": stopped}


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
    fresh_archive(url, sqlite_file)
    env = {**os.environ, "AIVIS_ARCHIVE_URL": url, "DATAFORSEO_LOGIN": "bench", "DATAFORSEO_PASSWORD": "bench",
           "DATAFORSEO_BASE_URL": NOWHERE, "PYTHONPATH": str(ROOT)}
    env.pop("AIVIS_DEMO_ONLY", None)
    max_rss, row = int(args.max_rss_gb * 2**30), {"backend": backend, "size": count, "steps": {}}
    for step in STEPS:
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
        if step == "report":
            figures = {"seconds": watched["wall"], "output_mb": mb(output.stat().st_size)}
        figures.update(peak=watched["peak"], stopped=watched["stopped"])
        row["steps"][step] = figures
        if watched["stopped"]:
            row["stopped"] = f"{step} {watched['stopped']}"
            break
    if sqlite_file is not None and sqlite_file.exists():
        row["archive_mb"] = mb(sqlite_file.stat().st_size)
    return row


# -- the report ----------------------------------------------------------------------------------------

FIGURES = [  # (step, key, label, format); seconds are wall clock in the step's own process
    ("import", "rate", "import: tasks/s", "{:,.0f}"),
    ("import", "seconds", "import: s", "{:.1f}"),
    ("import", "peak", "import: peak RSS MB", "mb"),
    ("open", "query", "open everything: Archive.query() s", "{:.1f}"),
    ("open", "build", "open everything: build_tables s", "{:.1f}"),
    ("open", "seconds", "open everything: total s", "{:.1f}"),
    ("open", "rss_after", "open everything: RSS after MB", "mb"),
    ("open", "peak", "open everything: peak RSS MB", "mb"),
    ("report", "seconds", "report --format json: s", "{:.1f}"),
    ("report", "peak", "report --format json: peak RSS MB", "mb"),
    ("page", "load_first", "page: Load tasks first run (opens the archive) s", "{:.1f}"),
    ("page", "first", "page: Cited domains first draw s", "{:.2f}"),
    ("page", "rerun", "page: Cited domains median rerun ms", "ms"),
    ("page", "rss_one", "page: RSS with one session MB", "mb"),
    ("page", "per_extra_session", "page: RSS added by each extra session MB", "mb"),
    ("page", "peak", "page: peak RSS MB", "mb"),
]


def shown(value: float | None, fmt: str) -> str:
    if value is None:
        return "—"
    if fmt == "mb":
        return f"{mb(value):,.0f}"
    if fmt == "ms":
        return f"{value * 1000:,.0f}"
    return fmt.format(value)


def figure(row: dict, step: str, key: str) -> float | None:
    value = row["steps"].get(step, {}).get(key)
    return None if row["steps"].get(step, {}).get("stopped") else value


def print_size(row: dict) -> None:
    print(f"\n### {row['backend']}, {row['size']:,} tasks\n")
    print("| figure | value |\n|---|---:|")
    for step, key, label, fmt in FIGURES:
        if step in row["steps"]:
            print(f"| {label} | {shown(figure(row, step, key), fmt)} |")
    if "archive_mb" in row:
        print(f"| SQLite file MB | {row['archive_mb']:,.0f} |")
    opened = row["steps"].get("open", {})
    if "citations" in opened:
        print(f"\nRows: {opened['answers']:,} answers, {opened['citations']:,} citations, "
              f"{opened['fan_out']:,} fan-out queries. The page said: {row['steps'].get('page', {}).get('caption', '—')}")
    if row.get("stopped"):
        print(f"\n**Stopped at {row['size']:,} tasks:** {row['stopped']}.")


def print_growth(rows: list[dict]) -> None:
    """Each figure per size, its growth from the size before, and a power-law guess at 1M."""
    for backend in dict.fromkeys(r["backend"] for r in rows):
        mine = [r for r in rows if r["backend"] == backend]
        if len(mine) < 2:
            continue
        heads = " | ".join(f"{r['size']:,}" + (" | growth" if i else "") for i, r in enumerate(mine))
        print(f"\n### {backend}: growth per step (x{mine[1]['size'] / mine[0]['size']:.0f} tasks a step)\n")
        print(f"| figure | {heads} | 1M, linear | 1M, power law |")
        print("|---|" + "---:|" * (2 * len(mine) - 1) + "---:|---:|")
        for step, key, label, fmt in FIGURES:
            values = [figure(r, step, key) for r in mine]
            cells = []
            for i, value in enumerate(values):
                cells.append(shown(value, fmt))
                if i:
                    before = values[i - 1]
                    cells.append(f"{value / before:.1f}x" if value and before else "—")
            linear, power = extrapolate(mine, values)
            if key == "rate":  # from the extrapolated seconds: a rate itself does not grow linearly
                seconds, _ = extrapolate(mine, [figure(r, "import", "seconds") for r in mine])
                linear = TARGET_SIZE / seconds if seconds else None
            print(f"| {label} | {' | '.join(cells)} | {shown(linear, fmt)} | {shown(power, fmt)} |")


def extrapolate(rows: list[dict], values: list[float | None]) -> tuple[float | None, float | None]:
    """value(1M) from the last two measured sizes: linear (the last step's cost per task, which
    discounts a fixed start-up cost) and as a power law (value grows as size**k: the last step's growth)."""
    known = [(r["size"], v) for r, v in zip(rows, values) if v]
    if known and known[-1][0] == TARGET_SIZE:
        return known[-1][1], known[-1][1]
    if len(known) < 2:
        return None, None
    (n0, v0), (n1, v1) = known[-2:]
    power = math.log(v1 / v0) / math.log(n1 / n0)
    return v1 + (v1 - v0) / (n1 - n0) * (TARGET_SIZE - n1), v1 * (TARGET_SIZE / n1) ** power


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated task counts (up to 1000000)")
    parser.add_argument("--budget", type=float, default=120, help="seconds a step may take before the size stops")
    parser.add_argument("--max-rss-gb", type=float, default=8, help="RSS a step may reach before the size stops")
    parser.add_argument("--runs", type=int, default=5, help="reruns of the page, for its median")
    parser.add_argument("--sessions", type=int, default=2, help="page sessions open at once, for the RSS each "
                        "extra one adds (each opens the archive: the page step's time grows with them)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/aivis-bench-scale"))
    for hidden in ("--step", "--url", "--export", "--result"):  # a step's own process
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        child_main(args)
        return
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    if sizes[-1] > TARGET_SIZE:
        parser.error("sizes go up to 1000000")
    args.workdir.mkdir(parents=True, exist_ok=True)
    export = args.workdir / "export.jsonl"
    seconds = write_export(export, sizes[-1])
    import pandas as pd
    import sqlalchemy as sa
    import streamlit
    print(f"Python {platform.python_version()}, pandas {pd.__version__}, SQLAlchemy {sa.__version__}, "
          f"Streamlit {streamlit.__version__}, {os.cpu_count()} CPUs; budget {args.budget:.0f} s a step, "
          f"memory limit {args.max_rss_gb:g} GB")
    print(f"Export of {sizes[-1]:,} synthetic tasks: {mb(export.stat().st_size):,.0f} MB"
          + (f", written in {seconds:.0f} s" if seconds else " (reused)"))
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
        fresh_archive(url, path)
    print_growth(rows)


if __name__ == "__main__":
    main()
