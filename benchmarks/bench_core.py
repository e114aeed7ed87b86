"""Benchmark the core: concurrent fetching against the fake API, reply parsing, build_tables.

Run by hand from the repo root::

    .venv/bin/python benchmarks/bench_core.py [--ids 200] [--latency 0.3] [--tasks 10000]

1. Fetch: the fake DataForSEO server (tests/fake_dataforseo.py, real HTTP on 127.0.0.1) answers
   every request after ``--latency`` seconds; ``--ids`` completed tasks (clones of the reply
   samples) are fetched with ``Client.fetch_tasks`` one by one (max_workers=1), with the Client's
   default workers and with max_workers=30, under the default requests-per-minute cap (2,000, the
   help center's figure) and under 10,000 (the newer default). Reported: wall time, ids/s, the
   server's peak simultaneous requests and the speed-up over one by one.
2. Tables: ``--tasks`` synthetic completed replies (the samples cloned with new ids, prompts,
   dates and cited sites drawn with skewed weights from a pool of domains, some with multi-part
   suffixes), parsed from JSON bytes with ``sansio.parse_task_get`` and turned into tables with
   ``tables.build_tables``: median of 3 runs each (domain caches cleared before each build, so
   every run is cold), peak traced memory of one extra build (tracemalloc), and the row counts.

Prints markdown tables. Deterministic data (seeded); timings vary by machine.
"""
from __future__ import annotations

import argparse
import copy
import json
import platform
import random
import statistics
import sys
import time
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core import domains, model, sansio, tables  # noqa: E402
from core.client import Client  # noqa: E402
from core.config import DEFAULT_REQUESTS_PER_MINUTE, Credentials  # noqa: E402
from tests.fake_dataforseo import FakeDataForSEO, envelope  # noqa: E402

SAMPLES = ROOT / "tests" / "samples"
TEMPLATES = [("gemini_direct_url", "gemini"), ("gemini_documented_example", "gemini"),
             ("chat_gpt_web_search", "chat_gpt"), ("chat_gpt_no_search", "chat_gpt"),
             ("claude_reasoning", "claude")]
SITES = ["g2.com", "capterra.com", "asana.com", "monday.com", "clickup.com", "atlassian.com", "notion.com",
         "wrike.com", "trello.com", "techradar.com", "forbes.com", "zapier.com", "pcmag.com", "reddit.com",
         "youtube.com", "wikipedia.org", "bbc.co.uk", "theguardian.com", "gartner.com", "linear.app",
         "grandviewresearch.com", "statista.com", "softwareadvice.com", "getapp.com", "trustradius.com",
         "example.com.au", "smh.com.au", "heise.de", "lemonde.fr", "nikkei.co.jp", "gov.uk", "zoho.com"]
SUBDOMAINS = ["", "www.", "www.", "blog.", "help.", "news.", "docs."]
TOPICS = ["project management software", "task tracking", "kanban boards", "resource planning",
          "team collaboration", "time tracking", "gantt charts", "client portals", "OKR tools", "CRM add-ons"]
AUDIENCES = ["marketing agencies", "software teams", "remote teams", "startups", "enterprises", "nonprofits"]


def load_templates() -> list[tuple[str, dict]]:
    out = []
    for name, engine in TEMPLATES:
        task = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))["tasks"][0]
        out.append((engine, task))
    return out


def site_pool(rng: random.Random, size: int = 600) -> tuple[list[str], list[float]]:
    """Known sites plus invented ones, with Zipf-like weights (a few sites get most citations)."""
    invented = [f"{rng.choice(['best', 'top', 'my', 'the', 'pro', 'get'])}{rng.choice(TOPICS).split()[0]}"
                f"{i}.{rng.choice(['com', 'io', 'net', 'co.uk', 'com.au', 'org', 'de'])}" for i in range(size)]
    pool = SITES + invented
    return pool, [1 / (rank + 1) ** 1.1 for rank in range(len(pool))]


def synthetic_task(rng: random.Random, engine: str, template: dict, sites, weights) -> dict:
    task = copy.deepcopy(template)
    task_id = str(uuid.UUID(int=rng.getrandbits(128)))
    task["id"] = task_id
    task["path"] = task["path"][:-1] + [task_id]
    task["data"]["user_prompt"] = f"What is the best {rng.choice(TOPICS)} for {rng.choice(AUDIENCES)}?"
    result = task["result"][0]
    result["datetime"] = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:" \
                         f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} +00:00"
    if result.get("fan_out_queries"):
        result["fan_out_queries"] = [f"{rng.choice(TOPICS)} {rng.choice(AUDIENCES)} {rng.randint(2024, 2026)}"
                                     for _ in range(rng.randint(1, 6))]
    for item in result["items"]:
        for section in item["sections"] if item["type"] == "message" else []:
            for note in section.get("annotations") or []:
                site = rng.choices(sites, weights)[0]
                page = f"https://{rng.choice(SUBDOMAINS)}{site}/{rng.choice(TOPICS).replace(' ', '-')}"
                if engine == "gemini":
                    note["url"] = ("https://vertexaisearch.cloud.google.com/grounding-api-redirect/"
                                   + uuid.UUID(int=rng.getrandbits(128)).hex)
                    note["title"] = site
                    if rng.random() < 0.8:
                        note["direct_url"] = page
                    else:
                        note.pop("direct_url", None)
                else:
                    note["url"] = page + "?utm_source=chatgpt.com"
                    note["title"] = f"{rng.choice(TOPICS).title()} | {site}"
    return task


def median_time(fn, runs: int = 3, before=None) -> tuple[float, object]:
    times, value = [], None
    for _ in range(runs):
        if before:
            before()
        started = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


def clear_domain_caches() -> None:
    domains._clean_host.cache_clear()
    domains._host_from_title.cache_clear()
    domains.registrable_domain.cache_clear()


# -- 1. fetch --------------------------------------------------------------------------------

def bench_fetch(n_ids: int, latency: float, templates) -> list[dict]:
    rng = random.Random(7)
    sites, weights = site_pool(rng)
    rows = []
    with FakeDataForSEO() as api:
        ids = []
        for i in range(n_ids):
            engine, template = templates[i % 2]  # the two gemini samples: one engine for the batch
            task = synthetic_task(rng, engine, template, sites, weights)
            api.add_task("gemini", task)
            ids.append(task["id"])
        api.latency = latency
        credentials = Credentials(api.login, api.password)
        default_workers = Client(credentials, api.base_url).max_workers
        plans = [("one by one", 1, DEFAULT_REQUESTS_PER_MINUTE),
                 (f"default workers ({default_workers})", None, DEFAULT_REQUESTS_PER_MINUTE),
                 ("max_workers=30", 30, DEFAULT_REQUESTS_PER_MINUTE),
                 (f"default workers ({default_workers})", None, 10_000),
                 ("max_workers=30", 30, 10_000)]
        for label, workers, rpm in plans:
            api.reset_log()
            options = {"requests_per_minute": rpm}
            if workers:
                options["max_workers"] = workers
            with Client(credentials, api.base_url, **options) as client:
                started = time.perf_counter()
                batch = client.fetch_tasks(ids, "gemini")
                seconds = time.perf_counter() - started
            assert batch.error is None and batch.counts() == {model.COMPLETED: n_ids}, batch.counts()
            rows.append({"label": label, "rpm": rpm, "seconds": seconds, "in_flight": api.max_in_flight,
                         "requests": api.count()})
    base = rows[0]["seconds"]
    for row in rows:
        row["speedup"] = base / row["seconds"]
    return rows


# -- 2. parse and tables ---------------------------------------------------------------------

def bench_tables(n_tasks: int, templates) -> dict:
    rng = random.Random(11)
    sites, weights = site_pool(rng)
    replies = []
    for i in range(n_tasks):
        engine, template = templates[rng.randrange(len(templates))]
        task = synthetic_task(rng, engine, template, sites, weights)
        replies.append((engine, task["id"], json.dumps(envelope([task])).encode()))
    megabytes = sum(len(body) for _, _, body in replies) / 1e6

    def parse_all():
        return [sansio.parse_task_get(200, body, engine, task_id) for engine, task_id, body in replies]

    parse_seconds, outcomes = median_time(parse_all)
    assert all(o.completed for o in outcomes)
    build_seconds, built = median_time(lambda: tables.build_tables(outcomes), before=clear_domain_caches)
    warm_seconds, _ = median_time(lambda: tables.build_tables(outcomes))
    clear_domain_caches()
    tracemalloc.start()
    tables.build_tables(outcomes)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"tasks": n_tasks, "megabytes": megabytes, "parse": parse_seconds, "build": build_seconds,
            "warm": warm_seconds, "peak_mb": peak / 1e6,
            "rows": {name: len(getattr(built, name)) for name in tables.COLUMNS},
            "domains": built.citations["domain"].nunique()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--tasks", type=int, default=10_000)
    args = parser.parse_args()
    templates = load_templates()
    import pandas as pd
    print(f"Python {platform.python_version()}, pandas {pd.__version__}, {platform.machine()}, "
          f"fake API latency {args.latency * 1000:.0f} ms\n")

    fetch = bench_fetch(args.ids, args.latency, templates)
    print(f"### Fetch {args.ids} ids (fake API, {args.latency * 1000:.0f} ms a request)\n")
    print("| run | rpm cap | wall s | ids/s | peak simultaneous | requests | speed-up vs one by one |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in fetch:
        print(f"| {row['label']} | {row['rpm']:,} | {row['seconds']:.2f} | {args.ids / row['seconds']:.1f} | "
              f"{row['in_flight']} | {row['requests']} | {row['speedup']:.1f}x |")

    result = bench_tables(args.tasks, templates)
    print(f"\n### {result['tasks']:,} synthetic replies ({result['megabytes']:.1f} MB of JSON)\n")
    print("| step | median of 3, s | per task, ms |")
    print("|---|---:|---:|")
    for label, key in [("parse JSON: sansio.parse_task_get", "parse"),
                       ("build_tables (cold domain caches)", "build"),
                       ("build_tables (warm domain caches)", "warm")]:
        print(f"| {label} | {result[key]:.2f} | {result[key] / result['tasks'] * 1000:.3f} |")
    print(f"\nbuild_tables peak traced memory (tracemalloc): {result['peak_mb']:.0f} MB\n")
    print("| table | rows |")
    print("|---|---:|")
    for name, count in result["rows"].items():
        print(f"| {name} | {count:,} |")
    print(f"| distinct cited domains | {result['domains']:,} |")


if __name__ == "__main__":
    main()
