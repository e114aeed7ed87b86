"""Screenshots of every page on the demo data, at 1440 and 800 px, and of the HTML report.

Run by hand (needs Debian's chromium and the playwright Python package, never ``playwright install``):

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--only domains,usage,report]

It starts the app itself with no credentials (so on the bundled demo data and a throwaway archive),
opens each page in a 1440 px and an 800 px wide window (1000 px tall), waits for the script run and the
charts, and saves the window (not the whole page: the files stay small) as ``<page>.png`` and
``<page>-800.png``. The HTML review (``python -m core report --demo --format html``) is opened with
every network request blocked and saved as ``report.png``. It says what it saw on each page (errors,
charts, tables, metric values cut), so a broken page is noticed before the picture is looked at.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_app import LiveApp, app_env, browser, chromium_path, settle, wait_for_charts  # noqa: E402

PAGES = {  # file name -> (path, title)
    "load-tasks": ("/", "Load tasks"),
    "overview": ("/overview", "Overview"),
    "domains": ("/domains", "Cited domains"),
    "brands": ("/brands", "Brand visibility"),
    "usage": ("/usage", "Usage and cost"),
    "fan-out": ("/fan_out", "Fan-out queries"),
    "answers": ("/answers", "Answers"),
}
WIDTHS = {1440: "", 800: "-800"}  # window width -> file name suffix
REPORT = "report"
_SEEN = """() => ({
    cut_metrics: [...document.querySelectorAll('[data-testid="stMetricValue"], [data-testid="stMetricLabel"]')]
        .filter(e => { const t = e.querySelector('div, p') || e; return t.scrollWidth > t.clientWidth + 1; })
        .map(e => e.innerText.slice(0, 60)),
    exceptions: [...document.querySelectorAll('[data-testid="stException"]')].map(e => e.innerText.slice(0, 300)),
    errors: [...document.querySelectorAll('[data-testid="stAlertContentError"]')].map(e => e.innerText.slice(0, 200)),
    charts: document.querySelectorAll('[data-testid="stPlotlyChart"]').length,
    empty_charts: [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
        .filter(c => !c.querySelector('.barlayer .point, .pielayer .slice, .scatterlayer .point, .heatmaplayer image, .treemaplayer .slice'))
        .length,
    tables: document.querySelectorAll('[data-testid="stDataFrame"]').length,
    height: Math.max(...[...document.querySelectorAll('[data-testid="stMain"], [data-testid="stMainBlockContainer"]')]
        .map(e => e.scrollHeight)),
})"""


def shoot(page, url: str, title: str, path: pathlib.Path, width: int, height: int) -> dict:
    """The window at ``width`` x ``height`` once the page and its charts are drawn, and what it saw."""
    page.set_viewport_size({"width": width, "height": height})
    page.goto(url)
    page.wait_for_selector(f'[data-testid="stMain"] h1:has-text("{title}")', timeout=60_000)
    settle(page)
    wait_for_charts(page)
    page.wait_for_timeout(700)  # plotly's resize and Streamlit's element transitions
    page.screenshot(path=str(path))
    return page.evaluate(_SEEN)


def shoot_report(chromium, path: pathlib.Path, tmp: pathlib.Path, width: int, height: int) -> list[str]:
    """The demo's HTML review, opened offline (every request but the file blocked); the URLs it asked for."""
    from core.demo import DEMO_FILE

    brands = tmp / "brands.json"
    brands.write_text(json.dumps(json.loads(DEMO_FILE.read_text(encoding="utf-8"))["brands"]), encoding="utf-8")
    html = subprocess.run([sys.executable, "-m", "core", "report", "--demo", "--format", "html", "--brands",
                           str(brands)], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    review = tmp / "review.html"
    review.write_text(html, encoding="utf-8")
    asked: list[str] = []
    context = chromium.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)

    def block(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            asked.append(route.request.url)
            route.abort()
    context.route("**/*", block)
    page = context.new_page()
    page.goto(review.as_uri())
    page.wait_for_function("() => document.querySelectorAll('.chart .js-plotly-plot .main-svg').length >= 4",
                           timeout=30_000)
    page.wait_for_timeout(500)
    page.screenshot(path=str(path))
    context.close()
    return asked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--height", type=int, default=1000, help="the window's height")
    parser.add_argument("--only", help="comma-separated names: " + ", ".join([*PAGES, REPORT]))
    args = parser.parse_args(argv)
    if chromium_path() is None:
        print("no chromium on PATH (Debian: apt-get install chromium)", file=sys.stderr)
        return 2
    names = [n.strip() for n in args.only.split(",")] if args.only else [*PAGES, REPORT]
    unknown = [n for n in names if n not in PAGES and n != REPORT]
    if unknown:
        parser.error(f"unknown pages: {', '.join(unknown)}")
    args.out.mkdir(parents=True, exist_ok=True)
    problems = 0
    with tempfile.TemporaryDirectory(prefix="aivis-shots-") as tmp:
        started = time.monotonic()
        with LiveApp(app_env(pathlib.Path(tmp)), log_dir=pathlib.Path(tmp)) as app, browser() as chromium:
            context = chromium.new_context(device_scale_factor=1)
            page = context.new_page()
            for name in (n for n in names if n in PAGES):
                path, title = PAGES[name]
                for width, suffix in WIDTHS.items():
                    target = args.out / f"{name}{suffix}.png"
                    seen = shoot(page, app.url(path), title, target, width, args.height)
                    trouble = seen["exceptions"] + seen["errors"] + (
                        [f"{seen['empty_charts']} charts draw nothing"] if seen["empty_charts"] else []) + [
                        f"metric cut: {text!r}" for text in seen["cut_metrics"]]
                    problems += bool(trouble)
                    print(f"{_shown(target)}: {width}x{args.height}, {seen['charts']} charts, {seen['tables']} "
                          f"tables" + "".join(f"\n  PROBLEM: {t}" for t in trouble))
            context.close()
            if REPORT in names:
                target = args.out / f"{REPORT}.png"
                asked = shoot_report(chromium, target, pathlib.Path(tmp), 1100, args.height)
                problems += bool(asked)
                print(f"{_shown(target)}: the HTML review offline"
                      + "".join(f"\n  PROBLEM: asked the network for {url}" for url in asked))
        print(f"{len(names)} pages shot in {time.monotonic() - started:.0f} s")
    return 1 if problems else 0


def _shown(path: pathlib.Path) -> str:
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    sys.exit(main())
