"""Benchmark the brand matcher: 20 brands x 5 aliases over 10,000 answers.

Run by hand from the repo root::

    .venv/bin/python benchmarks/bench_mentions.py [--answers 10000] [--runs 5]

The answers are the demo's completed answers, repeated and varied (each copy has the brands of a
shuffled tracked list written into it, in prose, bold, list items, link text and a CJK sentence),
so every brand and alias form is met. Timed: ``mentions_table`` (one compiled pattern for the
brand set, the matching, counts, offsets, ranks), ``add_snippets`` for every first mention (the
page computes them only for the brand a person reads) and ``brand_presence`` on top.
Reported: the median of ``--runs`` runs, peak traced memory of one extra run (tracemalloc) and
the row counts. Deterministic data (seeded); timings vary by machine.
"""
from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from core.brands import Brand, BrandSet  # noqa: E402
from core.demo import demo_outcomes  # noqa: E402
from core.mentions import add_snippets, brand_presence, mentions_table  # noqa: E402
from core.tables import build_tables  # noqa: E402

NAMES = ["Asana", "Monday", "ClickUp", "Trello", "Notion", "Wrike", "Jira", "Linear", "Basecamp", "Smartsheet",
         "Airtable", "Teamwork", "Zoho Projects", "Hive", "Nifty", "Todoist", "Miro", "Confluence", "Height", "Plane"]


def brand_set() -> BrandSet:
    brands = []
    for name in NAMES:
        slug = name.lower().replace(" ", "")
        aliases = (f"{slug}.com", f"{name} App", f"{name} Cloud", f"the {name} suite")
        brands.append(Brand(name, aliases, (f"{slug}.com",)))
    return BrandSet(tuple(brands[:1]), tuple(brands[1:]))


def answers(count: int, seed: int = 13) -> tuple[pd.DataFrame, pd.DataFrame]:
    tables = build_tables(list(demo_outcomes().values()))
    base = tables.answers.reset_index(drop=True)
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        row = base.iloc[i % len(base)].to_dict()
        picks = rng.sample(NAMES, 4)
        extra = (f"\n\n**{picks[0]}** and [{picks[1]} Cloud](https://{picks[1].lower().replace(' ', '')}.com/x) "
                 f"beat {picks[2]}'s plan.\n- {picks[3]} App\n")
        if i % 10 == 0:  # a CJK sentence in one answer of ten
            extra += f"\n我们推荐{picks[0]}和{picks[2]}。"
        row.update(task_id=f"t{i}", text=row["text"] + extra if i % 2 else extra + row["text"])
        rows.append(row)
    frame = pd.DataFrame(rows)
    citations = tables.citations.iloc[0:0]
    return frame, citations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    brands, (frame, citations) = brand_set(), answers(args.answers)
    chars = int(frame["text"].str.len().sum())
    timings, snippet_timings, presence_timings = [], [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        table = mentions_table(frame, brands, snippets=False)  # what the Brand page computes
        timings.append(time.perf_counter() - started)
        started = time.perf_counter()
        add_snippets(table, frame)  # every snippet at once: what the CLI's mentions CSV computes
        snippet_timings.append(time.perf_counter() - started)
        started = time.perf_counter()
        presence = brand_presence(frame, citations, brands, table)
        presence_timings.append(time.perf_counter() - started)
    tracemalloc.start()
    mentions_table(frame, brands, snippets=False)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"Python {platform.python_version()} on {platform.machine()}; {len(brands.all)} brands x "
          f"{len(brands.all[0].aliases)} aliases; {len(frame):,} answers, {chars / 1e6:.1f} M characters\n")
    print("| step | median of runs | runs | rows |\n|---|---|---|---|")
    print(f"| mentions_table (the scan: counts, offsets, ranks) | {statistics.median(timings):.3f} s | {args.runs} | "
          f"{len(table):,} |")
    print(f"| add_snippets (every first mention's sentence) | {statistics.median(snippet_timings):.3f} s | "
          f"{args.runs} | {len(table):,} |")
    print(f"| brand_presence (on the mentions) | {statistics.median(presence_timings):.3f} s | {args.runs} | "
          f"{len(presence):,} |")
    print(f"\npeak traced memory of mentions_table: {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
