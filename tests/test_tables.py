"""core.tables and core.metrics on the reply samples."""
from __future__ import annotations

import copy
import datetime as dt
import json

import pandas as pd
import pytest

from core import metrics, model, sansio, tables
from core.config import DEFAULT_TASK_PRICES
from core.model import TaskOutcome

SAMPLES = [("gemini_direct_url", "gemini"), ("chat_gpt_web_search", "chat_gpt"),
           ("chat_gpt_no_search", "chat_gpt"), ("claude_reasoning", "claude"),
           ("gemini_documented_example", "gemini"), ("hostile", "chat_gpt")]
NOT_COMPLETED = [("pending", "gemini"), ("not_found", "gemini"), ("expired", "chat_gpt"),
                 ("wrong_engine", "claude")]


def parse(reply: dict, engine: str) -> TaskOutcome:
    task_id = reply["tasks"][0]["id"]
    return sansio.parse_task_get(200, json.dumps(reply).encode(), engine, task_id)


@pytest.fixture
def outcomes(sample):
    return [parse(sample(name), engine) for name, engine in SAMPLES + NOT_COMPLETED]


@pytest.fixture
def built(outcomes):
    return tables.build_tables(outcomes)


def result_of(task):
    return task["result"][0]


def annotations_of(task):
    return [note for item in result_of(task)["items"] if item["type"] == "message"
            for section in item["sections"] for note in section.get("annotations") or []]


def test_columns(built):
    for name, columns in tables.COLUMNS.items():
        assert list(getattr(built, name).columns) == columns


def test_tasks_one_row_per_outcome_with_its_status(outcomes, built):
    assert list(built.tasks["task_id"]) == [o.task_id for o in outcomes]
    assert list(built.tasks["status"]) == [o.status for o in outcomes]
    assert list(built.tasks["status_code"]) == [o.status_code for o in outcomes]
    assert list(built.completed["task_id"]) == [o.task_id for o in outcomes if o.completed]
    pending = built.tasks.set_index("task_id").loc[outcomes[len(SAMPLES)].task_id]
    assert pending["status"] == model.PENDING and pending["citations"] == 0 and pending["spend"] == 0
    assert pd.isna(pending["datetime"])


def test_tasks_carry_model_prompt_date_usage(outcomes, built):
    rows = built.tasks.set_index("task_id")
    for outcome in outcomes:
        if not outcome.completed:
            continue
        task, row = outcome.task, rows.loc[outcome.task_id]
        result = result_of(task)
        assert row["model"] == result["model_name"] and row["prompt"] == task["data"]["user_prompt"]
        assert row["datetime"] == pd.Timestamp(dt.datetime.strptime(result["datetime"], "%Y-%m-%d %H:%M:%S %z"))
        for key in ("input_tokens", "output_tokens", "reasoning_tokens"):
            assert row[key] == result[key]
        assert row["money_spent"] == pytest.approx(result["money_spent"])
        reported = task["cost"] > 0  # task_get replies say 0: then the task price is estimated
        assert row["spend_estimated"] == (not reported)
        assert row["spend"] == pytest.approx(task["cost"] if reported else
                                             result["money_spent"] + DEFAULT_TASK_PRICES["standard"])
        assert row["citations"] == len(annotations_of(task))
        assert row["fan_out_queries"] == len(result["fan_out_queries"] or [])
        assert row["web_search"] == result["web_search"]
        assert (row["tag"] if pd.notna(row["tag"]) else None) == task["data"].get("tag")


def test_citations_counts_positions_sections(outcomes, built):
    for outcome in outcomes:
        rows = built.citations[built.citations["task_id"] == outcome.task_id]
        if not outcome.completed:
            assert rows.empty
            continue
        notes = annotations_of(outcome.task)
        assert len(rows) == len(notes)
        assert list(rows["position"]) == list(range(1, len(notes) + 1))
        assert list(rows["url"]) == [n["url"] for n in notes]
        assert list(rows["title"]) == [n["title"] for n in notes]


def test_claude_sections(sample, built):
    task = sample("claude_reasoning")["tasks"][0]
    sections = task["result"][0]["items"][1]["sections"]
    expected = [index for index, s in enumerate(sections) for _ in s["annotations"]]
    rows = built.citations[built.citations["task_id"] == task["id"]]
    assert list(rows["section"]) == expected == [0, 1, 1, 2]
    answer = built.answers.set_index("task_id").loc[task["id"]]
    assert answer["sections"] == len(sections)
    assert answer["text"] == "\n\n".join(s["text"] for s in sections)
    assert answer["reasoning"] == "\n\n".join(s["text"] for s in task["result"][0]["items"][0]["sections"])


def test_gemini_redirect_credited_to_title_direct_url_to_its_host(sample, built):
    task = sample("gemini_direct_url")["tasks"][0]
    rows = built.citations[built.citations["task_id"] == task["id"]]
    notes = annotations_of(task)
    for (_, row), note in zip(rows.iterrows(), notes):
        assert row["is_redirect"]
        if note.get("direct_url"):
            assert row["host"] == note["direct_url"].split("/")[2].removeprefix("www.")
            assert row["link"] == note["direct_url"]
            assert (row["start_index"], row["end_index"], row["cited_text"]) == \
                (note["start_index"], note["end_index"], note["text"])
        else:
            assert row["host"] == note["title"]
    assert "google.com" not in set(rows["domain"])
    # the documented example has no direct_url: its title names the site
    example = sample("gemini_documented_example")["tasks"][0]
    row = built.citations[built.citations["task_id"] == example["id"]].iloc[0]
    assert row["domain"] == annotations_of(example)[0]["title"]
    assert pd.isna(row["start_index"]) and pd.isna(row["direct_url"])


def test_hostile_links_are_not_links(sample, built):
    task = sample("hostile")["tasks"][0]
    rows = built.citations[built.citations["task_id"] == task["id"]]
    assert rows["link"].isna().tolist() == [True, True, True, False]
    assert rows["domain"].isna().tolist() == [True, True, True, False]
    assert rows["domain"].iloc[3] == "g2.com"


def test_nulls_give_zero_rows_and_empty_strings(sample):
    task = sample("chat_gpt_no_search")["tasks"][0]
    built = tables.build_tables([parse(sample("chat_gpt_no_search"), "chat_gpt")])
    assert built.citations.empty and built.fan_out.empty
    answer = built.answers.iloc[0]
    assert answer["reasoning"] == "" and answer["text"] == result_of(task)["items"][0]["sections"][0]["text"]
    assert not answer["web_search"]
    assert built.tasks.iloc[0][["citations", "fan_out_queries"]].tolist() == [0, 0]


def test_results_missing_newer_fields_and_nulls_do_not_crash(sample):
    reply = sample("chat_gpt_web_search")
    task = reply["tasks"][0]
    result = result_of(task)
    for key in ("reasoning_tokens", "fan_out_queries", "money_spent", "web_search"):
        result.pop(key)
    for note in annotations_of(task):
        for key in ("start_index", "end_index", "text"):
            note.pop(key)
    variants = [parse(reply, "chat_gpt")]
    weird = copy.deepcopy(reply)
    weird_result = result_of(weird["tasks"][0])
    weird_result.update(items=[None, {"type": "message", "sections": None}, {"type": "unknown"},
                               {"type": "message", "sections": [{"type": "text", "text": None,
                                                                 "annotations": [None, "x", {}]}]}],
                        input_tokens=None, fan_out_queries=[None, "", "  ", "real query"])
    weird["tasks"][0]["id"] = "11160917-1535-0613-0000-2b7d9e4c5a99"
    variants.append(parse(weird, "chat_gpt"))
    empty = copy.deepcopy(reply)
    empty["tasks"][0].update(id="11160917-1535-0613-0000-2b7d9e4c5a98", result=[])
    variants.append(parse(empty, "chat_gpt"))
    built = tables.build_tables(variants)
    assert len(built.tasks) == 3 and len(built.answers) == 1  # only the first is an answer
    first = built.tasks.iloc[0]
    assert first["reasoning_tokens"] == 0 and first["money_spent"] == 0 and first["fan_out_queries"] == 0
    assert first["citations"] == len(annotations_of(task))
    assert built.citations[built.citations["task_id"] == task["id"]]["start_index"].isna().all()
    # items that are not objects: a malformed reply, failed and named, never an answer
    second = built.tasks.iloc[1]
    assert second["status"] == model.FAILED and "field result.items[3].sections[0].annotations[1]" in second["status_message"]
    assert second["citations"] == 0 and built.fan_out["task_id"].tolist() == []
    # a completed task without a result: listed, not counted as an answer
    assert built.tasks.iloc[2]["status"] == model.NO_ANSWER


def test_unknown_items_are_kept_and_null_pieces_read_as_empty(sample):
    reply = sample("chat_gpt_web_search")
    result = result_of(reply["tasks"][0])
    result["items"].append({"type": "image_generation", "url": "https://example.com/x.png"})
    result.update(input_tokens=None, fan_out_queries=[None, "", "  ", "real query"])
    result["items"][0]["sections"].append({"type": "text", "text": None, "annotations": None})
    built = tables.build_tables([parse(reply, "chat_gpt")])
    row = built.tasks.iloc[0]
    assert row["status"] == model.COMPLETED and row["unknown_items"] == 1 and row["input_tokens"] == 0
    assert built.fan_out["query"].tolist() == ["real query"]


def test_empty_and_not_completed_only():
    empty = tables.build_tables([])
    assert all(getattr(empty, name).empty for name in tables.COLUMNS)
    assert metrics.domain_counts(empty.citations, 0).empty
    assert metrics.usage_totals(empty.tasks)["total_spend"] == 0
    pending = tables.build_tables([TaskOutcome("11241742-1535-0613-0000-d3e8a1c6f905", "gemini",
                                               model.PENDING, 40602, "Task In Queue.")])
    assert pending.tasks["status"].tolist() == [model.PENDING] and pending.answers.empty
    assert tables.filter_tables(pending, since=dt.date(2026, 1, 1)).tasks["status"].tolist() == [model.PENDING]


def test_fan_out_rows(outcomes, built):
    for outcome in outcomes:
        rows = built.fan_out[built.fan_out["task_id"] == outcome.task_id]
        expected = (result_of(outcome.task)["fan_out_queries"] or []) if outcome.completed else []
        assert rows["query"].tolist() == expected


def test_usage_sums(outcomes, built):
    completed = [o.task for o in outcomes if o.completed]
    totals = metrics.usage_totals(built.tasks)
    for key in ("input_tokens", "output_tokens", "reasoning_tokens"):
        assert totals[key] == sum(result_of(t)[key] for t in completed)
    assert totals["money_spent"] == pytest.approx(sum(result_of(t)["money_spent"] for t in completed), abs=1e-6)
    reported = [t["cost"] for t in completed if t["cost"] > 0]
    assert totals["task_cost"] == pytest.approx(sum(reported), abs=1e-6)
    estimated = sum(result_of(t)["money_spent"] + DEFAULT_TASK_PRICES["standard"] for t in completed if not t["cost"])
    assert totals["total_spend"] == pytest.approx(sum(reported) + estimated, abs=1e-6)


def test_usage_totals_count_completed_tasks_only(sample):
    task = sample("claude_reasoning")["tasks"][0]
    done = sansio.outcome_of("claude", task["id"], task)
    failed = TaskOutcome("11160921-1535-0613-0000-4a9e6b2f7c99", "claude", model.FAILED, 40501, "x",
                         copy.deepcopy(task))  # a task dict with usage, but not completed
    built = tables.build_tables([done, failed])
    assert built.tasks["input_tokens"].tolist() == [result_of(task)["input_tokens"], 0]
    totals = metrics.usage_totals(built.tasks)
    assert totals["input_tokens"] == result_of(task)["input_tokens"]
    assert totals["total_spend"] == pytest.approx(task["cost"])
    assert len(built.answers) == 1 and set(built.citations["task_id"]) == {task["id"]}


def test_filter_by_engine_model_prompt_date(outcomes, built):
    completed = [o for o in outcomes if o.completed]
    by_engine = tables.filter_tables(built, engines=["claude"])
    assert set(by_engine.tasks["engine"]) == {"claude"}
    assert set(by_engine.citations["task_id"]) == {o.task_id for o in completed if o.engine == "claude"}

    model_name = result_of(completed[0].task)["model_name"]
    by_model = tables.filter_tables(built, models=[model_name])
    expected = {o.task_id for o in completed if result_of(o.task)["model_name"] == model_name}
    assert set(by_model.answers["task_id"]) == expected
    assert set(by_model.citations["task_id"]) <= expected and set(by_model.fan_out["task_id"]) <= expected
    assert set(by_model.tasks["status"]) >= {model.PENDING}  # not-completed tasks have no model: kept

    prompt = completed[1].task["data"]["user_prompt"]
    by_prompt = tables.filter_tables(built, prompts=[prompt])
    assert by_prompt.answers["task_id"].tolist() == [completed[1].task_id]

    since = dt.date(2026, 1, 1)
    recent = {o.task_id for o in completed if result_of(o.task)["datetime"][:10] >= since.isoformat()}
    by_date = tables.filter_tables(built, since=since)
    assert set(by_date.answers["task_id"]) == recent and len(recent) < len(completed)
    old = tables.filter_tables(built, until=dt.date(2025, 12, 31))
    assert set(old.answers["task_id"]) == {o.task_id for o in completed} - recent
    day = dt.date.fromisoformat(result_of(completed[0].task)["datetime"][:10])
    one_day = tables.filter_tables(built, since=day, until=day)
    assert set(one_day.answers["task_id"]) == {o.task_id for o in completed
                                               if result_of(o.task)["datetime"][:10] == day.isoformat()}

    both = tables.filter_tables(built, engines=["gemini"], since=since)
    assert set(both.answers["task_id"]) == {o.task_id for o in completed
                                            if o.engine == "gemini" and o.task_id in recent}
    assert tables.filter_tables(built) is built


def test_domain_counts_shares(outcomes, built):
    completed = [o.task for o in outcomes if o.completed]
    counts = metrics.domain_counts(built.citations, len(built.answers))
    assert len(built.answers) == len(completed)
    by_domain = counts.set_index("domain")
    total = len(built.citations)
    assert total == sum(len(annotations_of(t)) for t in completed)
    for domain, row in by_domain.iterrows():
        cited = built.citations[built.citations["domain"] == domain]
        assert row["citations"] == len(cited)
        assert row["citation_share"] == pytest.approx(len(cited) / total)
        assert row["answers"] == cited["task_id"].nunique()
        assert row["answer_share"] == pytest.approx(cited["task_id"].nunique() / len(completed))
    # g2.com: twice in the Gemini answer, once each in Claude's and the hostile one
    g2 = by_domain.loc["g2.com"]
    assert (g2["citations"], g2["answers"]) == (4, 3)
    assert counts["citations"].is_monotonic_decreasing
    # citations without a site (javascript: links) count in the total, not as a domain
    assert by_domain["citations"].sum() == total - built.citations["domain"].isna().sum()
    by_host = metrics.domain_counts(built.citations, len(built.answers), by="host").set_index("host")
    assert by_host.loc["help.asana.com", "citations"] == 1 and by_host.loc["asana.com", "citations"] == 1


def test_role_of_and_domain_by_prompt(built):
    assert metrics.role_of("help.asana.com", ["asana.com"], ["g2.com"]) == "brand"
    assert metrics.role_of("g2.com", ["asana.com"], ["g2.com"]) == "competitor"
    assert metrics.role_of("notasana.com", ["asana.com"], []) == "other"
    matrix = metrics.domain_by_prompt(built.citations, ["g2.com", "nowhere.example"])
    assert list(matrix.index) == ["g2.com"] and matrix.loc["g2.com"].sum() == 3


def test_filter_by_prompt_contains_keeps_answered_prompts_holding_the_text(outcomes, built):
    completed = [o for o in outcomes if o.completed]
    prompt = completed[1].task["data"]["user_prompt"]
    word = max(prompt.split(), key=len)
    typed = word.swapcase() if word.swapcase() != word else word.upper()  # another case: still found
    expected = {o.task_id for o in completed if word.lower() in o.task["data"]["user_prompt"].lower()}
    by_text = tables.filter_tables(built, prompt_contains=f"  {typed} ")
    assert completed[1].task_id in expected and len(expected) < len(completed)
    assert set(by_text.answers["task_id"]) == expected
    assert set(by_text.citations["task_id"]) <= expected and set(by_text.fan_out["task_id"]) <= expected
    assert set(by_text.tasks["status"]) >= {model.PENDING}  # not-completed tasks have no prompt: kept
    assert tables.filter_tables(built, prompt_contains="zz-in-no-prompt-zz").answers.empty
    assert tables.filter_tables(built, prompt_contains="(.*)").answers.empty  # literal text, not a pattern
    assert tables.filter_tables(built, prompt_contains="  ") is built
    both = tables.filter_tables(built, engines=["claude"], prompt_contains=typed)
    assert set(both.answers["task_id"]) == {o.task_id for o in completed if o.task_id in expected
                                            and o.engine == "claude"}
