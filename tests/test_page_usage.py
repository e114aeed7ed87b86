"""Usage and cost page: the values behind its metrics, charts and table, computed here from the raw
replies (demo data and fake-API samples) without the app's own code."""
from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import pytest

from core.config import DEFAULT_TASK_PRICES
from core.model import ENGINE_LABELS

from tests.page_values import demo_tasks, figure, is_answer, metrics, result_of, table_with, values

KINDS = {"Input": "input_tokens", "Output": "output_tokens", "Reasoning": "reasoning_tokens"}


def _bars(fig: dict, x: str = "x", y: str = "y") -> dict[tuple[str, str], float]:
    """``{(trace name, x label): y}`` summed over a bar figure's traces."""
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for trace in fig["data"]:
        for label, value in zip(values(trace[x]), values(trace[y])):
            totals[trace["name"], label] += value
    return dict(totals)


def _completed(tasks: list[dict]) -> list[dict]:
    return [t for t in tasks if is_answer(t)]


def _citations(task: dict) -> int:
    return sum(len(s.get("annotations") or []) for item in result_of(task).get("items") or []
               if item["type"] == "message" for s in item["sections"])


def _spend(task: dict) -> float:
    """Money spent plus the task price: the reported cost, else the default Standard price (estimate)."""
    money = task["result"][0]["money_spent"]
    return max(task["cost"], money) if task["cost"] > 0 else money + DEFAULT_TASK_PRICES["standard"]


def _sum(tasks: list[dict], field: str) -> float:
    return sum(_spend(t) if field == "spend" else result_of(t).get(field) or 0 for t in tasks)


def _total(usd: float) -> str:
    return f"${usd:,.2f}" if usd >= 100 else f"${usd:,.4f}"  # totals under $100 keep fractions of a cent


def _expected_metrics(done: list[dict]) -> dict[str, str]:
    spend, money = _sum(done, "spend"), _sum(done, "money_spent")
    tokens = {kind: _sum(done, field) for kind, field in KINDS.items()}
    estimate = " (estimate)" if any(not t["cost"] for t in done) else ""
    return {"Input tokens": f"{tokens['Input']:,}", "Output tokens": f"{tokens['Output']:,}",
            "Reasoning tokens": f"{tokens['Reasoning']:,}", "All tokens": f"{sum(tokens.values()):,}",
            "Money spent": _total(money), f"DataForSEO task price{estimate}": _total(spend - money),
            f"Spend{estimate}": _total(spend), f"Spend per answer{estimate}": f"${spend / len(done):.4f}"}


def _per_model(done: list[dict]) -> dict[str, dict]:
    models: dict[str, dict] = defaultdict(Counter)
    for t in done:
        r = result_of(t)
        row = models[r.get("model_name") or t["data"]["model_name"]]
        row.update(answers=1, spend=_spend(t), money_spent=r.get("money_spent") or 0,
                   searched=int(r.get("web_search") is True), citations=_citations(t),
                   **{f: r.get(f) or 0 for f in KINDS.values()})
    return models


def test_demo_metrics_count_completed_answers_only(demo_env, app):
    tasks = demo_tasks(completed=False)
    done = _completed(tasks)
    at = app(page="pages/usage.py")
    assert {k: v for k, v in metrics(at).items() if k in _expected_metrics(done)} == _expected_metrics(done)
    not_counted = Counter(t["status_code"] for t in tasks if not is_answer(t))
    caption = next(c.value for c in at.caption if c.value.startswith("Counted over"))
    assert f"**{len(done)} completed answers**" in caption
    assert f"{sum(not_counted.values())} tasks without an answer" in caption and "cost nothing here" in caption
    assert ("the task price is an estimate" in caption) == any(not t["cost"] for t in done)


def test_demo_tokens_by_model_chart_and_table_match_the_raw_replies(demo_env, app):
    per_model = _per_model(_completed(demo_tasks(completed=False)))
    at = app(page="pages/usage.py")
    bars = _bars(figure(at, "usage_tokens_by_model"))
    assert bars == {(kind, model): row[field] for model, row in per_model.items() for kind, field in KINDS.items()}
    colors = {trace["name"]: trace["marker"]["color"] for trace in figure(at, "usage_tokens_by_model")["data"]}
    assert colors == {"Input": "#93c5fd", "Output": "#2563eb", "Reasoning": "#f97316"}  # theme.TOKEN_COLORS

    table = table_with(at, "spend_per_answer").set_index("model")
    assert set(table.index) == set(per_model)
    for model, row in per_model.items():
        shown = table.loc[model]
        total = sum(row[f] for f in KINDS.values())
        assert shown["answers"] == row["answers"] and shown["total_tokens"] == total
        assert shown["tokens_per_answer"] == pytest.approx(total / row["answers"])
        assert shown["money_spent"] == pytest.approx(row["money_spent"])
        assert shown["spend_per_answer"] == pytest.approx(row["spend"] / row["answers"])
        assert shown["citations"] == row["citations"]
        assert shown["web_search_share"] == pytest.approx(row["searched"] / row["answers"])
        generated = row["output_tokens"] + row["reasoning_tokens"]
        assert shown["reasoning_share"] == pytest.approx(row["reasoning_tokens"] / generated)
    assert list(table["spend"]) == sorted(table["spend"], reverse=True)

    cost_bars = _bars(figure(at, "usage_cost_per_answer"), x="y", y="x")
    engines = {t["data"]["model_name"]: ENGINE_LABELS[t["data"]["se"]] for t in _completed(demo_tasks(completed=False))}
    assert cost_bars == pytest.approx({(engines[m], m): row["spend"] / row["answers"] for m, row in per_model.items()})


def test_demo_mean_tokens_per_answer(demo_env, app):
    per_model = _per_model(_completed(demo_tasks(completed=False)))
    at = app(page="pages/usage.py")
    at.segmented_control(key="w_usage_token_scale").set_value("mean").run()
    assert _bars(figure(at, "usage_tokens_by_model")) == pytest.approx(
        {(kind, m): row[f] / row["answers"] for m, row in per_model.items() for kind, f in KINDS.items()})


def test_demo_tokens_of_each_answer(demo_env, app):
    done = _completed(demo_tasks(completed=False))
    at = app(page="pages/usage.py")
    fig = figure(at, "usage_tokens_by_task")
    assert _bars(fig) == {(kind, t["id"]): result_of(t).get(f) or 0 for t in done for kind, f in KINDS.items()}
    # all +00:00: text sorts as time; an answer without a date comes last
    order = sorted(done, key=lambda t: (result_of(t).get("datetime") or "~", t["id"]))
    assert values(fig["data"][0]["x"]) == [t["id"] for t in order]


def test_demo_money_spent_per_day_by_model(demo_env, app):
    done = _completed(demo_tasks(completed=False))
    at = app(page="pages/usage.py")
    at.selectbox(key="w_usage_period").set_value("day")
    at.selectbox(key="w_usage_split").set_value("model")
    at.selectbox(key="w_usage_amount").set_value("money_spent").run()
    expected: Counter = Counter()
    for result in filter(None, map(result_of, done)):  # an answer without a date has no day
        expected[result["model_name"], result["datetime"][:10]] += result["money_spent"]
    fig = figure(at, "usage_over_time")
    assert fig["layout"]["title"]["text"] == "Money spent per day by model"
    assert _bars(fig) == pytest.approx(dict(expected))


def test_demo_cost_per_week_by_engine_is_the_default_for_a_long_span(demo_env, app):
    at = app(page="pages/usage.py")
    fig = figure(at, "usage_over_time")
    assert fig["layout"]["title"]["text"] == "Spend per week by engine"
    done = _completed(demo_tasks(completed=False))
    per_engine = Counter()
    for t in done:
        per_engine[ENGINE_LABELS[t["data"]["se"]]] += _spend(t)  # legends name engines by label
    shown = Counter()
    for (engine, _week), cost in _bars(fig).items():
        shown[engine] += cost
    assert shown == pytest.approx(dict(per_engine))
    assert all(np.datetime64(day).astype("datetime64[D]").item().weekday() == 0  # weeks start on Monday
               for trace in fig["data"] for day in values(trace["x"]))


def test_demo_engine_filter_narrows_every_total(demo_env, app):
    claude = [t for t in _completed(demo_tasks(completed=False)) if t["data"]["se"] == "claude"]
    at = app(page="pages/usage.py", f_engine="claude")
    assert {k: v for k, v in metrics(at).items() if k in _expected_metrics(claude)} == _expected_metrics(claude)
    assert set(table_with(at, "spend_per_answer")["engine"]) == {"Claude"}


PENDING_ID = "11241742-1535-0613-0000-d3e8a1c6f9aa"


def test_fake_api_data_totals_and_pending_task_not_counted(api_env, sample, app):
    names = ["chat_gpt_web_search", "chat_gpt_no_search", "hostile"]
    done = []
    for name in names:
        reply = sample(name)
        done.append(reply["tasks"][0])
        api_env.add_reply("chat_gpt", done[-1]["id"], reply)
    api_env.add_pending("chat_gpt", PENDING_ID)
    at = app(page="pages/usage.py", ids=[t["id"] for t in done] + [PENDING_ID], engine="chat_gpt")
    assert {k: v for k, v in metrics(at).items() if k in _expected_metrics(done)} == _expected_metrics(done)
    caption = next(c.value for c in at.caption if c.value.startswith("Counted over"))
    assert "**3 completed answers**" in caption and "1 task without an answer (1 pending)" in caption
    table = table_with(at, "spend_per_answer").set_index("model")
    assert table.loc["gpt-4.1-2025-04-14", "answers"] == 2
    assert table.loc["gpt-4.1-2025-04-14", "spend"] == pytest.approx(_spend(done[0]) + _spend(done[2]))
    assert table.loc["gpt-4o-mini-2024-07-18", "web_search_share"] == 0
    assert table.loc["gpt-4o-mini-2024-07-18", "citations"] == 0
    assert _bars(figure(at, "usage_tokens_by_task")) == {
        (kind, t["id"]): t["result"][0][f] for t in done for kind, f in KINDS.items()}


def test_no_completed_answers_explains_what_to_do(api_env, app):
    api_env.add_pending("chat_gpt", PENDING_ID)
    at = app(page="pages/usage.py", ids=[PENDING_ID], engine="chat_gpt")
    assert not at.get("plotly_chart") and not at.metric
    assert any("None of the loaded tasks has an answer yet" in info.value for info in at.info)
