"""core.demo: the demo source answers from the bundled replies and never makes up an API answer."""
from __future__ import annotations

import json

from core import sansio
from core.demo import DEMO_FILE, DemoSource, demo_brands

UNKNOWN = "1b2e7c4a-0000-4000-8000-00000000aa01"


def test_an_id_outside_the_demo_is_said_to_be_so_without_an_api_code():
    seen = []
    batch = DemoSource().fetch_tasks([UNKNOWN], engine="claude", progress=lambda *args: seen.append(args))
    (outcome,) = batch.outcomes
    assert outcome.status == sansio.NOT_FOUND and outcome.status_code is None and outcome.engine == "claude"
    assert outcome.status_message == "not in the demo data (demo mode never asks the API)"
    assert seen == [(1, 1, outcome)]


def test_demo_ids_come_back_as_stored_with_their_own_engine():
    replies = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["replies"]
    stored = replies[-1]
    (outcome,) = DemoSource().fetch_tasks([stored["task_id"]], engine="gemini").outcomes
    task = stored["reply"]["tasks"][0]
    assert (outcome.engine, outcome.status_code, outcome.status_message) == (
        stored["engine"], task["status_code"], task["status_message"])


def test_demo_brands_are_the_stored_definitions():
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    brands = demo_brands()
    assert [b.name for b in brands.brands] == [b["name"] for b in data["brands"]["brands"]]
    assert [b.name for b in brands.competitors] == [b["name"] for b in data["brands"]["competitors"]]
