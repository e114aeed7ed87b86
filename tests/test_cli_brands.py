"""``report --brands FILE``: the JSON ``brands`` list and the mentions / visibility CSVs (issue 13's
contract), with expected values derived from the raw replies and the independent reference rule."""
from __future__ import annotations

import csv
import io
import json
import math
from collections import defaultdict

import pytest

from core.cli import run
from core.demo import DEMO_FILE
from tests.mention_reference import alias_map, reference_mentions

PENDING = "11241742-1535-0613-0000-d3e8a1c6f905"
SAMPLES = ["gemini_direct_url", "chat_gpt_web_search", "chat_gpt_no_search", "claude_reasoning"]


def demo_brands_file() -> dict:
    """The demo's tracked brands, in the brands-file shape."""
    return json.loads(DEMO_FILE.read_text(encoding="utf-8"))["brands"]


@pytest.fixture
def brands_file(tmp_path):
    path = tmp_path / "brands.json"
    path.write_text(json.dumps(demo_brands_file()), encoding="utf-8")
    return path


def completed_demo() -> list[dict]:
    replies = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["replies"]
    return [r for r in replies if (r["reply"].get("tasks") or [{}])[0].get("status_code") == 20000
            and r["reply"]["tasks"][0].get("result")]


def message_text(task: dict) -> str:
    return "\n\n".join(s.get("text") or "" for item in task["result"][0]["items"] or []
                       if item.get("type") == "message" for s in item.get("sections") or [])


def cited_hosts(task: dict) -> set[str]:
    hosts = set()
    for item in task["result"][0]["items"] or []:
        for section in item.get("sections") or [] if item.get("type") == "message" else []:
            for note in section.get("annotations") or []:
                url = note.get("direct_url") or note.get("url") or ""
                host = url.split("://", 1)[-1].split("/", 1)[0].split(":")[0].lower().removeprefix("www.")
                hosts.add(note["title"] if host == "vertexaisearch.cloud.google.com" else host)
    return hosts


def cli(capsys, *args):
    status = run(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_report_json_brands(capsys, brands_file):
    status, out, err = cli(capsys, "report", "--demo", "--brands", str(brands_file))
    assert status == 0, err
    report = json.loads(out, parse_constant=lambda c: pytest.fail(f"not strict JSON: {c}"))
    spec = demo_brands_file()
    aliases = alias_map(spec)
    domains = {e["name"]: e.get("domains", []) for k in ("brands", "competitors") for e in spec.get(k, [])}
    want = {name: defaultdict(lambda: [0, 0, 0, 0]) for name in domains}
    ranks = defaultdict(list)
    for reply in completed_demo():
        task = reply["reply"]["tasks"][0]
        found = reference_mentions(message_text(task), aliases)
        order = list(dict.fromkeys(n for _, n in found))
        hosts = cited_hosts(task)
        for name, owned in domains.items():
            named = name in order
            cited = any(h == d or h.endswith("." + d) for h in hosts for d in owned)
            counts = want[name][reply["engine"]]
            for i, flag in enumerate((True, named, cited, named or cited)):
                counts[i] += flag
            if named:
                ranks[name].append(order.index(name) + 1)
    assert [b["name"] for b in report["brands"]] == list(domains)
    for brand in report["brands"]:
        name = brand["name"]
        by_engine = {e: dict(zip(("answers", "mentioned", "cited", "visible"), c)) for e, c in want[name].items()}
        assert brand["by_engine"] == by_engine
        totals = {k: sum(c[k] for c in by_engine.values()) for k in ("answers", "mentioned", "cited", "visible")}
        assert {k: brand[k] for k in totals} == totals and brand["answers"] == len(completed_demo())
        assert brand["role"] == ("brand" if any(e["name"] == name for e in spec.get("brands", [])) else "competitor")
        n, k, z = brand["answers"], brand["mentioned"], 1.959963984540054
        p = k / n
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        assert brand["mention_rate_ci"] == pytest.approx([(p + z * z / (2 * n) - half) / (1 + z * z / n),
                                                          (p + z * z / (2 * n) + half) / (1 + z * z / n)])
        assert brand["avg_rank"] == (pytest.approx(sum(ranks[name]) / len(ranks[name])) if ranks[name] else None)
    assert any(b["mentioned"] for b in report["brands"])


def test_report_mentions_csv(capsys, brands_file):
    status, out, err = cli(capsys, "report", "--demo", "--brands", str(brands_file), "--format", "csv",
                           "--table", "mentions")
    assert status == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["task_id", "engine", "name", "count", "first_offset", "rank", "snippet"]
    aliases = alias_map(demo_brands_file())
    want = {}
    for reply in completed_demo():
        found = reference_mentions(message_text(reply["reply"]["tasks"][0]), aliases)
        order = list(dict.fromkeys(n for _, n in found))
        for name in order:
            offsets = [o for o, n in found if n == name]
            want[(reply["task_id"], name)] = (reply["engine"], str(len(offsets)), str(offsets[0]),
                                              str(order.index(name) + 1))
    assert {(r["task_id"], r["name"]): (r["engine"], r["count"], r["first_offset"], r["rank"]) for r in rows} == want
    assert all(r["snippet"] and not r["snippet"].startswith(("=", "+", "-", "@")) for r in rows)


def test_report_visibility_csv(capsys, brands_file):
    status, out, err = cli(capsys, "report", "--demo", "--brands", str(brands_file), "--format", "csv",
                           "--table", "visibility")
    assert status == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["period", "engine", "name", "role", "answers", "mentioned", "cited", "visible"]
    names = [e["name"] for k in ("brands", "competitors") for e in demo_brands_file().get(k, [])]
    answers = defaultdict(int)
    for reply in completed_demo():
        answers[reply["engine"]] += 1
    for engine, n in answers.items():  # every brand of every engine: the periods add up to its answers
        for name in names:
            assert sum(int(r["answers"]) for r in rows if r["engine"] == engine and r["name"] == name) == n
    assert all(int(r["visible"]) <= int(r["answers"]) for r in rows)


@pytest.mark.parametrize("content, problem", [('{"brands": [', "not valid JSON"),
                                              ('{"brands": [{"name": "A", "domains": ["a b"]}]}', "not a domain")])
def test_malformed_brands_file_exits_2(capsys, tmp_path, content, problem):
    path = tmp_path / "bad.json"
    path.write_text(content)
    status, out, err = cli(capsys, "report", "--demo", "--brands", str(path))
    assert status == 2 and not out
    assert err.count("\n") == 1 and str(path) in err and problem in err


def test_brand_tables_need_a_brands_file(capsys):
    status, out, err = cli(capsys, "report", "--demo", "--format", "csv", "--table", "mentions")
    assert status == 2 and "--brands" in err and not out


def test_pending_tasks_are_not_in_the_denominator(capsys, api_env, sample, tmp_path):
    ids = []
    for name in SAMPLES:
        reply = sample(name)
        ids.append(reply["tasks"][0]["path"][-1])
        api_env.add_reply("gemini", ids[-1], reply)
    api_env.add_pending("gemini", PENDING)
    path = tmp_path / "brands.toml"
    path.write_text('[[brands]]\nname = "Asana"\ndomains = ["asana.com"]\n'
                    '[[competitors]]\nname = "Notion"\ndomains = ["www.notion.com"]\n')
    status, out, err = cli(capsys, "report", "--no-archive", "--engine", "gemini", "--brands", str(path),
                           *ids, PENDING)
    assert status == 0, err
    report = json.loads(out)
    assert report["counts"]["tasks"] == len(SAMPLES) + 1
    brands = {b["name"]: b for b in report["brands"]}
    assert brands["Asana"]["answers"] == brands["Notion"]["answers"] == len(SAMPLES)
    aliases = {"Asana": "Asana", "Notion": "Notion"}
    tasks = [sample(name)["tasks"][0] for name in SAMPLES]
    for brand in ("Asana", "Notion"):
        assert brands[brand]["mentioned"] == sum(
            any(n == brand for _, n in reference_mentions(message_text(t), aliases)) for t in tasks)
    assert brands["Notion"]["cited"] == sum("notion.com" in cited_hosts(t) for t in tasks) > 0
