"""The bundled demo data: real-shaped task_get replies, served through the real parser.

``core/data/demo_replies.json`` is made by ``scripts/make_demo_data.py``. The demo source
answers like the API (by id, whatever engine is selected, since each demo task knows its
engine), so every page and the CLI run on it with no credentials.
"""
from __future__ import annotations

import json
import time
from functools import lru_cache
from pathlib import Path

from core import sansio
from core.brands import BrandSet, brands_from_dict
from core.model import NOT_FOUND, Batch, Progress, TaskOutcome

DEMO_FILE = Path(__file__).with_name("data") / "demo_replies.json"
NOT_IN_DEMO = "not in the demo data (demo mode never asks the API)"


@lru_cache(maxsize=1)
def _demo_file() -> dict:
    return json.loads(DEMO_FILE.read_text(encoding="utf-8"))


def demo_brands() -> BrandSet:
    """The demo market's tracked brands (ours and competitors), to prefill the brand inputs."""
    return brands_from_dict(_demo_file()["brands"])


@lru_cache(maxsize=1)
def demo_outcomes() -> dict[str, TaskOutcome]:
    """Every demo id's outcome, parsed from its stored reply exactly as a live reply would be."""
    replies = _demo_file()["replies"]
    return {r["task_id"]: sansio.parse_task_get(200, json.dumps(r["reply"]).encode(), r["engine"],
                                                r["task_id"]) for r in replies}


def demo_ids() -> list[str]:
    return list(demo_outcomes())


class DemoSource:
    """Same interface as :meth:`core.client.Client.fetch_tasks`, answered from the demo data."""

    def fetch_tasks(self, ids: list[str], engine: str | None = None,
                    progress: Progress | None = None) -> Batch:
        started, known, outcomes = time.monotonic(), demo_outcomes(), []
        for n, task_id in enumerate(ids, 1):
            outcome = known.get(task_id) or TaskOutcome(task_id, engine or "gemini", NOT_FOUND, None,
                                                        NOT_IN_DEMO)
            outcomes.append(outcome)
            if progress:
                progress(n, len(ids), outcome)
        return Batch(outcomes, seconds=time.monotonic() - started, requested=len(ids))
