"""The figures of ``bench_scale.py`` as markdown: one table per size, then each figure's growth per size
step and its extrapolation to 1M tasks. Reads the rows ``bench_scale.run_size`` returns; measures nothing.
"""
from __future__ import annotations

import math

from scale_steps import PAGES

TARGET_SIZE = 1_000_000


def _page_figures() -> list[tuple[str, str, str, str]]:
    rows = []
    for name, _, title in PAGES:
        first = "Load tasks first run (opens the archive) s" if name == "load" else f"{title} first draw s"
        rows += [("page", f"{name}_first", f"page: {first}", "{:.2f}"),
                 ("page", f"{name}_rerun", f"page: {title} median rerun ms", "ms")]
    return rows


FIGURES = [  # (step, key, label, format); seconds are wall clock in the step's own process
    ("import", "rate", "import: tasks/s", "{:,.0f}"),
    ("import", "seconds", "import: s", "{:.1f}"),
    ("import", "peak", "import: peak RSS MB", "mb"),
    ("open", "seconds", "open everything: Archive.tables() s", "{:.1f}"),
    ("open", "rss_after", "open everything: RSS after MB", "mb"),
    ("open", "peak", "open everything: peak RSS MB", "mb"),
    ("report", "seconds", "report --format json: s", "{:.1f}"),
    ("report", "peak", "report --format json: peak RSS MB", "mb"),
    *_page_figures(),
    ("page", "rss_one", "page: RSS of one viewer after every page MB", "mb"),
    ("page", "peak", "page: peak RSS MB", "mb"),
    ("viewers", "second_opens", "viewers: the second viewer's Load tasks first run (opens the archive) s", "{:.2f}"),
    ("viewers", "second_draws", "viewers: the second viewer's Cited domains first draw s", "{:.2f}"),
    ("viewers", "rss_one", "viewers: RSS with one viewer (Cited domains) MB", "mb"),
    ("viewers", "rss_two", "viewers: RSS after the second viewer MB", "mb"),
    ("viewers", "rss_last", "viewers: RSS after the last viewer MB", "mb"),
    ("viewers", "added_second", "viewers: RSS added by the second viewer MB", "mb"),
    ("viewers", "per_extra", "viewers: RSS added per extra viewer MB", "mb"),
    ("viewers", "peak", "viewers: peak RSS MB", "mb"),
]


def mb(n_bytes: float) -> float:
    return n_bytes / 2**20


def shown(value: float | None, fmt: str) -> str:
    if value is None:
        return "—"
    if fmt == "mb":
        return f"{mb(value):,.0f}"
    if fmt == "ms":
        return f"{value * 1000:,.0f}"
    return fmt.format(value)


def figure(row: dict, step: str, key: str) -> float | None:
    """A measured figure, also from a step that was stopped part way (it saves as it goes)."""
    return row["steps"].get(step, {}).get(key)


def print_size(row: dict) -> None:
    print(f"\n### {row['backend']}, {row['size']:,} tasks\n")
    print("| figure | value |\n|---|---:|")
    for step, key, label, fmt in FIGURES:
        if step in row["steps"]:
            print(f"| {label} | {shown(figure(row, step, key), fmt)} |")
    if "archive_mb" in row:
        print(f"| SQLite file MB | {row['archive_mb']:,.0f} |")
    opened, page = row["steps"].get("open", {}), row["steps"].get("page", {})
    if "citations" in opened:
        print(f"\nRows: {opened['answers']:,} answers, {opened['citations']:,} citations, "
              f"{opened['fan_out']:,} fan-out queries.")
    if page:
        print(f"\nThe pages said: {page.get('caption') or '—'}")
        blank = [name for name, _, _ in PAGES if page.get(f"{name}_drawn") is False]
        if blank:
            print(f"These pages did not show the archive's caption: {', '.join(blank)}.")
    viewers = row["steps"].get("viewers", {})
    if viewers.get("sessions"):
        print(f"\nViewers open at once: {viewers['sessions']}.")
    for step, figures in row["steps"].items():
        for where, why in (figures.get("failed") or {}).items():
            print(f"\n**Failed:** {step} {where}: {why}")
    if row.get("stopped"):
        print(f"\n**Stopped at {row['size']:,} tasks:** {row['stopped']} (figures above: what it measured before).")


def print_growth(rows: list[dict]) -> None:
    """Each figure per size, its growth from the size before, and a guess at 1M."""
    for backend in dict.fromkeys(r["backend"] for r in rows):
        mine = [r for r in rows if r["backend"] == backend]
        if len(mine) < 2:
            continue
        heads = " | ".join(f"{r['size']:,}" + (" | growth" if i else "") for i, r in enumerate(mine))
        print(f"\n### {backend}: growth per step (x{mine[1]['size'] / mine[0]['size']:.0f} tasks a step)\n")
        print(f"| figure | {heads} | 1M, linear | 1M, power law |")
        print("|---|" + "---:|" * (2 * len(mine) - 1) + "---:|---:|")
        for step, key, label, fmt in FIGURES:
            values = [figure(r, step, key) for r in mine]
            if not any(values):
                continue
            cells = []
            for i, value in enumerate(values):
                cells.append(shown(value, fmt))
                if i:
                    before = values[i - 1]
                    cells.append(f"{value / before:.1f}x" if value and before else "—")
            linear, power = extrapolate(mine, values)
            if key == "rate":  # from the extrapolated seconds: a rate itself does not grow linearly
                seconds, _ = extrapolate(mine, [figure(r, "import", "seconds") for r in mine])
                linear = TARGET_SIZE / seconds if seconds else None
            print(f"| {label} | {' | '.join(cells)} | {shown(linear, fmt)} | {shown(power, fmt)} |")


def extrapolate(rows: list[dict], values: list[float | None]) -> tuple[float | None, float | None]:
    """value(1M) from the last two measured sizes: linear (the last step's cost per task, which
    discounts a fixed start-up cost) and as a power law (value grows as size**k: the last step's growth)."""
    known = [(r["size"], v) for r, v in zip(rows, values) if v and v > 0]
    if known and known[-1][0] == TARGET_SIZE:
        return known[-1][1], known[-1][1]
    if len(known) < 2:
        return None, None
    (n0, v0), (n1, v1) = known[-2:]
    power = math.log(v1 / v0) / math.log(n1 / n0)
    linear = v1 + (v1 - v0) / (n1 - n0) * (TARGET_SIZE - n1)
    return (linear if linear > 0 else None), v1 * (TARGET_SIZE / n1) ** power  # a shrinking figure: no line
