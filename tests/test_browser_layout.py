"""Every page at 1440 and 800 px in headless Chromium: no metric value or label cut (Streamlit would end
it with an ellipsis), on the demo data."""
from __future__ import annotations

import pytest

from scripts.screenshots import PAGES
from tests.live_app import LiveApp, app_env, browser, chromium_path, settle

pytestmark = pytest.mark.browser
if chromium_path() is None:
    pytest.skip("no chromium on PATH (Debian: apt-get install chromium)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright (the Python package) is not installed")

CUT = """() => [...document.querySelectorAll('[data-testid="stMetricValue"], [data-testid="stMetricLabel"]')]
    .filter(e => { const t = e.querySelector('div, p') || e; return t.scrollWidth > t.clientWidth + 1; })
    .map(e => e.innerText)"""


def test_no_metric_is_cut_at_1440_or_800_px(tmp_path):
    cut: dict[tuple[str, int], list[str]] = {}
    counted = 0
    with LiveApp(app_env(tmp_path), log_dir=tmp_path) as app, browser() as chromium:
        page = chromium.new_page()
        for width in (1440, 800):
            page.set_viewport_size({"width": width, "height": 1000})
            for name, (path, title) in PAGES.items():
                page.goto(app.url(path))
                page.wait_for_selector(f'[data-testid="stMain"] h1:has-text("{title}")', timeout=60_000)
                settle(page)
                counted += page.locator('[data-testid="stMetricValue"]').count()
                if found := page.evaluate(CUT):
                    cut[name, width] = found
    assert counted > 40, "the pages drew almost no metrics: the check would prove nothing"
    assert cut == {}
