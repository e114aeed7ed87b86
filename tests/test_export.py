"""Exports: CSV, Excel and JSON carry the table as shown, with spreadsheet formulas defused."""
from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd

from core import export
from core.demo import demo_outcomes
from core.tables import build_tables


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"title": ["=HYPERLINK(\"http://evil\")", "+1", "@SUM(A1)", "plain -1"],
                         "citations": [1, 2, 3, 4],
                         "datetime": pd.to_datetime(["2026-11-01 10:00"] * 4, utc=True)})


def test_csv_defuses_formulas_and_keeps_values():
    back = pd.read_csv(io.BytesIO(export.to_csv(_frame())))
    assert list(back["title"]) == ["'=HYPERLINK(\"http://evil\")", "'+1", "'@SUM(A1)", "plain -1"]
    assert list(back["citations"]) == [1, 2, 3, 4]


def test_excel_has_a_sheet_per_table_with_every_row():
    tables = build_tables(demo_outcomes().values())
    frames = {"tasks": tables.tasks, "citations": tables.citations, "a_very_long_sheet_name_over_31_chars": _frame()}
    book = openpyxl.load_workbook(io.BytesIO(export.to_excel(frames)))
    assert book.sheetnames == ["tasks", "citations", "a_very_long_sheet_name_over_31_"]
    assert book["citations"].max_row == len(tables.citations) + 1
    assert book["a_very_long_sheet_name_over_31_"]["A2"].value.startswith("'=")


def test_json_bundle_holds_what_the_view_is_and_every_record():
    tables = build_tables(demo_outcomes().values())
    bundle = json.loads(export.to_json({"tasks": tables.tasks}, {"page": "usage", "demo": True}))
    assert bundle["about"] == {"page": "usage", "demo": True}
    assert [r["task_id"] for r in bundle["tasks"]] == list(tables.tasks["task_id"])
