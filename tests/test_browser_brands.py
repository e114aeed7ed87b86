"""A shared Brand visibility link with brands in it, opened in headless Chromium on a fresh server (demo data),
shows the numbers re-derived from the raw demo replies (the same derivation as tests/test_page_brands.py)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from core.brands import Brand, BrandSet, brands_to_dict, to_query
from tests.live_app import LiveApp, app_env, browser, chromium_path, settle, wait_for_charts
from tests.page_values import demo_tasks
from tests.test_page_brands import presence, summary

pytestmark = pytest.mark.browser
if chromium_path() is None:
    pytest.skip("no chromium on PATH (Debian: apt-get install chromium; bin/test installs it as root)",
                allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright (the Python package) is not installed")

# Not the demo's own brands, so the numbers can only come from the link.
BRANDS = BrandSet((Brand("ClickUp", ("Click Up",), ("clickup.com",)),),
                  (Brand("Asana", (), ("asana.com",)), Brand("Trello", (), ("trello.com",))))

METRICS = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stMetric"]')].map(m =>
    [m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
     m.querySelector('[data-testid="stMetricValue"]').innerText.trim()])"""


def test_a_shared_brand_link_on_a_fresh_server_shows_the_re_derived_rates(tmp_path):
    expected = summary(presence(demo_tasks(), brands_to_dict(BRANDS)))
    engines = sorted(engine for engine, name in expected if name == "ClickUp")
    query = to_query(BRANDS)
    with LiveApp(app_env(tmp_path), log_dir=tmp_path) as app, browser() as chromium:
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(app.url("/brands", **query))
        page.wait_for_selector('[data-testid="stMain"] h1:has-text("Brand visibility")')
        settle(page)
        wait_for_charts(page)
        shown = page.evaluate(METRICS)
        labels = [label for label, _ in shown]
        rates = [value for label, value in shown if label == "Mention rate"]
        visibility = [value for label, value in shown if label == "Visibility"]
        assert labels.count("Mention rate") == len(engines), labels
        for engine, rate, visible in zip(engines, rates, visibility):
            want = expected[engine, "ClickUp"]
            assert rate == f"{want['mentioned'] / want['answers']:.0%}", engine
            assert visible == f"{want['visible'] / want['answers']:.0%}", engine
        assert page.locator('input[aria-label="Our brand"]').input_value() == query["brand"]
        assert {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items() if k in query} == query
        context.close()
