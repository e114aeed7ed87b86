"""Exports: CSV, Excel and JSON carry the table as shown, with spreadsheet formulas defused."""
from __future__ import annotations

import csv
import io
import json

import openpyxl
import pandas as pd
import pytest

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


def _hostile() -> pd.DataFrame:
    """Categories as the tables make them (model, engine, status), a bare carriage return, a missing code."""
    return pd.DataFrame({
        "model": pd.Categorical(['=HYPERLINK("http://evil.example","x")', "gpt"]),
        "engine": pd.Categorical(["+cmd", "gemini"]), "status": pd.Categorical(["@SUM(1)", "completed"]),
        "tag": ["-2+3", "\tx"], "title": ["line one\rline two", "a\r\nb"],
        "status_code": [20000, None], "cost": [0.5, None]})


def test_every_text_column_is_defused_categories_included():
    back = pd.read_csv(io.BytesIO(export.to_csv(_hostile())), dtype=str, keep_default_na=False)
    for column in ("model", "engine", "status", "tag"):
        assert all(not v.startswith(("=", "+", "-", "@", "\t")) for v in back[column]), column
    assert back["model"][0] == '\'=HYPERLINK("http://evil.example","x")' and back["model"][1] == "gpt"
    book = openpyxl.load_workbook(io.BytesIO(export.to_excel({"t": _hostile()})))
    cells = [c.value for row in book["t"].iter_rows(min_row=2) for c in row]
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@", "\t")) for v in cells)
    assert all(c.data_type != "f" for row in book["t"].iter_rows() for c in row)  # not one formula


def test_a_carriage_return_never_splits_a_row_and_codes_stay_integers():
    raw = export.to_csv(_hostile())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert len(rows) == 3 and all(len(row) == 7 for row in rows)
    assert rows[1][4] == "line one\rline two" and rows[2][4] == "a\r\nb"
    assert rows[1][5] == "20000" and rows[2][5] == ""  # not 20000.0
    assert rows[1][6] == "0.5"


def test_excel_drops_control_characters_it_cannot_hold():
    frame = pd.DataFrame({"text": ["bell\x07 and vt\x0b"]})
    book = openpyxl.load_workbook(io.BytesIO(export.to_excel({"t": frame})))
    assert book["t"]["A2"].value == "bell and vt"


def test_a_workbook_to_hand_on_has_human_headers_formats_widths_a_frozen_header_and_an_about_sheet():
    from datetime import datetime, timezone

    from core import metrics

    tables = build_tables(demo_outcomes().values())
    domains = metrics.domain_counts(tables.citations, len(tables.answers))
    gaps = pd.DataFrame({"prompt": ["=1+1 best tool"], "brand_answers": [2], "spend": [0.0125]})
    about = {"page": "cited domains", "brands": "monday.com", "competitors": "", "demo": True,
             "filters": ["gemini", "claude"]}
    book = openpyxl.load_workbook(io.BytesIO(export.to_excel({"domains": domains, "gaps": gaps}, about)))
    assert book.sheetnames == ["About", "domains", "gaps"]
    rows = {row[0].value: row[1].value for row in book["About"].iter_rows(min_row=2)}
    assert rows["Data"].startswith("DEMO DATA") and book["About"]["B2"].font.bold
    assert rows["Page"] == "cited domains" and rows["Brands"] == "monday.com" and rows["Filters"] == "gemini, claude"
    assert "Competitors" not in rows  # empty entries are left out
    datetime.strptime(rows["Made"], "%Y-%m-%d %H:%M UTC")

    sheet = book["domains"]
    assert [c.value for c in sheet[1]] == ["Domain", "Citations", "Share of citations", "Answers", "Share of answers"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    assert sheet["C2"].number_format == "0.0%" and sheet["C2"].value == pytest.approx(domains["citation_share"][0])
    assert sheet["B2"].number_format == "General"
    longest = max(len(d) for d in domains["domain"])
    assert sheet.column_dimensions["A"].width == max(longest, len("Domain")) + 2

    gap_sheet = book["gaps"]
    assert [c.value for c in gap_sheet[1]] == ["Prompt", "Answers citing our brand", "Spend (USD)"]
    assert gap_sheet["C2"].number_format == '"$"#,##0.0000' and gap_sheet["C2"].value == 0.0125
    assert gap_sheet["A2"].value == "'=1+1 best tool"  # still defused

    live = openpyxl.load_workbook(io.BytesIO(export.to_excel({"gaps": gaps}, {"page": "x", "demo": False})))
    assert live["About"]["B2"].value == "live results"
    assert export.file_stem("Brand visibility", datetime(2026, 11, 30, tzinfo=timezone.utc)) == \
        "ai-visibility-brand-visibility-2026-11-30"
