"""Benchmark each page's rerun on an archive: the time a viewer waits after a click that changes nothing.

Run by hand from the repo root (not in CI), on an archive that already holds tasks (``bench_scale.py``
makes them; use a copy, the app may migrate its facts)::

    .venv/bin/python benchmarks/bench_reruns.py sqlite:////tmp/archive.sqlite [--runs 5] [--profile usage]

One viewer (``scale_steps.viewer``: ``app.py?source=archive`` with the demo's brands, dummy
credentials, an API address where nothing listens) opens Load tasks, then every page: its first
draw and the median of ``--runs`` reruns. ``--profile NAME`` (a page's figure name, repeatable)
then reruns that page under cProfile and prints where the time goes.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from scale_steps import PAGES, brand_params, page_times, viewer  # noqa: E402

NOWHERE = "http://127.0.0.1:9"  # the API address: nothing listens, nothing leaves the machine


def profile(at, script: str, runs: int, lines: int) -> None:
    """``runs`` reruns of ``script`` with the script's own thread (where AppTest runs it) under cProfile."""
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
    at.switch_page(script)
    at.run()
    profiler, run_script = cProfile.Profile(), ScriptRunner._run_script
    ScriptRunner._run_script = lambda runner, rerun_data: profiler.runcall(run_script, runner, rerun_data)
    try:
        for _ in range(runs):
            at.run()
    finally:
        ScriptRunner._run_script = run_script
    print(f"\n## {script}: {runs} reruns under cProfile")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the archive's SQLAlchemy URL (AIVIS_ARCHIVE_URL)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="append", default=[], choices=[name for name, _, _ in PAGES])
    parser.add_argument("--lines", type=int, default=40, help="profile lines printed per page")
    args = parser.parse_args()
    os.environ.update(AIVIS_ARCHIVE_URL=args.url, DATAFORSEO_LOGIN="bench", DATAFORSEO_PASSWORD="bench",
                      DATAFORSEO_BASE_URL=NOWHERE)
    os.environ.pop("AIVIS_DEMO_ONLY", None)
    at = viewer(brand_params())
    print("| page | first draw (ms) | median rerun (ms) |\n|---|---|---|")
    for name, first, reruns, failure in page_times(at, args.runs):
        if failure:
            print(f"| {name} | failed: {failure} | |")
        else:
            print(f"| {name} | {first * 1000:.0f} | {statistics.median(reruns) * 1000:.0f} |", flush=True)
    scripts = {name: script for name, script, _ in PAGES}
    for name in args.profile:
        profile(at, scripts[name], args.runs, args.lines)


if __name__ == "__main__":
    main()
