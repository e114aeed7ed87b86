"""Brand visibility page: the values behind its chart, tables, metrics, grid and trend, re-derived here
from the raw replies and the brand definitions with the slow reference matcher (tests/mention_reference.py).
"""
from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from datetime import date, datetime

import pytest

from core.brands import Brand, BrandSet, brands_from_dict, brands_to_dict, to_query
from core.demo import DEMO_FILE
from core.model import engine_label
from tests.mention_reference import alias_map, reference_mentions
from tests.page_values import cited_site, demo_tasks, figure, is_answer, result_of, table_with, values

PAGE = "pages/brands.py"
DEMO_BRANDS = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["brands"]
Z = 1.959963984540054  # the 97.5% normal quantile


# -- the expected values, from the raw replies -------------------------------------------------------
def wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson (1927) score interval, written out."""
    p, d = k / n, 1 + Z * Z / n
    centre, half = (p + Z * Z / (2 * n)) / d, Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / d
    return centre - half, centre + half


def _sections(task: dict) -> list[dict]:
    return [s for item in result_of(task).get("items") or [] if item.get("type") == "message"
            for s in item.get("sections") or [] if s.get("type", "text") == "text"]


def _entries(brands: dict) -> list[tuple[str, str, list[str]]]:
    """(name, role, domains) of every brand of a brands-file dict, ours first."""
    return [(e["name"], role, e.get("domains", [])) for role, key in (("brand", "brands"),
            ("competitor", "competitors")) for e in brands.get(key, [])]


def presence(tasks: list[dict], brands: dict = DEMO_BRANDS) -> list[dict]:
    """One row per answer and brand: how often the message text names it, its rank, whether it is cited."""
    aliases, rows = alias_map(brands), []
    for task in filter(is_answer, tasks):
        text = "\n\n".join(s.get("text") or "" for s in _sections(task))
        named = [name for _, name in reference_mentions(text, aliases)]
        order = list(dict.fromkeys(named))
        sites = {cited_site(note) for s in _sections(task) for note in s.get("annotations") or []} - {None}
        for name, role, domains in _entries(brands):
            cited = any(site == d or site.endswith("." + d) for site in sites for d in domains)
            rows.append({"task_id": task["id"], "engine": task["data"]["se"], "prompt": task["data"]["user_prompt"],
                         "when": result_of(task).get("datetime"), "name": name, "role": role,
                         "count": named.count(name), "rank": order.index(name) + 1 if name in order else None,
                         "cited": cited})
    return rows


def summary(rows: list[dict], together: bool = False) -> dict[tuple[str, str], dict]:
    """(engine, brand) -> answers, counts, gaps, share of voice and mean rank."""
    groups = defaultdict(list)
    for row in rows:
        groups["all engines" if together else row["engine"], row["name"]].append(row)
    table = {}
    for key, own in groups.items():
        ranks = [r["rank"] for r in own if r["count"]]
        table[key] = {"answers": len(own), "mentioned": sum(r["count"] > 0 for r in own),
                      "cited": sum(r["cited"] for r in own), "visible": sum(r["count"] > 0 or r["cited"] for r in own),
                      "cited_not_named": sum(r["cited"] and not r["count"] for r in own),
                      "named_not_cited": sum(r["count"] > 0 and not r["cited"] for r in own),
                      "mentions": sum(r["count"] for r in own), "avg_rank": sum(ranks) / len(ranks) if ranks else None}
    for (engine, name), row in table.items():
        total = sum(r["mentions"] for (e, _), r in table.items() if e == engine)
        row["share_of_voice"] = row["mentions"] / total if total else None
    return table


def branded(prompt: str, brands: dict = DEMO_BRANDS) -> bool:
    return bool(reference_mentions(prompt, alias_map({"brands": brands["brands"]})))


def close(a, b) -> bool:
    return (a is None and (b is None or b != b)) or (a is not None and abs(a - b) < 1e-9)


# -- reading the page --------------------------------------------------------------------------------
def shown_summary(at) -> dict[tuple[str, str], dict]:
    table = table_with(at, "mention_rate_ci_low")
    return {(row["engine"], row["name"]): row for row in table.to_dict("records")}


def assert_summary(at, expected: dict[tuple[str, str], dict]) -> None:
    shown = shown_summary(at)
    expected = {(engine_label(engine), name): want for (engine, name), want in expected.items()}  # tables show labels
    assert set(shown) == set(expected)
    for key, want in expected.items():
        got = shown[key]
        for column in ("answers", "mentioned", "cited", "visible", "cited_not_named", "named_not_cited"):
            assert got[column] == want[column], (key, column)
        assert close(want["avg_rank"], got["avg_rank"]) and close(want["share_of_voice"], got["share_of_voice"]), key
        for rate, count in (("mention_rate", "mentioned"), ("citation_rate", "cited"), ("visibility_rate", "visible")):
            assert close(want[count] / want["answers"], got[rate]), (key, rate)
        low, high = wilson(want["mentioned"], want["answers"])
        assert close(low, got["mention_rate_ci_low"]) and close(high, got["mention_rate_ci_high"]), key


@pytest.fixture
def demo_page(demo_env, app):
    return app(page=PAGE)


# -- demo data -----------------------------------------------------------------------------------------
def test_summary_table_matches_the_raw_replies_and_never_counts_unanswered_tasks(demo_page):
    rows = presence(demo_tasks(completed=False))
    expected = summary(rows)
    assert_summary(demo_page, expected)
    answers = [t for t in demo_tasks(completed=False) if is_answer(t)]
    unanswered = [t for t in demo_tasks(completed=False) if not is_answer(t)]
    assert {t["status_code"] for t in unanswered} >= {20000, 20100, 40602, 40403}  # incl. completed, no answer
    for engine in {t["data"]["se"] for t in answers}:
        assert expected[engine, "monday.com"]["answers"] == sum(t["data"]["se"] == engine for t in answers)
    assert {r["name"] for r in rows if r["count"] and not r["cited"]} and any(r["cited"] and not r["count"]
                                                                               for r in rows)


def test_rate_bars_and_error_bars_per_brand_and_engine(demo_page):
    expected = summary(presence(demo_tasks()))
    bars = figure(demo_page, "brands_rates")["data"]
    assert {trace["name"] for trace in bars} == {engine_label(e) for e, _ in expected}
    for trace in bars:
        engine = next(e for e, _ in expected if engine_label(e) == trace["name"])
        up, down = values(trace["error_y"]["array"]), values(trace["error_y"]["arrayminus"])
        for name, rate, plus, minus in zip(values(trace["x"]), values(trace["y"]), up, down):
            want = expected[engine, name]
            low, high = wilson(want["mentioned"], want["answers"])
            assert close(want["mentioned"] / want["answers"], rate), (engine, name)
            assert close(high - rate, plus) and close(rate - low, minus), (engine, name)


def test_headline_metrics_give_our_rates_engine_by_engine(demo_page):
    expected = summary(presence(demo_tasks()))
    engines = sorted(e for e, name in expected if name == "monday.com")
    shown = [(m.label, m.value, m.help) for m in demo_page.metric]
    assert len(shown) == 4 * len(engines)
    for i, engine in enumerate(engines):
        want = expected[engine, "monday.com"]
        block = shown[4 * i:4 * i + 4]
        for (label, value, help_text), count in zip(block, ("mentioned", "visible", "cited")):
            assert value == f"{want[count] / want['answers']:.0%}" and f"{want[count]} of {want['answers']} " \
                in help_text, (engine, label)
        assert block[3][1] == f"{want['avg_rank']:.1f}"


def test_prompt_engine_grid_states_and_no_answer_cells(demo_page):
    rows = presence(demo_tasks())
    tasks = [t for t in demo_tasks(completed=False) if (t.get("data") or {}).get("user_prompt")]
    engines = {t["data"]["se"] for t in tasks}
    state = {}
    for prompt in {t["data"]["user_prompt"] for t in tasks}:
        for engine in engines:
            own = [r for r in rows if r["name"] == "monday.com" and (r["prompt"], r["engine"]) == (prompt, engine)]
            state[prompt, engine_label(engine)] = ("no answer" if not own else "named" if any(r["count"] for r in own)
                                                   else "cited only" if any(r["cited"] for r in own) else "neither")
    grid = next(df.value for df in demo_page.dataframe if "prompt" in df.value.columns and "Gemini" in df.value)
    shown = {(row["prompt"], engine): cell.split(" ", 1)[1] for row in grid.to_dict("records")
             for engine, cell in row.items() if engine != "prompt"}
    assert shown == state
    assert {"named", "neither"} <= set(state.values())
    cells = table_with(demo_page, "answers_behind")
    answered = defaultdict(int)
    for task in filter(is_answer, tasks):
        answered[task["data"]["user_prompt"], engine_label(task["data"]["se"])] += 1
    assert {(p, engine_label(e)): n for p, e, n in zip(cells["prompt"], cells["engine"], cells["answers"])} == answered
    assert any(not is_answer(t) and (t["data"]["user_prompt"], engine_label(t["data"]["se"])) in answered
               for t in tasks)  # a cell also holds a pending or failed task, which is not an answer


def test_trend_points_are_rates_per_period_engine_and_brand(demo_page):
    rows = presence(demo_tasks())
    days = [datetime.strptime(r["when"], "%Y-%m-%d %H:%M:%S %z").date() for r in rows]
    span = (max(days) - min(days)).days + 1
    assert span > 90  # the demo spans months: the automatic grain is a month
    counts = defaultdict(lambda: [0, 0])
    for row, day in zip(rows, days):
        point = counts[engine_label(row["engine"]), row["name"], date(day.year, day.month, 1).isoformat()]
        point[0] += row["count"] > 0
        point[1] += 1
    shown = {}
    for trace in figure(demo_page, "brands_trend")["data"]:
        engine = re.search(r"Engine=([^<]+)", trace["hovertemplate"]).group(1)
        name = trace["legendgroup"].rsplit(", ", 1)[0]
        for x, y, extra in zip(values(trace["x"]), values(trace["y"]), values(trace["customdata"])):
            shown[engine, name, x[:10]] = (y, extra[0])
    assert set(shown) == set(counts)
    for key, (named, answers) in counts.items():
        assert close(named / answers, shown[key][0]) and shown[key][1] == answers, key


def test_evidence_lists_each_answer_naming_the_chosen_brand(demo_page):
    at = demo_page
    for name in ("monday.com", "Notion"):
        at.selectbox(key="w_evidence_brand").set_value(name).run()
        want = {(r["task_id"], r["count"], r["rank"]) for r in presence(demo_tasks()) if r["name"] == name and r["count"]}
        table = table_with(at, "snippet")
        assert {(t, c, r) for t, c, r in zip(table["task_id"], table["count"], table["rank"])} == want
        aliases = [a.lower() for a, owner in alias_map(DEMO_BRANDS).items() if owner == name]
        assert all(any(a in snippet.lower() for a in aliases) for snippet in table["snippet"])


def test_evidence_sentences_only_for_the_rows_shown_and_all_in_the_csv():
    """A year of answers names a brand hundreds of thousands of times: the page makes the sentences of the
    rows it sends; the CSV download makes every one when clicked."""
    import pandas as pd

    from core.demo import DemoSource, demo_brands, demo_ids
    from core.mentions import brand_presence, mentions_table
    from core.tables import build_tables
    from ui import brand_view
    tables = build_tables(DemoSource().fetch_tasks(demo_ids()).outcomes)
    brands = demo_brands()
    mentions = mentions_table(tables.answers, brands, snippets=False)
    facts = brand_view.Facts(brand_presence(tables.answers, tables.citations, brands, mentions), mentions,
                             tables.tasks, 0, 0, len(tables.answers), ("test", "evidence"))
    name = mentions["name"].value_counts().index[0]
    shown = brand_view.evidence(facts, tables.answers, name, 2)
    whole = brand_view.evidence_whole(facts, tables.answers, name)
    named = mentions[mentions["name"] == name]
    assert len(shown) == len(whole) == len(named) > 2
    assert (shown["snippet"].iloc[:2] != "").all() and (shown["snippet"].iloc[2:] == "").all()
    assert (whole["snippet"] != "").all()
    pd.testing.assert_frame_equal(shown.iloc[:2], whole.iloc[:2].reset_index(drop=True))


def test_prompt_gaps_name_prompts_where_only_competitors_are_named(demo_page):
    by_prompt = defaultdict(lambda: [set(), set(), set(), set()])  # answers, ours, competitors', competitors
    for row in presence(demo_tasks()):
        entry = by_prompt[row["prompt"]]
        entry[0].add(row["task_id"])
        if row["count"]:
            entry[1 if row["role"] == "brand" else 2].add(row["task_id"])
            entry[3].update([row["name"]] if row["role"] != "brand" else [])
    gaps = table_with(demo_page, "competitors_named")
    shown = {r["prompt"]: r for r in gaps.to_dict("records")}
    assert set(shown) == set(by_prompt)
    for prompt, (answers, ours, theirs, names) in by_prompt.items():
        row = shown[prompt]
        assert (row["answers"], row["ours_named"], row["competitors_named"]) == (len(answers), len(ours), len(theirs))
        assert set(filter(None, row["competitors"].split(", "))) == names
        assert row["gap"] == (bool(theirs) and not ours)
    assert any(r["gap"] for r in shown.values())


@pytest.mark.parametrize("which", ["branded", "unbranded"])
def test_branded_switch_keeps_only_those_prompts(demo_page, which):
    at = demo_page
    at.segmented_control(key="w_branded").set_value(which).run()
    tasks = [t for t in demo_tasks() if branded(t["data"]["user_prompt"]) == (which == "branded")]
    assert tasks and len(tasks) < len(demo_tasks())
    assert_summary(at, summary(presence(tasks)))
    assert set(table_with(at, "snippet")["task_id"]) <= {t["id"] for t in tasks}  # the evidence too
    prompts = {t["data"]["user_prompt"] for t in demo_tasks()}
    assert f"{sum(map(branded, prompts))} of {len(prompts)} prompts are branded" in " ".join(c.value for c in at.caption)


def test_all_engines_together_blends_the_engines_into_one_row_per_brand(demo_page):
    at = demo_page
    at.toggle(key="w_all_engines").set_value(True).run()
    assert_summary(at, summary(presence(demo_tasks()), together=True))
    assert {trace["name"] for trace in figure(at, "brands_rates")["data"]} == {"all engines"}


# -- typed brands, warnings, shared links ----------------------------------------------------------------
def test_a_pasted_url_is_its_domain_and_an_unreadable_entry_is_named(demo_page):
    at = demo_page
    at.text_input(key="w_competitors").set_value("https://www.notion.so/pricing, https://nowhere/x, Asana").run()
    assert any("nowhere/x" in w.value and "not tracked" in w.value for w in at.warning)
    typed = {"brands": DEMO_BRANDS["brands"], "competitors": [
        {"name": "Notion", "aliases": ["notion.so"], "domains": ["notion.so"]}, {"name": "Asana"}]}
    expected = summary(presence(demo_tasks(), typed))
    assert_summary(at, expected)
    assert sum(r["cited"] for (_, n), r in expected.items() if n == "Notion") > 0  # notion.so is cited: no silent 0
    assert not any("nowhere" in name for _, name in shown_summary(at))


def test_brand_definitions_travel_in_the_url_and_survive_a_page_switch(demo_env, app):
    brands = BrandSet((Brand("Trello", ("trello boards",), ("trello.com",)),),
                      (Brand("Wrike", (), ("wrike.com",)), Brand("Asana", ("asana.com",), ("asana.com",))))
    query = to_query(brands)
    at = app(page=PAGE, **query)
    expected = summary(presence(demo_tasks(), brands_to_dict(brands)))
    assert_summary(at, expected)
    at.switch_page("pages/domains.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert {k: at.query_params[k] for k in query} == query
    assert_summary(at, expected)


# -- the fake API with real reply samples -----------------------------------------------------------------
SAMPLES = {"chat_gpt_web_search": "chat_gpt", "chat_gpt_no_search": "chat_gpt", "claude_reasoning": "claude",
           "gemini_direct_url": "gemini"}


def test_fake_api_replies_are_counted_like_the_raw_samples(api_env, sample, app):
    tasks = []
    for name, engine in SAMPLES.items():
        reply = sample(name)
        tasks.append(reply["tasks"][0])
        api_env.add_reply(engine, tasks[-1]["id"], reply)
    pending = sample("pending")["tasks"][0]["id"]
    api_env.add_pending("gemini", pending)
    brands = {"brands": [{"name": "Asana", "aliases": [], "domains": ["asana.com"]}],
              "competitors": [{"name": "ClickUp", "aliases": ["Click Up"], "domains": ["clickup.com"]},
                              {"name": "monday.com", "aliases": ["monday"], "domains": ["monday.com"]},
                              {"name": "Notion", "aliases": [], "domains": ["notion.so", "notion.com"]},
                              {"name": "Wrike", "aliases": [], "domains": ["wrike.com"]}]}
    ids = [t["id"] for t in tasks] + [pending]
    at = app(page=PAGE, ids=ids, **to_query(brands_from_dict(brands)))
    expected = summary(presence(tasks, brands))
    assert_summary(at, expected)
    assert sum(r["answers"] for (_, n), r in expected.items() if n == "Asana") == len(tasks)  # pending: not counted

