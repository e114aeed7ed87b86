"""Screenshots of every page on the demo data, into docs/screenshots/<page>.png.

Run by hand (needs Debian's chromium and the playwright Python package, never ``playwright install``):

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--width 1400] [--only domains,usage]

It starts the app itself with no credentials (so on the bundled demo data and a throwaway archive),
opens each page in a 1400 px wide window, waits for the script run and the charts, takes the whole
page (the window is made as tall as the page), stops the app, and says what it saw on each page
(errors, charts, tables), so a broken page is noticed before the picture is looked at.
"""
from __future__ import annotations

import argparse
import pathlib
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_app import LiveApp, app_env, browser, chromium_path, settle, wait_for_charts  # noqa: E402

PAGES = {  # file name -> (path, title)
    "load-tasks": ("/", "Load tasks"),
    "domains": ("/domains", "Cited domains"),
    "brands": ("/brands", "Brand visibility"),
    "usage": ("/usage", "Usage and cost"),
    "fan-out": ("/fan_out", "Fan-out queries"),
    "answers": ("/answers", "Answers"),
}
_SEEN = """() => ({
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


def shoot(page, url: str, title: str, path: pathlib.Path, width: int, min_height: int) -> dict:
    page.set_viewport_size({"width": width, "height": min_height})
    page.goto(url)
    page.wait_for_selector(f'[data-testid="stMain"] h1:has-text("{title}")', timeout=60_000)
    settle(page)
    wait_for_charts(page)
    seen = page.evaluate(_SEEN)
    height = max(min_height, int(seen["height"]) + 40)
    if height != min_height:  # the page scrolls inside the app, so a full-page shot needs a taller window
        page.set_viewport_size({"width": width, "height": height})
        settle(page)
        wait_for_charts(page)
    page.wait_for_timeout(700)  # plotly's resize and Streamlit's element transitions
    page.screenshot(path=str(path), full_page=True)
    return {**page.evaluate(_SEEN), "height": height}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000, help="the window's least height")
    parser.add_argument("--only", help="comma-separated page names: " + ", ".join(PAGES))
    args = parser.parse_args(argv)
    if chromium_path() is None:
        print("no chromium on PATH (Debian: apt-get install chromium)", file=sys.stderr)
        return 2
    names = [n.strip() for n in args.only.split(",")] if args.only else list(PAGES)
    unknown = [n for n in names if n not in PAGES]
    if unknown:
        parser.error(f"unknown pages: {', '.join(unknown)}")
    args.out.mkdir(parents=True, exist_ok=True)
    problems = 0
    with tempfile.TemporaryDirectory(prefix="aivis-shots-") as tmp:
        started = time.monotonic()
        with LiveApp(app_env(pathlib.Path(tmp)), log_dir=pathlib.Path(tmp)) as app, browser() as chromium:
            context = chromium.new_context(device_scale_factor=1)
            page = context.new_page()
            for name in names:
                path, title = PAGES[name]
                target = args.out / f"{name}.png"
                seen = shoot(page, app.url(path), title, target, args.width, args.height)
                trouble = seen["exceptions"] + seen["errors"] + (
                    [f"{seen['empty_charts']} charts draw nothing"] if seen["empty_charts"] else [])
                problems += bool(trouble)
                print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: "
                      f"{args.width}x{seen['height']}, {seen['charts']} charts, {seen['tables']} tables"
                      + ("".join(f"\n  PROBLEM: {t}" for t in trouble)))
            context.close()
        print(f"{len(names)} screenshots in {time.monotonic() - started:.0f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
