"""The running app in headless Chromium: deep links, page switches, hostile answers, demo mode, typing.

Three real ``streamlit run`` servers: a fresh one for the deep-link test (the first request a
server gets is the one that used to lose the shared sidebar), one for the other live-data tests,
both against the fake DataForSEO server, and one without credentials for the demo data.
"""
from __future__ import annotations

import json
import pathlib
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.fake_dataforseo import FakeDataForSEO
from tests.live_app import LiveApp, app_env, browser, chromium_path, settle, wait_for_charts

pytestmark = pytest.mark.browser
if chromium_path() is None:
    pytest.skip("no chromium on PATH (Debian: apt-get install chromium; bin/test installs it as root)",
                allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright (the Python package) is not installed")

SAMPLES = pathlib.Path(__file__).parent / "samples"
COMPLETED = ("chat_gpt_web_search", "chat_gpt_no_search", "hostile")
NOT_FOUND_ID = "00000000-0000-4000-8000-0000000000f1"  # well formed, unknown to the fake server
NAV_LABELS = ["Load tasks", "Overview", "Cited domains", "Brand visibility", "Usage and cost", "Fan-out queries", "Answers"]
WEB_SEARCH_DOMAINS = {"atlassian.com", "techradar.com", "linear.app", "clickup.com"}


def _sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def _task_id(name: str) -> str:
    return _sample(name)["tasks"][0]["id"]


IDS = {name: _task_id(name) for name in (*COMPLETED, "expired", "pending")}
ALL_IDS = [IDS["chat_gpt_web_search"], IDS["chat_gpt_no_search"], IDS["hostile"], IDS["expired"], IDS["pending"]]


# -- servers and pages -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def api():
    """The fake API: three completed chat_gpt tasks, one expired, one pending (all under chat_gpt)."""
    with FakeDataForSEO() as server:
        for name in COMPLETED:
            server.add_reply("chat_gpt", IDS[name], _sample(name))
        server.add_expired("chat_gpt", IDS["expired"])
        server.add_pending("chat_gpt", IDS["pending"])
        yield server


def _live_env(api, tmp: pathlib.Path) -> dict[str, str]:
    return app_env(tmp, DATAFORSEO_LOGIN=api.login, DATAFORSEO_PASSWORD=api.password,
                   DATAFORSEO_BASE_URL=api.base_url)


@pytest.fixture(scope="module")
def live(api, tmp_path_factory):
    """The app on the fake API's credentials."""
    tmp = tmp_path_factory.mktemp("live")
    with LiveApp(_live_env(api, tmp), log_dir=tmp) as app:
        yield app


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The app with no credentials at all: the bundled demo data."""
    tmp = tmp_path_factory.mktemp("demo")
    with LiveApp(app_env(tmp), log_dir=tmp) as app:
        yield app


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


class Tab:
    """A page in a fresh browser context (a new Streamlit session) that records dialogs and errors."""

    def __init__(self, chromium) -> None:
        self.context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        self.context.set_default_timeout(30_000)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


@pytest.fixture
def tab(chromium):
    t = Tab(chromium)
    yield t
    t.context.close()


# -- reading the page ------------------------------------------------------------------------
def _open(page, url: str, title: str) -> None:
    page.goto(url)
    page.wait_for_selector(f'[data-testid="stMain"] h1:has-text("{title}")')
    settle(page)


def _click_nav(page, label: str, path: str) -> None:
    page.locator('[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"]', has_text=label).click()
    page.wait_for_url(lambda url: urlsplit(url).path == path)
    page.wait_for_selector(f'[data-testid="stMain"] h1:has-text("{label}")')
    settle(page)


def _field(page, label: str):
    """The text input or text area labelled ``label``."""
    return page.locator(f'input[aria-label="{label}"], textarea[aria-label="{label}"]')


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def _nav_labels(page) -> list[str]:
    return [text.strip() for text in page.locator(
        '[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"] [data-testid="stMarkdownContainer"]'
    ).all_inner_texts()]


def _metrics(page) -> dict[str, str]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('[data-testid="stMetric"]')]
        .map(m => [m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
                   m.querySelector('[data-testid="stMetricValue"]').innerText.trim()]))""")


def _tables(page) -> list[list[dict[str, str]]]:
    """Every dataframe's rendered rows as {header: text} (the grid renders only what is on screen)."""
    return page.evaluate("""() => [...document.querySelectorAll('[data-testid="stDataFrame"] table[role="grid"]')]
        .map(grid => {
            const heads = {};
            grid.querySelectorAll('th[role="columnheader"]').forEach(h => heads[h.getAttribute('aria-colindex')] = h.textContent.trim());
            return [...grid.querySelectorAll('tbody tr[role="row"]')].map(row => Object.fromEntries(
                [...row.querySelectorAll('td[role="gridcell"]')].map(c => [heads[c.getAttribute('aria-colindex')], c.textContent.trim()])));
        })""")


def _chart_text(page) -> str:
    """The text drawn in the plotly charts (tick labels, titles)."""
    return page.evaluate("""() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg text')]
        .map(t => t.textContent).join('\\n')""")


def _bars(page) -> int:
    return page.locator('[data-testid="stPlotlyChart"] .barlayer .point').count()


def _main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


UNSAFE = r"""() => {
    const bad = [];
    const scheme = v => (v || '').replace(/[\u0000-\u0020]/g, '').toLowerCase();
    for (const el of document.querySelectorAll('*')) {
        for (const attr of el.attributes) {
            const name = attr.name.toLowerCase();
            if (name.startsWith('on')) bad.push(`${el.tagName} ${name}=${attr.value.slice(0, 60)}`);
            if (['href', 'xlink:href', 'src', 'action', 'formaction', 'srcdoc'].includes(name)
                    && /^(javascript|vbscript|data):/.test(scheme(attr.value))
                    && !(['IMG', 'IMAGE'].includes(el.tagName.toUpperCase())  // plotly draws heatmaps as PNG
                         && /^data:image\/(png|gif|jpeg|webp);/.test(scheme(attr.value)))
                    && !(el.tagName === 'LINK' && /(^|\s)icon(\s|$)/.test(el.rel)  // Streamlit's emoji favicon
                         && /^data:image\/svg\+xml,/.test(scheme(attr.value))))
                bad.push(`${el.tagName} ${name}=${attr.value.slice(0, 60)}`);
        }
    }
    for (const a of document.querySelectorAll('a[href], area[href]'))
        if (!['http:', 'https:', 'mailto:', 'blob:'].includes(a.protocol)) bad.push(`${a.tagName} protocol ${a.protocol}`);
    return bad;
}"""


def _assert_inert(tab: Tab) -> None:
    """Nothing from an answer ran, and no link or handler that could run something is in the page."""
    page = tab.page
    assert tab.dialogs == [], f"a script ran and opened dialogs: {tab.dialogs}"
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    unsafe_links = page.locator('a[href^="javascript:" i], a[href^="data:" i]')
    shown = unsafe_links.evaluate_all("links => links.map(a => `${a.textContent} -> ${a.getAttribute('href')}`)")
    assert shown == [], f"links that can run code are in the page: {shown}"
    assert page.evaluate(UNSAFE) == []
    assert page.locator('[data-testid="stMain"] script, [data-testid="stSidebar"] script').count() == 0


# -- 1. a deep link is the first request of a fresh server ---------------------------------------
def test_deep_link_on_a_fresh_server_draws_the_shared_frame_and_the_chart(api, tmp_path, tab):
    with LiveApp(_live_env(api, tmp_path), log_dir=tmp_path) as fresh:
        page = tab.page
        api.reset_log()
        _open(page, fresh.url("/domains", ids=",".join(ALL_IDS), engine="chat_gpt"), "Cited domains")
        page.wait_for_selector('[data-testid="stPlotlyChart"] .js-plotly-plot .main-svg')
        wait_for_charts(page)

        assert _nav_labels(page) == NAV_LABELS, "the shared sidebar navigation is missing"
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0, "Streamlit's own page list is shown"
        assert page.title().startswith("Cited domains")
        assert _field(page, "Our brand").count() == 1, "the shared brand inputs are missing"
        chart = _chart_text(page)
        for domain in WEB_SEARCH_DOMAINS | {"g2.com"}:
            assert domain in chart, f"{domain} not in the chart"
        assert _bars(page) == 5
        table = next(t for t in _tables(page) if t and "domain" in t[0])
        assert {row["domain"]: row["citations"] for row in table} == {
            "atlassian.com": "2", "clickup.com": "1", "g2.com": "1", "linear.app": "1", "techradar.com": "1"}
        metrics = _metrics(page)
        assert metrics["Cited domains"] == "5"
        assert metrics["Answers citing anything"] == "2 of 3"
        assert "5 task ids: 3 completed answers" in _main_text(page)
        assert {r.path.rsplit("/", 1)[-1] for r in api.requests if "task_get" in r.path} == set(ALL_IDS)
        assert _query(page) == {"ids": [",".join(ALL_IDS)], "engine": ["chat_gpt"]}
        _assert_inert(tab)  # the hostile task's prompt is a chart label


# -- 2. page links keep the shared values ------------------------------------------------------
def test_page_links_keep_ids_engine_and_brands_in_the_url(live, tab):
    page = tab.page
    ids = ",".join(ALL_IDS)
    _open(page, live.url("/domains", ids=ids, engine="chat_gpt", brand="atlassian.com", competitor="clickup.com"),
          "Cited domains")
    shared = {"ids": [ids], "engine": ["chat_gpt"], "brand": ["atlassian.com"], "competitor": ["clickup.com"]}
    assert _query(page) == shared

    _click_nav(page, "Brand visibility", "/brands")
    page.wait_for_function("() => new URLSearchParams(location.search).get('ids')")
    assert _query(page) == shared, "the shell did not write the shared values back after the link"
    assert {"Mention rate", "Visibility", "Citation rate"} <= set(_metrics(page))  # per engine, for our brand
    assert _field(page, "Our brand").input_value() == "atlassian.com"
    assert _field(page, "Competitors").input_value() == "clickup.com"
    wait_for_charts(page)
    assert _bars(page) >= 2

    _click_nav(page, "Usage and cost", "/usage")
    page.wait_for_function("() => new URLSearchParams(location.search).get('ids')")
    assert _query(page) == shared
    assert "5 task ids: 3 completed answers; 1 pending, 1 expired" in _main_text(page)
    input_tokens = sum(_sample(name)["tasks"][0]["result"][0]["input_tokens"] for name in COMPLETED)
    assert _metrics(page)["Input tokens"] == f"{input_tokens:,}"

    _click_nav(page, "Cited domains", "/domains")
    assert _query(page) == shared
    assert _metrics(page)["Cited domains"] == "5"
    assert tab.dialogs == []


# -- 3. a hostile answer runs nothing ------------------------------------------------------------
HOSTILE_PROMPT = "Which PM tool is best?"
HOSTILE_TEXT = "Here are the tools people mention most."


def _pick_task(page, needles: tuple[str, ...]) -> bool:
    """Choose the task matching one of ``needles`` in the Answers page's picker (selectbox or radio)."""
    main = page.locator('[data-testid="stMain"]')
    for box in main.locator('[data-testid="stSelectbox"]').all():
        box.click()
        options = page.locator('[role="listbox"] [role="option"]')
        options.first.wait_for()
        for needle in needles:
            match = options.filter(has_text=needle)
            if match.count():
                match.first.click()
                settle(page)
                return True
        page.keyboard.press("Escape")
    for radio in main.locator('[data-testid="stRadio"] label').all():
        if any(needle in radio.inner_text() for needle in needles):
            radio.click()
            settle(page)
            return True
    return False


def test_a_hostile_answer_is_shown_as_text_and_runs_nothing(live, tab):
    page = tab.page
    ids = ",".join([IDS["chat_gpt_web_search"], IDS["hostile"]])
    _open(page, live.url("/domains", ids=ids, engine="chat_gpt"), "Cited domains")
    _click_nav(page, "Answers", "/answers")
    picked = _pick_task(page, (IDS["hostile"], HOSTILE_PROMPT))
    page.mouse.move(700, 500)  # hover whatever is under the pointer (onmouseover payloads)
    text = _main_text(page)
    assert HOSTILE_TEXT in text, (f"the Answers page shows no answer text for the hostile task "
                                  f"(picker found: {picked}); it shows:\n{text[:1500]}")
    assert "<script>alert(1)</script>" in text, "the <script> of the answer is not shown as text"
    assert page.get_by_text("<script>alert(1)</script>").first.is_visible()
    page.wait_for_timeout(500)  # give an injected handler (img onerror) time to fire
    _assert_inert(tab)


# -- 4. demo mode ----------------------------------------------------------------------------------
def test_without_credentials_the_demo_data_is_labelled_and_charted(demo, tab):
    from core.demo import demo_ids, demo_outcomes

    page = tab.page
    _open(page, demo.url("/"), "Load tasks")
    assert "Demo data" in _main_text(page)
    assert _metrics(page)["Task ids"] == str(len(demo_ids()))
    table = next(t for t in _tables(page) if t and "status" in t[0])
    expected = {o.task_id: o.status for o in demo_outcomes().values()}
    assert table and all(expected[row["Task id"]] == row["status"] for row in table)

    _click_nav(page, "Cited domains", "/domains")
    page.wait_for_selector('[data-testid="stPlotlyChart"] .js-plotly-plot .main-svg')
    wait_for_charts(page)
    assert "Demo data" in _main_text(page)
    assert _bars(page) >= 5, "the demo's cited-domains chart has no bars"
    assert "ids" not in _query(page), "the demo's own ids were put in the URL"


def test_selecting_a_citation_row_opens_the_answer_behind_it(demo, tab):
    page = tab.page
    _open(page, demo.url("/domains"), "Cited domains")
    trace = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').nth(1)  # behind the top site
    trace.scroll_into_view_if_needed()
    first = next(t for t in _tables(page) if t and "engine" in t[0])[0]
    box = trace.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 55)  # the first row's selection cell
    page.wait_for_url(lambda url: urlsplit(url).path == "/answers")
    page.wait_for_selector('[data-testid="stMain"] h1:has-text("Answers")')
    settle(page)
    assert first["Task id"] in _main_text(page), "the answer shown is not the selected row's task"
    _click_nav(page, "Cited domains", "/domains")  # and going back stays there
    assert urlsplit(page.url).path == "/domains"


# -- 5. typing ids ---------------------------------------------------------------------------------
def test_typed_ids_load_with_their_statuses_and_malformed_ones_named(live, api, tab):
    page = tab.page
    _open(page, live.url("/"), "Load tasks")
    assert page.get_by_text("Demo data").count() == 0
    page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="ChatGPT").click()
    typed = [IDS["chat_gpt_web_search"], IDS["expired"].upper(), IDS["pending"], NOT_FOUND_ID, IDS["hostile"]]
    malformed = ["not-an-id", "02249714-1807-0791-0000-0423e705a8r", "11160917-1535-0613-0000"]
    textarea = _field(page, "Task ids")
    textarea.click()
    textarea.press_sequentially(f"{typed[0]}\n{typed[1]}, {malformed[0]}\n{typed[2]} {typed[3]}\n"
                                f"{malformed[1]};{typed[4]}\n{malformed[2]}\n{typed[0]}", delay=0)
    api.reset_log()
    page.get_by_role("button", name="Load tasks").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('ids')")
    page.wait_for_selector('[data-testid="stMain"] [data-testid="stDataFrame"]')
    settle(page)

    table = next(t for t in _tables(page) if t and "status" in t[0])
    assert [(row["Task id"], row["status"]) for row in table] == [
        (IDS["chat_gpt_web_search"], "completed"), (IDS["expired"], "expired"), (IDS["pending"], "pending"),
        (NOT_FOUND_ID, "not found"), (IDS["hostile"], "completed")]
    assert {"Task ids": "5", "Completed": "2", "Pending": "1", "Not found": "1", "Expired": "1"}.items() \
        <= _metrics(page).items()
    warnings = page.locator('[data-testid="stAlertContentWarning"]').all_inner_texts()
    for text in malformed:
        assert sum(text in w for w in warnings) == 1, f"{text} is not named in exactly one warning: {warnings}"
    assert _query(page) == {"ids": [",".join(typed).lower()], "engine": ["chat_gpt"]}
    requested = {r.path.rsplit("/", 1)[-1] for r in api.requests if "task_get" in r.path}
    not_completed = {IDS["expired"], IDS["pending"], NOT_FOUND_ID}
    assert not_completed <= requested <= {t.lower() for t in typed}, "a malformed id was requested"

    _click_nav(page, "Cited domains", "/domains")  # the typed ids are the shared ids now
    assert _query(page)["ids"] == [",".join(typed).lower()]
    assert _metrics(page)["Answers citing anything"] == "2 of 2"
