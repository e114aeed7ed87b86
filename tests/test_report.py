"""The review report: one self-contained HTML file (nothing to load, untrusted text inert, the JSON report's
numbers, demo labelled), the markdown digest, and the HTML opened in Chromium with its network blocked."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import datetime, timezone
from html.parser import HTMLParser


from core import report, review
from core.brands import Brand, BrandSet
from core.mentions import brand_presence
from core.sansio import parse_task_get
from core.tables import build_tables
from tests.test_cli_brands import brands_file, cli  # noqa: F401  (the demo's brands file fixture)

REMOTE = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
LOADING = {"script": "src", "link": "href", "img": "src", "iframe": "src", "source": "src", "video": "src",
           "audio": "src", "embed": "src", "object": "data", "image": "href", "use": "href", "input": "src"}
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "div", "section", "table",
                "thead", "tbody", "tr", "th", "td", "strong", "script"}


class Page(HTMLParser):
    """Tags, attributes, scripts and tables (id -> rows of cell texts) of an HTML document."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.texts: list[str] = []
        self._in, self._table, self._cell = None, None, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        self._in = tag if tag in ("script", "style") else self._in
        if tag == "table":
            self._table = self.tables.setdefault(attrs.get("id", f"t{len(self.tables)}"), [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._in = None
        elif tag in ("td", "th") and self._cell is not None:
            self._table[-1].append("".join(self._cell))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts.append(data)
        elif self._in == "style":
            self.styles.append(data)
        else:
            self.texts.append(data)
            if self._cell is not None:
                self._cell.append(data)

    def records(self, table_id: str) -> list[dict[str, str]]:
        head, *rows = self.tables[table_id]
        return [dict(zip(head, row)) for row in rows]


def assert_self_contained(page: Page) -> None:
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), f"<{tag} {name}> is an event handler"
            if LOADING.get(tag) == name or name in ("src", "srcset", "xlink:href") or (tag == "link" and name == "href"):
                assert not REMOTE.match(value or ""), f"<{tag} {name}={value}> loads from the network"
        assert not (tag == "script" and "src" in attrs), "a script is loaded from a file"
        assert tag != "link", "a stylesheet or font is linked"
    for css in page.styles:
        assert "@import" not in css and "url(" not in css and "@font-face" not in css


def _run(capsys, brands_path, *args):
    status, out, err = cli(capsys, "report", "--demo", "--brands", str(brands_path), *args)
    assert status == 0, err
    return out


def test_html_report_is_one_self_contained_file_with_the_json_reports_numbers(capsys, brands_file):  # noqa: F811
    text = _run(capsys, brands_file, "--format", "html")
    data = json.loads(_run(capsys, brands_file, "--format", "json"))
    page = Page(text)
    assert text.lstrip().startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert_self_contained(page)
    assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS
    assert len(page.scripts) and "Plotly" in max(page.scripts, key=len), "the plotly.js bundle is not inline"
    assert sum(len(script) > 1_000_000 for script in page.scripts) == 1, "the bundle is not inline exactly once"
    charts = sum(1 for _, a in page.tags if a.get("class") == "chart")
    assert sum("Plotly.newPlot" in script for script in page.scripts) == charts == 4

    visible = " ".join(page.texts)
    assert any(t.startswith("DEMO DATA") for t in page.texts[:20]), "the demo label is not at the top"
    scope = {row[0]: row[1] for row in page.tables["scope"]}
    assert scope["Data"].startswith("DEMO DATA")
    assert scope["Task ids"] == str(data["counts"]["tasks"])
    assert scope["Completed answers"] == str(data["counts"]["completed"])
    datetime.strptime(scope["Made"], "%Y-%m-%d %H:%M UTC")

    domains = {row["Domain"]: (int(row["Citations"]), int(row["Answers citing"])) for row in page.records("domains")}
    assert domains == {d["domain"]: (d["citations"], d["answers"]) for d in data["domains"][:50]}

    labels = {"gemini": "Gemini", "chat_gpt": "ChatGPT", "claude": "Claude"}
    shown = {(row["Engine"], row["Brand"]): (int(row["Answers"]), int(row["Named in"]), int(row["Visible in"]))
             for row in page.records("brands")}
    expected = {(labels[engine], brand["name"]): (c["answers"], c["mentioned"], c["visible"])
                for brand in data["brands"] for engine, c in brand["by_engine"].items()}
    assert shown == expected
    ours = {(row["Engine"], row["Brand"]): int(row["Named in"]) for row in page.records("ours")}
    assert ours == {key: value[1] for key, value in expected.items() if key[1] == "monday.com"}

    usage = data["usage"]
    spend = f"${usage['total_spend']:,.4f}" + (" (estimate)" if usage["total_spend_is_estimate"] else "")
    assert spend in visible
    health = {row[0]: int(row[1]) for row in page.tables["health"]}
    statuses = defaultdict(int)
    for task in data["tasks"]:
        statuses[task["status"]] += 1
    assert all(health[status] == statuses[status] for status in health)
    assert health["pending"] == statuses["pending"] > 0


def test_markdown_digest_is_short_labelled_and_has_the_same_rates(capsys, brands_file):  # noqa: F811
    text = _run(capsys, brands_file, "--format", "markdown")
    data = json.loads(_run(capsys, brands_file, "--format", "json"))
    assert text.startswith("# AI visibility review (DEMO DATA")
    assert len(text.splitlines()) < 40
    ours = next(b for b in data["brands"] if b["name"] == "monday.com")
    for engine, label in (("gemini", "Gemini"), ("chat_gpt", "ChatGPT"), ("claude", "Claude")):
        counts = ours["by_engine"][engine]
        assert f"- {label}, monday.com: mentioned in {counts['mentioned'] / counts['answers']:.0%} " \
               f"({counts['mentioned']} of {counts['answers']};" in text
    assert "## What changed" in text


def test_the_review_formats_need_a_brands_file(capsys):
    status, _, err = cli(capsys, "report", "--demo", "--format", "html")
    assert status == 2 and "--brands" in err


HOSTILE_NAME = '<img src="http://evil.example/x.png" onerror=alert(1)>Acme'


def test_untrusted_text_is_inert_in_html_and_markdown(sample):
    outcomes = [parse_task_get(200, json.dumps(sample(name)).encode(), "chat_gpt", sample(name)["tasks"][0]["id"])
                for name in ("hostile", "chat_gpt_web_search")]
    tables = build_tables(outcomes)
    brands = BrandSet((Brand(HOSTILE_NAME, ("Asana",), ("asana.com",)),),
                      (Brand("ClickUp", (), ("clickup.com",), role="competitor"),))
    presence = brand_presence(tables.answers, tables.citations, brands)
    tag = sample("hostile")["tasks"][0]["data"]["tag"]
    scope = review.Scope.of(tables, 2, brands, {"Tags": tag, "Prompt": '"><svg onload=alert(1)>'},
                            made=datetime(2026, 11, 30, tzinfo=timezone.utc))
    found = review.build_review(tables, presence, scope)
    text = report.to_html(found)
    page = Page(text)
    assert_self_contained(page)
    assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS, "an untrusted string became a tag"
    figures = [script for script in page.scripts if "Plotly.newPlot" in script and len(script) < 1_000_000]
    assert figures and all("<" not in script for script in figures)
    assert any("&lt;img src=" in script for script in figures)  # the brand's name reaches plotly escaped
    assert HOSTILE_NAME in " ".join(page.texts)  # shown as text
    assert not any("DEMO" in t for t in page.texts), "live data labelled as demo"
    digest = report.to_markdown(found)
    assert not re.search(r"(?<!\\)<", digest) and "\\<img src=\"http://evil.example/x.png\" onerror=alert\\(1\\)\\>Acme" in digest
