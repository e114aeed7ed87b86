"""Overview page: our brand per engine, capture health, spend and what changed, re-derived from the raw demo
replies with the independent mention reference (tests/mention_reference.py), not with the app's code."""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import datetime

import pytest

from tests.mention_reference import alias_map, reference_mentions
from tests.page_values import demo_tasks, table_with
from tests.test_cli_brands import cited_hosts, demo_brands_file, message_text

OURS = "monday.com"
ENGINES = {"chat_gpt": "ChatGPT", "claude": "Claude", "gemini": "Gemini"}  # the page's order: by engine name
TWO_LEVEL = ("co.uk", "com.de", "co.jp")


def _domain(host: str) -> str:
    labels = host.split(".")
    keep = 3 if ".".join(labels[-2:]) in TWO_LEVEL else 2
    return ".".join(labels[-keep:])


def _citation_hosts(task: dict) -> list[str]:
    """The host of every citation of an answer (a Gemini redirect counts as its title), repeats kept."""
    return [host for note in _notes(task) for host in cited_hosts({"result": [{"items": [
        {"type": "message", "sections": [{"annotations": [note]}]}]}]})]


def _notes(task: dict) -> list[dict]:
    return [note for item in task["result"][0]["items"] or [] if item.get("type") == "message"
            for section in item.get("sections") or [] for note in section.get("annotations") or []]


def _answers() -> list[dict]:
    """Per completed demo answer: engine, prompt, month, brands named (with counts), cited domains."""
    spec = demo_brands_file()
    aliases = alias_map(spec)
    owned = {e["name"]: e.get("domains", []) for k in ("brands", "competitors") for e in spec.get(k, [])}
    rows = []
    for task in demo_tasks():
        result = task["result"][0]
        found = Counter(name for _, name in reference_mentions(message_text(task), aliases))
        hosts = cited_hosts(task)
        cited = {name for name, domains in owned.items()
                 if any(h == d or h.endswith("." + d) for h in hosts for d in domains)}
        when = datetime.strptime(result["datetime"], "%Y-%m-%d %H:%M:%S %z")
        rows.append({"engine": task["data"]["se"], "prompt": task["data"]["user_prompt"], "month": when.strftime("%Y-%m"),
                     "named": found, "cited": cited, "domains": Counter(_domain(h) for h in _citation_hosts(task))})
    return rows


def _pct(value: float) -> str:
    return f"{value:.0%}"


@pytest.fixture
def overview(app, demo_env):
    return app(page="pages/overview.py")


def test_our_brand_per_engine_matches_the_raw_replies(overview):
    answers = _answers()
    metrics = [(m.label, m.value) for m in overview.metric]
    shown = [metrics[i:i + 3] for i in range(0, 3 * len(ENGINES), 3)]
    expected = []
    for engine in ENGINES:
        own = [a for a in answers if a["engine"] == engine]
        named = sum(OURS in a["named"] for a in own)
        visible = sum(OURS in a["named"] or OURS in a["cited"] for a in own)
        mentions = sum(a["named"][OURS] for a in own)
        every = sum(sum(a["named"].values()) for a in own)
        expected.append([("Mention rate", _pct(named / len(own))), ("Visibility", _pct(visible / len(own))),
                         ("Share of voice", _pct(mentions / every))])
    assert shown == expected
    headers = [m.value for m in overview.markdown if m.value.startswith("**") and "answers" in m.value]
    assert headers == [f"**{label}** · {OURS} · {sum(a['engine'] == e for a in answers)} answers"
                       for e, label in ENGINES.items()]


def test_capture_health_and_spend(overview):
    codes = Counter(t["status_code"] for t in demo_tasks(completed=False))
    metrics = {m.label: m.value for m in overview.metric}
    assert metrics["Pending"] == str(codes[20100] + codes[40601] + codes[40602])
    assert metrics["Not found"] == str(codes[40401])
    assert metrics["Expired"] == str(codes[40403])
    assert metrics["Failed"] == str(codes[40101])
    assert any(label.startswith("Spend") for label in metrics)


def _pooled_p(a, na, b, nb) -> float:
    pooled = (a + b) / (na + nb)
    if pooled in (0, 1):
        return 1.0
    z = (a / na - b / nb) / math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    return math.erfc(abs(z) / math.sqrt(2))


def test_what_changed_matches_the_raw_replies(overview):
    answers = _answers()
    months = sorted({a["month"] for a in answers})  # the demo spans months: the last two holding answers
    before, after = months[-2], months[-1]
    line = next(m.value for m in overview.markdown if "against" in m.value)
    assert line.startswith(f"**{after}-01 to ") and f"against **{before}-01 to " in line

    rates = table_with(overview, "verdict")
    want = {}
    for engine in ENGINES:
        for name in [e["name"] for k in ("brands", "competitors") for e in demo_brands_file()[k]]:
            sides = [[a for a in answers if a["engine"] == engine and a["month"] == m] for m in (before, after)]
            (nb, na), (b, a) = [len(s) for s in sides], [sum(name in x["named"] for x in s) for s in sides]
            p = _pooled_p(a, na, b, nb)
            verdict = "within noise" if p >= 0.05 else ("up" if a / na > b / nb else "down")
            want[(ENGINES[engine], name)] = (nb, b, na, a, verdict)
    got = {(r.engine, r.name): (r.answers_before, r.mentioned_before, r.answers_after, r.mentioned_after, r.verdict)
           for r in rates.itertuples()}
    assert got == want
    moved = sum(v[-1] != "within noise" for v in want.values())
    assert ("no mention rate moved beyond noise" in line) == (moved == 0)

    cited = [defaultdict(int), defaultdict(int)]
    for side, month in enumerate((before, after)):
        for a in answers:
            if a["month"] == month:
                for domain, n in a["domains"].items():
                    cited[side][domain] += n
    domains = table_with(overview, "change")
    domains = domains[domains["change"].isin(["appeared", "disappeared"])]
    assert {(r.domain, r.change, r.citations_before, r.citations_after) for r in domains.itertuples()} == \
        {(d, "appeared", 0, cited[1][d]) for d in set(cited[1]) - set(cited[0])} | \
        {(d, "disappeared", cited[0][d], 0) for d in set(cited[0]) - set(cited[1])}

    prompts = next(df.value for df in overview.dataframe if "named_before" in df.value.columns)
    want_prompts = set()
    for prompt in {a["prompt"] for a in answers}:
        sides = [[a for a in answers if a["prompt"] == prompt and a["month"] == m] for m in (before, after)]
        if all(sides):
            named = [sum(OURS in a["named"] for a in s) for s in sides]
            if (named[0] == 0) != (named[1] == 0):
                want_prompts.add((prompt, "gained" if named[1] else "lost"))
    assert {(r.prompt, r.change) for r in prompts.itertuples()} == want_prompts and want_prompts
