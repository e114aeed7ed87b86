#!/usr/bin/env python3
"""Generate the bundled demo dataset ``core/data/demo_replies.json`` from ``scripts/demo_corpus.toml``.

The corpus holds the market, brands, engines and models, cited pages, prompts and their answers
(markdown with ``[[source]]`` markers) and the tasks that must exist in a given state; this script
only draws the grid of tasks (each prompt to two models of each engine, over ten weeks, plus older
July Gemini answers), turns markers into annotations by each engine's habits and wraps everything
with ``core.replies``, the envelope code the tests' fake API uses. Cited sites follow
``core.domains``. Deterministic: a fixed seed, no network, no clock; two runs give identical bytes.

    python scripts/make_demo_data.py                 # writes core/data/demo_replies.json
    python scripts/make_demo_data.py --out /tmp/x.json
"""
from __future__ import annotations

import argparse
import json
import random
import re
import string
import sys
import tomllib
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: core is a sibling package

from core import domains, replies  # noqa: E402

CORPUS = Path(__file__).with_name("demo_corpus.toml")
DEFAULT_OUT = ROOT / "core" / "data" / "demo_replies.json"
MARKER = re.compile(r"\[\[([\w,]+)\]\]")
REDIRECT = "https://vertexaisearch.cloud.google.com/grounding-api-redirect/"
TOKEN_ALPHABET = string.ascii_letters + string.digits + "-_"
NO_REQUEST_ECHO = {40401, 40403}  # the API no longer knows (or never knew) what was asked


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def draw_moment(rng: random.Random, window: list[str]) -> datetime:
    start, end = map(when, window)
    return start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))


def task_id(rng: random.Random, posted: datetime) -> str:
    """DataForSEO-style id: MMDDHHMM of posting, two server numbers, 0000, 12 hex digits."""
    def draw(alphabet: str, n: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    return f"{posted:%m%d%H%M}-{draw(string.digits, 4)}-{draw(string.digits, 4)}-0000-{draw('0123456789abcdef', 12)}"


def redirect_url(rng: random.Random) -> str:
    token = "AUZIYQ" + "".join(rng.choice(TOKEN_ALPHABET) for _ in range(rng.randint(110, 170)))
    return REDIRECT + token + ("==" if rng.random() < 0.4 else "")


# ------------------------------------------------------------------------------- the task plan
def plan_tasks(rng: random.Random, corpus: dict) -> list[dict]:
    """Every task (prompt, engine, model, state, dates) before any text is written, oldest first."""
    prompts = {p["id"]: p for p in corpus["prompts"]}
    models = {engine: {m["name"]: m for m in spec["models"]} for engine, spec in corpus["engines"].items()}
    size = corpus["plan"]["models_per_prompt"]

    def drawn(prompt: dict, engine: str, model: dict, window: list[str], legacy: bool = False) -> dict:
        answers = [n for n, a in enumerate(prompt["answers"]) if not a.get("pinned")]
        return {"prompt": prompt, "engine": engine, "model": model, "posted": draw_moment(rng, window),
                "answer": rng.choice(answers), "status": 20000, "web_search": True, "legacy": legacy}

    grid = [drawn(prompt, engine, spec["models"][(n + k) % len(spec["models"])], corpus["window"])
            for n, prompt in enumerate(corpus["prompts"]) for engine, spec in corpus["engines"].items()
            for k in range(size)]
    for task in rng.sample(grid, corpus["plan"]["no_web_search"]):
        task["web_search"] = False
    for task in rng.sample([t for t in grid if t["web_search"]], corpus["plan"]["empty_annotations"]):
        task["empty_annotations"] = True
    gemini = corpus["engines"]["gemini"]["models"]
    legacy = [drawn(rng.choice(corpus["prompts"]), "gemini", rng.choice(gemini), corpus["legacy_window"], True)
              for _ in range(corpus["plan"]["legacy_gemini"])]
    pinned = [{**spec, "prompt": prompts[spec["prompt"]], "model": models[spec["engine"]][spec["model"]],
               "posted": when(spec["date"]), "status": spec.get("status", 20000),
               "web_search": spec.get("web_search", True), "answer": spec.get("answer", 0), "legacy": False}
              for spec in corpus["tasks"]]
    plan = sorted(grid + legacy + pinned, key=lambda t: t["posted"])
    for task in plan:
        task["id"] = task_id(rng, task["posted"])
    return plan


# ------------------------------------------------------------------------------- answers
def annotations(rng: random.Random, corpus: dict, task: dict, keys: list[str], span: tuple[int, str],
                answered: datetime) -> list[dict]:
    """The citations of one marked span, as the task's engine writes them at that date."""
    with_span = span if answered >= when(corpus["spans_since"]) else None
    notes = []
    for key in rng.sample(keys, rng.randint(1, len(keys))):
        url, title = corpus["sources"][key]
        if task["engine"] == "gemini":  # a Vertex redirect, the site's domain as title
            direct = {"direct_url": url} if answered >= when(corpus["direct_url_since"]) else {}
            notes.append(replies.annotation(domains.host_of(url), redirect_url(rng), with_span, **direct))
        elif task["engine"] == "chat_gpt":
            tracked = url + ("&" if "?" in url else "?") + "utm_source=openai" if rng.random() < 0.5 else url
            notes.append(replies.annotation(title, tracked, with_span, direct_url=None))
        else:
            notes.append(replies.annotation(title, url, with_span))
    return notes


def section(rng: random.Random, corpus: dict, task: dict, marked: str, answered: datetime) -> dict:
    """A text section without its markers; each marked span (back to the line start or the previous
    marker) cited when web search was on, annotations empty or null as the task says."""
    text, notes, done, span_floor = "", [], 0, 0
    for match in MARKER.finditer(marked):
        text += marked[done:match.start()]
        start = max(text.rfind("\n") + 1, span_floor)
        start += len(text[start:]) - len(text[start:].lstrip())
        notes += annotations(rng, corpus, task, match[1].split(","), (start, text[start:]), answered)
        span_floor, done = len(text), match.end()
    text += marked[done:]
    if not task["web_search"]:
        return replies.text_section(text, None)
    return replies.text_section(text, [] if task.get("empty_annotations") else notes)


def result(rng: random.Random, corpus: dict, task: dict) -> dict:
    prompt, model, engine = task["prompt"], task["model"], corpus["engines"][task["engine"]]
    answered = task["posted"] + timedelta(seconds=rng.randint(40, 2400))
    sections = [section(rng, corpus, task, marked, answered)
                for marked in prompt["answers"][task["answer"]]["sections"]]
    items, reasoning_tokens = [], 0
    if model["reasoning"]:
        reasoning_tokens = rng.randint(180, 3000)
        if rng.random() < 0.75:  # reasoning summaries are never guaranteed
            chosen = rng.sample(corpus["reasoning"], rng.randint(1, 2))
            items.append(replies.reasoning_item([text.format(prompt=prompt["text"]) for text in chosen]))
    items.append(replies.message_item(sections))
    if "extra_item" in task:
        items.append(task["extra_item"])
    chars = sum(len(s["text"]) for s in sections)
    per_char = 1.0 if any(ch >= "\u3000" for ch in prompt["text"]) else 0.27  # CJK: about a token a character
    output_tokens = max(300, min(1500, int(chars * per_char * rng.uniform(1.0, 1.2))))
    input_tokens = max(20, min(120, len(prompt["text"]) // 4 + rng.randint(12, 70)))
    price_in, price_out = model["price"]
    money = (input_tokens * price_in + (output_tokens + reasoning_tokens) * price_out) / 1e6
    queries = None
    if task["web_search"]:
        money += engine["search_fee"]
        first, *rest = prompt["fan_out"]
        queries = [first] + rng.sample(rest, rng.randint(2, len(rest)))
    return replies.result(model["name"], answered, items, web_search=task["web_search"],
                          input_tokens=input_tokens, output_tokens=output_tokens,
                          reasoning_tokens=reasoning_tokens, money_spent=money, fan_out_queries=queries)


def request(rng: random.Random, corpus: dict, task: dict) -> dict:
    """The request fields the task's ``data`` echoes."""
    prompt, model = task["prompt"], task["model"]
    data = {"user_prompt": prompt["text"], "model_name": model["name"], "tag": prompt["tag"],
            "web_search": task["web_search"], "web_search_country_iso_code": prompt["country"],
            "force_web_search": task["web_search"] and rng.random() < corpus["plan"]["force_web_search"],
            "temperature": rng.choice(corpus["temperatures"])}
    if "city" in prompt:
        data["web_search_city"] = prompt["city"]
    if corpus["engines"][task["engine"]]["use_reasoning"]:
        data["use_reasoning"] = model["reasoning"]
    return data


def reply(rng: random.Random, corpus: dict, task: dict) -> dict:
    code = task["status"]
    data = None if code in NO_REQUEST_ECHO else request(rng, corpus, task)
    results = [result(rng, corpus, task)] if code == 20000 and task.get("shape") != "null_result" else None
    body = replies.task(task["id"], task["engine"], code, data=data, result=results,
                        time=replies.seconds(rng.uniform(0.01, 0.09)))
    version = corpus["api_versions"]["legacy" if task["legacy"] else "current"]
    return replies.envelope([body], version=version, time=replies.seconds(rng.uniform(0.04, 0.16)))


def build(corpus: dict) -> dict:
    rng = random.Random(corpus["seed"])
    plan = plan_tasks(rng, corpus)
    ids = [task["id"] for task in plan]
    assert len(set(ids)) == len(ids), "task ids collide: change the seed"
    return {
        "about": "Demo data, generated by scripts/make_demo_data.py from scripts/demo_corpus.toml "
                 f"(deterministic; do not edit by hand): {len(plan)} DataForSEO LLM-responses task_get replies "
                 f"for the '{corpus['market']}' market, each stored as the full HTTP reply envelope. Brands, "
                 "pages and answers are illustrative, not real model output.",
        "market": corpus["market"], "brand": corpus["brand"], "competitors": corpus["competitors"],
        "brands": corpus["brands"],
        "replies": [{"engine": t["engine"], "task_id": t["id"], "reply": reply(rng, corpus, t)} for t in plan],
    }


def render(data: dict) -> str:
    return json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output file (default {DEFAULT_OUT})")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help=f"corpus file (default {CORPUS})")
    args = parser.parse_args(argv)
    corpus = tomllib.loads(args.corpus.read_text(encoding="utf-8"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(render(build(corpus)).encode("utf-8"))
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
