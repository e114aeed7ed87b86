"""Benchmark page reruns with 10k tasks loaded: the time a person waits after each click.

Run by hand from the repo root::

    .venv/bin/python benchmarks/bench_pages.py [--tasks 10000] [--runs 5]

The demo source is swapped for ``--tasks`` synthetic completed tasks (bench_core's clones of
the reply samples), then each page runs in Streamlit's AppTest: the first run (load and
normalize, once a session) and the median of ``--runs`` reruns (what every widget click
costs). AppTest adds its own overhead, so the figures are an upper bound of a browser rerun.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bench_core import load_templates, site_pool, synthetic_task  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

import core.demo  # noqa: E402
from core.sansio import outcome_of  # noqa: E402
from ui.shell import PAGES  # noqa: E402


def synthetic_outcomes(count: int) -> dict:
    rng = random.Random(7)
    templates = [(e, t) for e, t in load_templates() if t["result"]]
    sites, weights = site_pool(rng)
    outcomes = {}
    for _ in range(count):
        engine, template = rng.choice(templates)
        task = synthetic_task(rng, engine, template, sites, weights)
        outcome = outcome_of(engine, task["id"], task)
        outcomes[outcome.task_id] = outcome
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    big = synthetic_outcomes(args.tasks)
    core.demo.demo_outcomes = lambda: big  # the app's demo source now serves the synthetic tasks
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    started = time.perf_counter()
    at.run()
    first = time.perf_counter() - started
    print(f"{args.tasks} tasks; first run of Load tasks (load + normalize + draw): {first:.2f} s\n")
    print("| page | first run after switching (s) | median rerun (ms) |\n|---|---|---|")
    for path, label, _ in PAGES:
        at.switch_page(path)
        started = time.perf_counter()
        at.run()
        switched = time.perf_counter() - started
        assert not at.exception, at.exception
        reruns = []
        for _ in range(args.runs):
            started = time.perf_counter()
            at.run()
            reruns.append(time.perf_counter() - started)
        print(f"| {label} | {switched:.2f} | {statistics.median(reruns) * 1000:.0f} |")


if __name__ == "__main__":
    main()
