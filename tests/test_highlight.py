"""Tracked brand names highlighted in an answer (ui.safe.highlight_brands): coloured, and still inert."""
from __future__ import annotations

import json
import re

from core.brands import Brand, BrandSet
from core.demo import DEMO_FILE
from core.mentions import BrandMatcher
from tests.mention_reference import alias_map, reference_mentions
from tests.page_values import demo_tasks, result_of
from ui.safe import highlight_brands, safe_markdown

COLORS = {"Acme": "blue", "Globex": "red"}
BRANDS = BrandSet((Brand("Acme", (":red[x]", "a]b", "x`y"), ()),), (Brand("Globex", (), ("globex.io",)),))
DIRECTIVE = re.compile(r":(\w+)-background\[([^\]]*)\]")


def _show(text: str) -> str:
    return highlight_brands(safe_markdown(text), BrandMatcher(BRANDS), COLORS)


def test_ours_and_competitors_get_their_colours():
    shown = _show("ACME's pick: Globex, then Acmeville and acme.")
    assert DIRECTIVE.findall(shown) == [("blue", "ACME"), ("red", "Globex"), ("blue", "acme")]
    assert "Acmeville" in shown


def test_hostile_aliases_and_answer_markup_stay_inert():
    shown = _show(":red[x] and a]b and <b>Acme</b> :blue[Globex] `Acme` [Acme](javascript:alert(1)) x`y")
    assert DIRECTIVE.findall(shown) == [("blue", "Acme"), ("red", "Globex"), ("blue", "Acme")]
    assert "\\:red\\[x\\]" in shown and "\\:blue\\[" in shown and "a\\]b" in shown and "x`y" in shown
    assert "`Acme`" in shown  # a code span shows as written
    assert "<b>" not in shown and "javascript" not in shown


def test_link_targets_keep_their_urls():
    shown = _show("[Globex](https://globex.io/acme) is good")
    assert shown == "[:red-background[Globex]](https://globex.io/acme) is good"


def test_answers_page_highlights_the_demo_brands(demo_env, app):
    brands = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["brands"]
    aliases = alias_map(brands)
    ours = {b["name"] for b in brands["brands"]}
    task = next(t for t in demo_tasks() if any(
        name in ours for s in result_of(t)["items"] if s["type"] == "message" for sec in s["sections"]
        for _, name in reference_mentions(sec["text"], aliases)))
    at = app(page="pages/answers.py")
    at.selectbox(key="w_answer_task").set_value(task["id"]).run()
    shown = " ".join(m.value for m in at.markdown)
    owner = {alias.lower(): name for alias, name in aliases.items()}
    named = {name for s in result_of(task)["items"] if s["type"] == "message" for sec in s["sections"]
             for _, name in reference_mentions(sec["text"], aliases)}
    found = [(color, owner[" ".join(text.lower().split())]) for color, text in DIRECTIVE.findall(shown)]
    assert {name for _, name in found} == named
    assert all(color == ("blue" if name in ours else "red") for color, name in found)
