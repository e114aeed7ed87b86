"""The HTML review opened in headless Chromium with every network request blocked: its charts still draw."""
from __future__ import annotations

import pytest

from tests.live_app import browser, chromium_path
from tests.test_cli_brands import brands_file, cli  # noqa: F401  (the demo's brands file fixture)

pytestmark = pytest.mark.browser
if chromium_path() is None:
    pytest.skip("no chromium on PATH (Debian: apt-get install chromium)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright (the Python package) is not installed")


def test_the_html_report_draws_its_charts_offline(capsys, brands_file, tmp_path):  # noqa: F811
    status, out, err = cli(capsys, "report", "--demo", "--brands", str(brands_file), "--format", "html")
    assert status == 0, err
    path = tmp_path / "review.html"
    path.write_text(out, encoding="utf-8")
    asked: list[str] = []
    with browser() as chromium:
        context = chromium.new_context(viewport={"width": 1000, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        def block(route):
            if not route.request.url.startswith("file://"):
                asked.append(route.request.url)
                route.abort()
            else:
                route.continue_()
        context.route("**/*", block)
        page.goto(path.as_uri())
        page.wait_for_function("() => document.querySelectorAll('.chart .js-plotly-plot .main-svg').length >= 4",
                               timeout=30_000)
        charts = page.locator(".chart .js-plotly-plot").count()
        bars = page.locator(".chart .barlayer .point").count()
        lines = page.locator(".chart .scatterlayer .trace").count()
        widths = page.evaluate("() => [...document.querySelectorAll('.chart .main-svg')].map(s => s.getBoundingClientRect().width)")
        pdf = page.pdf(format="A4")
        context.close()
    assert errors == []
    assert asked == [], f"the report asked the network for {asked}"
    assert charts == 4 and bars > 10 and lines >= 3
    assert max(widths) <= 700, "a chart is wider than an A4 page's printable width"
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 3
