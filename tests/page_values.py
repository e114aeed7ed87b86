"""Read the values behind AppTest elements: plotly figures, tables, metrics."""
from __future__ import annotations

import base64
import json
from collections import Counter
from urllib.parse import urlsplit

import numpy as np

from core.demo import DEMO_FILE


def demo_tasks(completed: bool = True) -> list[dict]:
    """The raw task dicts of the bundled demo replies (by default the answers: see :func:`is_answer`)."""
    tasks = [r["reply"]["tasks"][0] for r in json.loads(DEMO_FILE.read_text())["replies"]]
    return [t for t in tasks if is_answer(t)] if completed else tasks


def is_answer(task: dict) -> bool:
    """Completed (20000) with some message text: a completed task without one is listed, never an answer."""
    return task["status_code"] == 20000 and any(
        (section.get("text") or "").strip() for item in result_of(task).get("items") or []
        if item.get("type") == "message" for section in item.get("sections") or [])


def result_of(task: dict) -> dict:
    """The task's first result, or an empty dict for a completed task whose ``result`` is null."""
    return (task.get("result") or [{}])[0]


def cited_site(note: dict) -> str | None:
    """The cited host of an annotation by the documented rule, written independently of core.domains:
    ``direct_url``, else Gemini's redirect credited to its ``title``, else the ``url``; no ``www.``."""
    if note.get("direct_url"):
        host = urlsplit(note["direct_url"]).hostname
    elif "vertexaisearch.cloud.google.com" in (note.get("url") or ""):
        host = note["title"]
    else:
        host = urlsplit(note.get("url") or "").hostname
    return host[4:] if host and host.startswith("www.") else host


def figure(at, key: str) -> dict:
    """The plotly figure (data and layout) of the chart drawn with ``key``."""
    charts = [c for c in at.get("plotly_chart") if key in c.proto.id]
    assert charts, f"no plotly chart with key {key!r}"
    return json.loads(charts[0].proto.spec)


def values(data) -> list:
    """A figure array as a list: plotly sends numeric arrays as ``{"dtype", "bdata"}`` base64."""
    if isinstance(data, dict) and "bdata" in data:
        array = np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"]))
        shape = data.get("shape")
        if isinstance(shape, str):  # 2-d arrays (customdata) give their shape as "rows, columns"
            shape = [int(n) for n in shape.split(",")]
        return array.reshape(shape).tolist() if shape else array.tolist()
    return list(data)


def bar_totals(fig: dict, value: str = "x", label: str = "y") -> Counter:
    """Sum of bar values per label, over every trace (one trace per colour)."""
    totals = Counter()
    for trace in fig["data"]:
        for name, amount in zip(values(trace[label]), values(trace[value])):
            totals[name] += amount
    return totals


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table_with(at, column: str):
    """The first dataframe that has ``column``."""
    return next(df.value for df in at.dataframe if column in df.value.columns)
