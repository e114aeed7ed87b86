"""Benchmark ``core.themes.find_themes`` on synthetic fan-out data.

Run by hand from the repo root::

    .venv/bin/python benchmarks/bench_themes.py [--sizes 1000 10000 100000]

The data is generated deterministically: query templates grouped into 12
topics (pricing, integrations, reviews, ...; a few German and Japanese ones)
x 30 brands x modifiers, drawn with skewed (Zipf-like) weights so popular
combinations repeat, with random case/punctuation noise; about 8% of the
queries just restate the prompt. For 1k, 10k and 100k query rows it reports:

* wall time, median and minimum of 3 runs (on a shared machine the minimum
  is the better estimate of the cost),
* process CPU time, median (it hardly moves with other load; the clustering
  step runs single-threaded),
* peak traced memory of one extra run (tracemalloc; numpy and scipy buffers
  are traced),
* distinct normalized queries, themes found, share of rows flagged
  ``repeats_prompt``, and the adjusted Rand index between themes and the
  generating topic (1.0 = themes are exactly the 12 topics; finer, brand- or
  audience-driven splits lower it),

as a markdown table. ``--show-themes`` also prints the themes of the largest
size.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from core.themes import find_themes  # noqa: E402

BRANDS = [
    "Asana", "Trello", "Monday.com", "ClickUp", "Jira", "Notion", "Basecamp",
    "Wrike", "Smartsheet", "Airtable", "Teamwork", "Linear", "Height",
    "Todoist", "Zoho Projects", "Microsoft Planner", "Hive", "Nifty",
    "Podio", "Redbooth", "MeisterTask", "Workfront", "Celoxis", "ProofHub",
    "Paymo", "Scoro", "Toggl Plan", "GanttPRO", "TeamGantt", "Plane",
]
APPS = ["Slack", "Google Drive", "Google Calendar", "Microsoft Teams", "Outlook",
        "GitHub", "Zoom", "Salesforce", "HubSpot", "Dropbox"]
AUDIENCES = ["small teams", "startups", "agencies", "enterprises", "freelancers",
             "remote teams", "marketing teams", "software teams", "nonprofits", "students"]
CATEGORIES = ["project management software", "project management tools",
              "task management apps", "work management platforms", "kanban tools"]
FEATURES = ["gantt charts", "time tracking", "kanban boards", "automations",
            "resource management", "reporting dashboards", "mobile app", "offline mode"]
YEARS = ["2025", "2026"]
AUDIENCES_DE = ["kleine teams", "agenturen", "startups", "unternehmen"]

TOPICS: dict[str, list[str]] = {
    "pricing": [
        "{brand} pricing", "how much does {brand} cost", "{brand} price per user {year}",
        "{brand} free plan limits", "is {brand} worth the price", "{brand} pricing plans compared",
        "cheapest {category} pricing", "{category} pricing {year}", "{brand} discount annual plan",
        "{brand} enterprise pricing", "{brand} cost for {audience}",
    ],
    "integrations": [
        "{brand} {app} integration", "does {brand} integrate with {app}",
        "{brand} {app} integration setup", "{category} that integrates with {app}",
        "{brand} api integrations", "connect {brand} to {app}", "{brand} zapier integrations",
    ],
    "reviews": [
        "{brand} reviews {year}", "{brand} complaints reddit", "{brand} user reviews g2",
        "{brand} customer support complaints", "{brand} reviews from {audience}",
        "{brand} negative reviews", "{brand} pros and cons reviews",
    ],
    "alternatives": [
        "{brand} vs {brand2}", "{brand} alternatives {year}", "best alternatives to {brand} for {audience}",
        "{brand} vs {brand2} for {audience}", "{brand} vs {brand2} comparison {year}",
        "free alternatives to {brand}",
    ],
    "features": [
        "{brand} {feature}", "does {brand} have {feature}", "{brand} {feature} feature",
        "{category} with {feature}", "best {category} with {feature}",
    ],
    "security": [
        "{brand} gdpr compliance", "{brand} soc 2 certification", "{brand} data security",
        "{brand} sso saml security", "is {brand} hipaa compliant", "{brand} security compliance {year}",
    ],
    "best-of": [
        "best {category} {year}", "top {category} for {audience}", "best {category} for {audience} {year}",
        "{category} ranking {year}", "most popular {category} {year}", "top 10 {category}",
    ],
    "how-to": [
        "how to set up {brand} for {audience}", "{brand} tutorial for beginners",
        "{brand} templates for {audience}", "how to migrate from {brand} to {brand2}",
        "{brand} onboarding guide", "how to use {brand} {feature}",
    ],
    "pricing (de)": [
        "{brand} preise {year}", "{brand} kosten pro nutzer", "was kostet {brand}",
        "{brand} preise und kosten für {audience_de}",
    ],
    "reviews (de)": [
        "{brand} erfahrungen", "{brand} erfahrungen und bewertungen", "{brand} bewertung {year}",
        "beste projektmanagement software für {audience_de} erfahrungen",
    ],
    "pricing (ja)": [
        "{brand} 料金", "{brand} 料金プラン 比較", "{brand} 料金 無料プラン", "{brand} 価格 {year}",
    ],
    "reviews (ja)": [
        "{brand} 評判", "{brand} 口コミ 評判", "{brand} 評判 デメリット", "プロジェクト管理ツール おすすめ {year}",
    ],
}
TOPIC_WEIGHTS = {
    "pricing": 16, "integrations": 12, "reviews": 12, "alternatives": 12, "features": 10,
    "security": 6, "best-of": 14, "how-to": 8, "pricing (de)": 3, "reviews (de)": 3,
    "pricing (ja)": 2, "reviews (ja)": 2,
}
PROMPTS = [f"What are the best {c} for {a}?" for c in CATEGORIES for a in AUDIENCES[:8]]
ENGINES = {"chatgpt": ["gpt-4o", "gpt-5"], "perplexity": ["sonar", "sonar-pro"],
           "gemini": ["gemini-2.5-flash"], "copilot": ["gpt-4o"]}
DOMAINS = ["g2.com", "capterra.com", "reddit.com", "forbes.com", "pcmag.com",
           "zapier.com", "techradar.com", "trustradius.com", "youtube.com", None]


SUFFIXES = ["for {audience}", "{year}", "in germany", "in the uk", "in india", "usa", "in europe",
            "for 5 users", "for 10 users", "for 25 users", "for 50 users", "for 100 users",
            "{year} update", "for {audience} {year}"]

_CUM: dict[tuple[int, float], np.ndarray] = {}


def _zipf(rng: np.random.RandomState, items: list, a: float = 0.9):
    """Draw from items with Zipf-like weights (first items are the popular ones)."""
    key = (len(items), a)
    cum = _CUM.get(key)
    if cum is None:
        w = 1.0 / np.arange(1, len(items) + 1) ** a
        cum = _CUM[key] = np.cumsum(w / w.sum())
    return items[min(int(np.searchsorted(cum, rng.rand())), len(items) - 1)]


def _noise(rng: np.random.RandomState, q: str) -> str:
    r = rng.rand()
    if r < 0.15:
        q = q.capitalize() + "?"
    elif r < 0.2:
        q = q.title()
    elif r < 0.25:
        q = "  " + q.replace(" ", "  ") + " ."
    return q


def make_fan_out(n_rows: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic ``fan_out`` (plus a ``topic`` column) and ``citations`` frames."""
    rng = np.random.RandomState(seed)
    topics = list(TOPICS)
    tw = np.array([TOPIC_WEIGHTS[t] for t in topics], dtype=float)
    tw /= tw.sum()
    engines = list(ENGINES)
    rows, cites = [], []
    task = 0
    while len(rows) < n_rows:
        engine = engines[rng.randint(len(engines))]
        model = ENGINES[engine][rng.randint(len(ENGINES[engine]))]
        prompt = PROMPTS[rng.randint(len(PROMPTS))]
        tid = f"task-{task:06d}"
        for _ in range(rng.randint(3, 13)):
            if rng.rand() < 0.08:  # the engine just searches the prompt
                q = prompt.lower().rstrip("?") + (" 2026" if rng.rand() < 0.5 else "")
                topic = "best-of"
            else:
                topic = topics[rng.choice(len(topics), p=tw)]
                template = TOPICS[topic][rng.randint(len(TOPICS[topic]))]
                brand = _zipf(rng, BRANDS)
                brand2 = _zipf(rng, BRANDS)
                if brand2 == brand:
                    brand2 = BRANDS[(BRANDS.index(brand) + 1) % len(BRANDS)]
                if rng.rand() < 0.5:
                    template = template + " " + SUFFIXES[rng.randint(len(SUFFIXES))]
                q = template.format(
                    brand=brand, brand2=brand2, app=_zipf(rng, APPS), audience=_zipf(rng, AUDIENCES),
                    audience_de=_zipf(rng, AUDIENCES_DE), category=_zipf(rng, CATEGORIES),
                    feature=_zipf(rng, FEATURES), year=YEARS[rng.randint(2)],
                )
            rows.append((tid, engine, model, prompt, _noise(rng, q), topic))
        for _ in range(rng.randint(2, 8)):
            cites.append((tid, _zipf(rng, DOMAINS, 0.8)))
        task += 1
    fan_out = pd.DataFrame(rows[:n_rows], columns=["task_id", "engine", "model", "prompt", "query", "topic"])
    citations = pd.DataFrame(cites, columns=["task_id", "domain"])
    return fan_out, citations


def _ari(a, b) -> float:
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(a, b))


def bench(n_rows: int, runs: int) -> dict:
    fan_out, citations = make_fan_out(n_rows)
    times, cpu = [], []
    result = None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        result = find_themes(fan_out, citations)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    tracemalloc.start()
    find_themes(fan_out, citations)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    a = result.assignments
    return {
        "rows": n_rows,
        "unique": a["normalized"].nunique(),
        "runs": runs,
        "median_s": statistics.median(times),
        "min_s": min(times),
        "cpu_s": statistics.median(cpu),
        "repeats": float(a["repeats_prompt"].mean()),
        "peak_mib": peak / 2**20,
        "themes": len(result.themes),
        "ari": _ari(a["topic"], a["theme"]),
        "result": result,
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--show-themes", action="store_true", help="print the themes of the largest size")
    args = p.parse_args(argv)
    out = [bench(n, args.runs) for n in args.sizes]
    import sklearn

    print(f"Python {platform.python_version()}, scikit-learn {sklearn.__version__}, pandas {pd.__version__}, "
          f"{os.cpu_count()} CPUs, {platform.machine()}\n")
    print("| query rows | distinct queries | themes | median time (s) | min time (s) | median CPU (s) | runs "
          "| peak traced memory (MiB) | repeats prompt | ARI vs topic |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in out:
        print(f"| {r['rows']:,} | {r['unique']:,} | {r['themes']} | {r['median_s']:.2f} | {r['min_s']:.2f} "
              f"| {r['cpu_s']:.2f} | {r['runs']} | {r['peak_mib']:.0f} | {r['repeats']:.0%} | {r['ari']:.2f} |")
    if args.show_themes:
        print()
        with pd.option_context("display.width", 200, "display.max_colwidth", 60):
            print(out[-1]["result"].themes.drop(columns=["top_domains"]).to_string(index=False))


if __name__ == "__main__":
    main()
