"""``python -m core`` in a subprocess, against the fake DataForSEO server.

Every run gets its own archive (``AIVIS_ARCHIVE_URL`` in the test's tmp_path) and HOME, so
nothing is written to the user's home; a later run in the same test may be answered from
that archive, so these tests check what is printed, not how many requests were made.
"""
from __future__ import annotations

import csv
import io
import json
import os
import pathlib
import re
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict
from urllib.parse import urlsplit

import pytest

from core.config import DEFAULT_TASK_PRICES
from tests.page_values import is_answer

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEMO_FILE = ROOT / "core" / "data" / "demo_replies.json"
# Every completed sample, served under one engine (the fake routes by engine and id only) so one
# `--engine gemini` run covers them all; the documented example under its path id, which is hex.
COMPLETED = ["gemini_direct_url", "gemini_documented_example", "chat_gpt_web_search", "chat_gpt_no_search",
             "claude_reasoning", "hostile"]
PENDING, EXPIRED, UNKNOWN = ("11241742-1535-0613-0000-d3e8a1c6f905", "10120915-1535-0613-0000-c7a4e2f9b307",
                             "11241743-1535-0613-0000-5f2b8d4e1a06")
MALFORMED = "02249714-1807-0791-0000-0423e705a8r"  # a group one character short
SECRET = "cli-s3cret-Pw!-never-shown"


def run_cli(args, env, timeout=60):
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def cli_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATAFORSEO_", "AIVIS_", "XDG_"))}
    env.update(HOME=str(tmp_path), AIVIS_ARCHIVE_URL=f"sqlite:///{tmp_path}/archive.sqlite",
               PYTHONDONTWRITEBYTECODE="1")
    return env


@pytest.fixture
def served(fake_api, sample, cli_env):
    """The fake holding the samples; returns (env, ids in order, {id: sample task})."""
    tasks = {}
    for name in COMPLETED:
        reply = sample(name)
        task = reply["tasks"][0]
        task_id = task["id"]
        fake_api.add_reply("gemini", task_id, reply)
        tasks[task_id] = task
    fake_api.add_pending("gemini", PENDING)
    fake_api.add_expired("gemini", EXPIRED)
    env = {**cli_env, "DATAFORSEO_LOGIN": fake_api.login, "DATAFORSEO_PASSWORD": fake_api.password,
           "DATAFORSEO_BASE_URL": fake_api.base_url}
    return env, [*tasks, PENDING, EXPIRED, UNKNOWN], tasks


def expected_domains(tasks):
    """{domain: (citations, answers)} computed straight from the sample JSON, by the documented rule:
    direct_url, else the title of a Vertex redirect, else the url's host; http(s) only; no www.;
    the registrable domain is the last two labels (true of every host in the samples)."""
    citations, answers = Counter(), defaultdict(set)
    for task_id, task in tasks.items():
        for item in task["result"][0]["items"]:
            for section in item["sections"] if item["type"] == "message" else []:
                for note in section.get("annotations") or []:
                    url = note.get("direct_url") or note["url"]
                    parts = urlsplit(url.strip())
                    if parts.scheme.lower() not in ("http", "https"):
                        continue
                    host = parts.hostname
                    if host == "vertexaisearch.cloud.google.com":
                        host = note["title"]
                    domain = ".".join(host.removeprefix("www.").split(".")[-2:])
                    citations[domain] += 1
                    answers[domain].add(task_id)
    return {domain: (n, len(answers[domain])) for domain, n in citations.items()}


def expected_usage(tasks):
    results = [task["result"][0] for task in tasks.values()]
    usage = {key: sum(r[key] for r in results) for key in ("input_tokens", "output_tokens", "reasoning_tokens")}
    usage["money_spent"] = sum(r["money_spent"] for r in results)
    # task_get replies mostly report cost 0: then the task price is the default Standard estimate
    price = DEFAULT_TASK_PRICES["standard"]
    reported = [t for t in tasks.values() if t["cost"] > 0]
    unreported = [t for t in tasks.values() if not t["cost"]]
    usage["task_cost"] = sum(t["cost"] for t in reported) if reported else None
    usage["task_cost_estimated"] = price * len(unreported)
    usage["total_spend"] = (sum(max(t["cost"], t["result"][0]["money_spent"]) for t in reported)
                            + sum(t["result"][0]["money_spent"] + price for t in unreported))
    usage["total_spend_is_estimate"] = bool(unreported)
    return usage


def test_report_json(served):
    env, ids, tasks = served
    done = run_cli(["report", "--format", "json", "--engine", "gemini", *ids], env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # progress went to stderr only
    assert "fetched" in done.stderr and "fetched" not in done.stdout

    statuses = {row["id"]: row["status"] for row in report["tasks"]}
    assert [row["id"] for row in report["tasks"]] == ids
    assert {statuses[i] for i in tasks} == {"completed"}
    assert (statuses[PENDING], statuses[EXPIRED], statuses[UNKNOWN]) == ("pending", "expired", "not found")
    codes = {row["id"]: row["status_code"] for row in report["tasks"]}
    assert (codes[PENDING], codes[EXPIRED], codes[UNKNOWN]) == (40602, 40403, 40401)
    models = {row["id"]: row["model_name"] for row in report["tasks"]}
    assert all(models[i] == task["result"][0]["model_name"] for i, task in tasks.items())

    assert report["counts"]["tasks"] == len(ids) and report["counts"]["completed"] == len(tasks)
    want_domains = expected_domains(tasks)
    got_domains = {row["domain"]: (row["citations"], row["answers"]) for row in report["domains"]}
    assert got_domains == want_domains
    assert report["counts"]["citations"] == sum(
        len(s.get("annotations") or []) for t in tasks.values() for item in t["result"][0]["items"]
        if item["type"] == "message" for s in item["sections"])
    assert report["counts"]["fan_out_queries"] == sum(len(t["result"][0]["fan_out_queries"] or [])
                                                      for t in tasks.values())
    want_usage = expected_usage(tasks)
    assert set(report["usage"]) == set(want_usage)
    for key, value in want_usage.items():
        exact = value is None or isinstance(value, bool)
        assert report["usage"][key] == (value if exact else pytest.approx(value, abs=1e-6)), key

    again = run_cli(["report", "--engine", "gemini", *ids], env)  # the archive may answer this time
    assert again.returncode == 0, again.stderr
    second = json.loads(again.stdout)
    assert second["domains"] == report["domains"] and second["usage"] == report["usage"]


def test_report_csv(served):
    env, ids, tasks = served
    done = run_cli(["report", "--format", "csv", "--table", "domains", *ids], env)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(rows[0]) == ["domain", "citations", "citation_share", "answers", "answer_share"]
    got = {row["domain"]: (int(row["citations"]), int(row["answers"])) for row in rows}
    want = expected_domains(tasks)
    assert got == want
    total = sum(s.get("annotations") is not None and len(s["annotations"]) or 0 for t in tasks.values()
                for item in t["result"][0]["items"] if item["type"] == "message" for s in item["sections"])
    for row in rows:
        assert float(row["citation_share"]) == pytest.approx(int(row["citations"]) / total)
        assert float(row["answer_share"]) == pytest.approx(int(row["answers"]) / len(tasks))

    tasks_csv = run_cli(["report", "--format", "csv", *ids], env)
    assert tasks_csv.returncode == 0, tasks_csv.stderr
    task_rows = list(csv.DictReader(io.StringIO(tasks_csv.stdout)))
    assert [row["task_id"] for row in task_rows] == ids
    assert [row["status"] for row in task_rows[-3:]] == ["pending", "expired", "not found"]


def test_fetch(served):
    env, ids, tasks = served
    done = run_cli(["fetch", "--engine", "gemini", *ids], env)
    assert done.returncode == 0, done.stderr
    lines = [line.split("\t") for line in done.stdout.splitlines()]
    assert [line[0] for line in lines] == ids
    assert all(line[1] == "gemini" for line in lines)
    assert [line[2] for line in lines] == ["completed"] * len(tasks) + ["pending", "expired", "not found"]
    assert [line[3] for line in lines[-3:]] == ["40602", "40403", "40401"]
    assert "outcomes:" in done.stderr


def test_ids_file_and_malformed_ids(served, tmp_path):
    env, ids, tasks = served
    listing = tmp_path / "ids.csv"
    listing.write_text("task_id,note\n" + "".join(f"{i},x\n" for i in ids[:2]) + f"{MALFORMED},x\n",
                       encoding="utf-8-sig")
    done = run_cli(["fetch", "--ids-file", str(listing)], env)
    assert done.returncode == 0, done.stderr
    assert [line.split("\t")[0] for line in done.stdout.splitlines()] == ids[:2]
    assert f"malformed id '{MALFORMED}'" in done.stderr and "8-4-4-4-11" in done.stderr
    pasted = run_cli(["fetch", ids[2], MALFORMED.upper()], env)
    assert pasted.returncode == 0, pasted.stderr
    assert f"malformed id '{MALFORMED.upper()}'" in pasted.stderr
    nothing = run_cli(["fetch", "not-an-id"], env)
    assert nothing.returncode == 2 and "no valid task ids" in nothing.stderr


def test_malformed_argument_ids_are_reported_with_an_ids_file(served, tmp_path):
    env, ids, _ = served
    listing = tmp_path / "ids.txt"
    listing.write_text(ids[0] + "\n", encoding="utf-8")
    done = run_cli(["fetch", "--ids-file", str(listing), MALFORMED], env)
    assert done.returncode == 0, done.stderr
    assert f"malformed id '{MALFORMED}'" in done.stderr


def test_bad_credentials(served, fake_api):
    env, ids, _ = served
    env = {**env, "DATAFORSEO_PASSWORD": SECRET}
    for args in (["report", "--format", "json", *ids], ["fetch", *ids]):
        fake_api.reset_log()
        done = run_cli(args, env)
        assert done.returncode == 1
        assert fake_api.count() == 1  # one request, then the batch stopped
        errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "credentials" in errors[0]
        assert "Traceback" not in done.stderr
        assert SECRET not in done.stdout and SECRET not in done.stderr
        assert done.stdout == ""  # an account-wide error: one line, no per-id table


def test_perplexity_is_refused(served, fake_api):
    env, ids, _ = served
    done = run_cli(["report", "--engine", "perplexity", *ids], env)
    assert done.returncode == 2 and "Perplexity" in done.stderr and done.stdout == ""
    assert fake_api.count() == 0


def test_no_credentials(cli_env):
    done = run_cli(["report", "11160914-1535-0613-0000-6e3f1a2b9c01"], cli_env)
    assert done.returncode == 2 and "DATAFORSEO_LOGIN" in done.stderr


def test_report_demo(cli_env):
    if not DEMO_FILE.exists():
        pytest.skip("core/data/demo_replies.json is not there yet (scripts/make_demo_data.py makes it)")
    replies = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["replies"]
    done = run_cli(["report", "--demo"], cli_env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [row["id"] for row in report["tasks"]] == [r["task_id"] for r in replies]
    completed = [r for r in replies if is_answer(r["reply"]["tasks"][0])]
    assert report["counts"]["completed"] == len(completed) > 0
    assert report["usage"]["input_tokens"] == sum(result["input_tokens"] for r in completed
                                                  for result in r["reply"]["tasks"][0]["result"] or [])
    assert report["domains"] and not (pathlib.Path(cli_env["HOME"]) / ".local").exists()


def test_report_csv_defuses_formulas_in_every_text_column(fake_api, sample, cli_env):
    reply = sample("hostile")
    task = reply["tasks"][0]
    task["result"][0]["model_name"] = '=HYPERLINK("http://evil.example","x")'
    task["data"]["tag"] = "@SUM(1)\rsecond line"
    fake_api.add_reply("gemini", task["id"], reply)
    env = {**cli_env, "DATAFORSEO_LOGIN": fake_api.login, "DATAFORSEO_PASSWORD": fake_api.password,
           "DATAFORSEO_BASE_URL": fake_api.base_url}
    done = subprocess.run([sys.executable, "-m", "core", "report", "--format", "csv", task["id"]], cwd=ROOT,
                          env=env, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout.decode("utf-8"), newline="")))
    assert len(rows) == 1
    assert rows[0]["model"] == "'" + task["result"][0]["model_name"]
    assert rows[0]["tag"] == "'@SUM(1)\rsecond line"


def test_ids_file_with_carriage_returns_or_binary(served, tmp_path):
    env, ids, _ = served
    old_mac = tmp_path / "ids.csv"
    old_mac.write_bytes(("id,note\r" + "".join(f"{i},x\r" for i in ids[:2])).encode())
    done = run_cli(["fetch", "--ids-file", str(old_mac)], env)
    assert done.returncode == 0, done.stderr
    assert [line.split("\t")[0] for line in done.stdout.splitlines()] == ids[:2]
    binary = tmp_path / "ids.xlsx"
    binary.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00")
    refused = run_cli(["fetch", "--ids-file", str(binary)], env)
    assert refused.returncode == 2 and "not a text file" in refused.stderr and "Traceback" not in refused.stderr


def test_fetch_reads_the_secrets_file_like_check_does(fake_api, sample, cli_env, tmp_path):
    """The bug of issue 12: with only .streamlit/secrets.toml, `check` said ok and `fetch` said no credentials."""
    reply = sample("chat_gpt_web_search")
    task_id = reply["tasks"][0]["id"]
    fake_api.add_reply("chat_gpt", task_id, reply)
    folder = tmp_path / "project"
    (folder / ".streamlit").mkdir(parents=True)
    (folder / ".streamlit" / "secrets.toml").write_text(
        f'[dataforseo]\nlogin = "{fake_api.login}"\npassword = "{fake_api.password}"\n'
        f'base_url = "{fake_api.base_url}"\n', encoding="utf-8")
    in_folder = dict(cwd=folder, env=cli_env, capture_output=True, text=True, timeout=60)
    check = subprocess.run([sys.executable, "-m", "core", "check"], **{**in_folder, "env": {
        **cli_env, "PYTHONPATH": str(ROOT)}})
    assert "credentials: ok" in check.stdout, check.stdout + check.stderr
    fetched = subprocess.run([sys.executable, "-m", "core", "fetch", task_id], **{**in_folder, "env": {
        **cli_env, "PYTHONPATH": str(ROOT)}})
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout.split("\t")[:3] == [task_id, "chat_gpt", "completed"]


def test_archive_rebuild(cli_env, tmp_path):
    """An archive from the released code (schema 1): ``archive rebuild`` writes the facts of its rows, then of
    none, then (``--all``) of every row again; progress and one summary line on stderr."""
    schema1 = ROOT / "tests" / "data" / "archive_schema1.sqlite"
    shutil.copyfile(schema1, tmp_path / "archive.sqlite")
    rows = sqlite3.connect(schema1).execute("SELECT count(*) FROM aivis_tasks").fetchone()[0]
    first = run_cli(["archive", "rebuild"], cli_env)
    assert first.returncode == 0 and first.stdout == "", first.stderr
    lines = first.stderr.splitlines()
    assert lines[:-1] == [f"rebuilt {rows}/{rows}"]  # one chunk
    assert re.fullmatch(rf"rebuilt {rows} rows in \d+\.\d s \(sqlite:///.*archive\.sqlite\)", lines[-1]), lines
    again = run_cli(["archive", "rebuild"], cli_env)
    assert again.returncode == 0 and again.stderr.startswith("rebuilt 0 rows in "), again.stderr
    everything = run_cli(["archive", "rebuild", "--all"], cli_env)
    assert everything.returncode == 0 and f"rebuilt {rows} rows in " in everything.stderr.splitlines()[-1]

    (tmp_path / "broken.sqlite").write_bytes(b"\x00garbage" * 2048)
    broken = run_cli(["archive", "rebuild", "--archive", f"sqlite:///{tmp_path / 'broken.sqlite'}"], cli_env)
    assert broken.returncode == 3 and "not a database" in broken.stderr and "Traceback" not in broken.stderr
    assert run_cli(["archive", "rebuild", "--everything"], cli_env).returncode == 2
