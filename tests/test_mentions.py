"""core.mentions: the matching rule, rank, snippets, citations per brand, and the presence table."""
from __future__ import annotations


import pandas as pd
import pytest

from core.brands import Brand, BrandSet, brands_to_dict
from core.demo import demo_brands, demo_outcomes
from core.mentions import BrandMatcher, brand_presence, cited_brands, mentions_table, snippet
from core.tables import build_tables
from tests.mention_reference import alias_map, reference_mentions

BRANDS = BrandSet((Brand("Acme", ("Acme Cloud",), ("acme.com",)),),
                  (Brand("Globex", (), ("globex.io",)), Brand("Monday", ("monday.com",)),
                   Brand("Notion AI"), Brand("Notion", (), ("notion.so",))))


def named(text: str, brands: BrandSet = BRANDS) -> list[tuple[str, str]]:
    return [(text[m.start:m.end], m.name) for m in BrandMatcher(brands).find(text)]


@pytest.mark.parametrize("text, expected", [
    ("ACME and acme and Acme", [("ACME", "Acme"), ("acme", "Acme"), ("Acme", "Acme")]),
    ("Acme's plan and Acme’s docs", [("Acme", "Acme"), ("Acme", "Acme")]),
    ("Acmeville, MegaAcme, Acme2 and acme-cloud", [("acme", "Acme")]),
    ("Try Acme Cloud today", [("Acme Cloud", "Acme")]),
    ("我们推荐Acme和Globex", [("Acme", "Acme"), ("Globex", "Globex")]),
    ("Acmeを使う。Acme는 좋다 ข้อAcmeดี", [("Acme", "Acme")] * 3),
    ("1. **Acme** is first\n- Globex\n* __Acme__", [("Acme", "Acme"), ("Globex", "Globex"), ("Acme", "Acme")]),
    ("See [Globex](https://acme.com/globex) and [the docs](https://notion.so)", [("Globex", "Globex")]),
    ("monday.com or Monday", [("monday.com", "Monday"), ("Monday", "Monday")]),
    ("Notion AI beats Notion", [("Notion AI", "Notion AI"), ("Notion", "Notion")]),
    ("Notion  AI, then Notion\nAI", [("Notion  AI", "Notion AI"), ("Notion", "Notion")]),
])
def test_matching_rule(text, expected):
    assert named(text) == expected
    aliases = {a: b.name for b in BRANDS.all for a in b.aliases}
    if "  " not in text:  # the reference reads aliases literally; the matcher allows any spacing
        assert [(n) for _, n in expected] == [n for _, n in reference_mentions(text, aliases)]


def test_letters_that_grow_when_lower_cased_keep_the_offsets():
    text = "İstanbul teams pick Acme"
    assert named(text) == [("Acme", "Acme")]


def answers_frame(rows):
    return pd.DataFrame(rows, columns=["task_id", "engine", "model", "prompt", "datetime", "text", "reasoning"])


def test_mentions_table_counts_ranks_and_ignores_reasoning():
    answers = answers_frame([
        ("t1", "gemini", "m", "p", None, "Globex leads. Then Acme, and Acme's cloud; Globex again.",
         "I considered Notion and Monday."),
        ("t2", "claude", "m", "p", None, "Nothing tracked here.", "Acme Acme Acme"),
        ("t3", "chat_gpt", "m", "p", None, "**1. Acme**\n- Acme is fast. Notion too.", "")])
    table = mentions_table(answers, BRANDS)
    got = {(r.task_id, r.name): (r.count, r.first_offset, r.rank) for r in table.itertuples()}
    text1, text3 = answers["text"][0], answers["text"][2]
    assert got == {("t1", "Globex"): (2, 0, 1), ("t1", "Acme"): (2, text1.index("Acme"), 2),
                   ("t3", "Acme"): (2, text3.index("Acme"), 1), ("t3", "Notion"): (1, text3.index("Notion"), 2)}
    assert list(table.columns) == ["task_id", "engine", "name", "role", "count", "first_offset", "rank", "snippet"]
    snippets = dict(zip(zip(table["task_id"], table["name"]), table["snippet"]))
    assert snippets[("t1", "Acme")] == "Then Acme, and Acme's cloud; Globex again."
    assert "Acme" in snippets[("t3", "Acme")] and "fast" in snippets[("t3", "Acme")]  # a bare heading is widened


def test_snippet_is_trimmed_around_the_mention():
    text = "word " * 100 + "Acme " + "more " * 100
    cut = snippet(text, 500, 504)
    assert "Acme" in cut and cut.startswith("…") and cut.endswith("…") and len(cut) <= 202


def test_cited_brands_and_presence():
    answers = answers_frame([("t1", "gemini", "m", "p1", None, "Acme is great", ""),
                             ("t2", "gemini", "m", "p2", None, "No names", ""),
                             ("t3", "claude", "m", "p1", None, "Globex", "")])
    citations = pd.DataFrame({"task_id": ["t2", "t2", "t3", "t1"],
                              "domain": ["acme.com", "acme.com", "news.globex.io", "other.org"]})
    cited = cited_brands(citations, BRANDS)
    assert sorted(map(tuple, cited.to_numpy())) == [("t2", "Acme"), ("t3", "Globex")]
    presence = brand_presence(answers, citations, BRANDS)
    assert len(presence) == 3 * len(BRANDS.all)
    rows = presence.set_index(["task_id", "name"])
    assert rows.loc[("t1", "Acme"), ["named", "cited", "visible", "rank"]].tolist() == [True, False, True, 1]
    assert rows.loc[("t2", "Acme"), ["named", "cited", "visible", "count"]].tolist() == [False, True, True, 0]
    assert rows.loc[("t3", "Globex"), ["named", "cited", "visible"]].tolist() == [True, True, True]
    assert not rows.loc[("t2", "Notion"), "visible"]



def test_demo_mentions_match_the_reference():
    """On every demo answer: what the reference rule finds in the message text (never the reasoning)."""
    brands = demo_brands()
    aliases = alias_map(brands_to_dict(brands))
    answers = build_tables(list(demo_outcomes().values())).answers
    table = mentions_table(answers, brands)
    expected = {}
    for task_id, text in zip(answers["task_id"], answers["text"]):
        found = reference_mentions(text, aliases)
        order = list(dict.fromkeys(name for _, name in found))
        for name in order:
            offsets = [offset for offset, n in found if n == name]
            expected[(task_id, name)] = (len(offsets), offsets[0], order.index(name) + 1)
    got = {(r.task_id, r.name): (r.count, r.first_offset, r.rank) for r in table.itertuples()}
    assert got == expected and len(got) > 0
