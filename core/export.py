"""Tables as downloadable files: CSV, one Excel workbook, one JSON bundle; the app and the CLI use these.
A JSON report with one long list is written as it comes (:func:`write_json_streamed`).

The workbook is made to be handed on: human headers (:data:`COLUMN_NAMES`, else the name with spaces),
shares as percentages and money in dollars, columns as wide as their text (up to a limit), the header
row frozen and bold, and with ``about`` an "About" sheet first saying what it covers (page, brands,
filters, demo data or not, in capitals when it is, and when it was made).

Cells are untrusted (LLM text, model names, tags): a text cell starting with ``= + - @``, a tab or a
carriage return would run as a formula in a spreadsheet, so it gets a leading apostrophe in CSV and
Excel, in every text column (category columns such as model, engine and status included). CSV rows end
in CRLF, so a field holding a bare carriage return or a newline is quoted and never splits its row.
Integer columns stay integers when a row lacks a value (nullable ``Int64``: ``20000``, never ``20000.0``).
"""
from __future__ import annotations

import io
import json
import textwrap
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
COLUMN_NAMES = {
    "task_id": "Task id", "engine": "Engine", "model": "Model", "prompt": "Prompt", "datetime": "Answered (UTC)",
    "status_message": "Status message", "status_code": "Code", "money_spent": "Money spent (USD)",
    "spend": "Spend (USD)", "task_cost": "Task cost reported (USD)", "task_price": "Task price (USD)",
    "spend_estimated": "Spend estimated", "spend_per_answer": "Spend per answer (USD)",
    "spend_per_citation": "Spend per citation (USD)", "brand_answers": "Answers citing our brand",
    "competitor_answers": "Answers citing a competitor", "competitors_cited": "Competitors cited",
    "citation_share": "Share of citations", "answer_share": "Share of answers", "share_of_voice": "Share of voice",
    "first_position": "First citation position", "mention_rate": "Mention rate", "citation_rate": "Citation rate",
    "visibility_rate": "Visibility", "avg_rank": "Average rank", "name": "Brand", "web_search_share": "Web search on",
    "reasoning_share": "Reasoning share", "tokens_per_answer": "Tokens per answer", "url": "URL",
}
PERCENT_FORMAT, MONEY_FORMAT, DATE_FORMAT = "0.0%", '"$"#,##0.0000', "yyyy-mm-dd hh:mm"
MONEY_COLUMNS = ("money_spent", "spend", "task_cost", "task_price", "spend_per_answer", "spend_per_citation")
MAX_WIDTH = 60  # characters: longer text wraps in the cell rather than widening the sheet


def _defuse_cell(value: object) -> object:
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def _is_text(series: pd.Series) -> bool:
    dtype = series.dtype
    return dtype == object or isinstance(dtype, (pd.StringDtype, pd.CategoricalDtype))


def _is_integers_with_gaps(series: pd.Series) -> bool:
    """A float column only because some rows have no value: every value present is a whole number."""
    if not pd.api.types.is_float_dtype(series.dtype) or not series.isna().any():
        return False
    present = series.dropna()
    return bool(len(present)) and bool((present == present.round()).all()) and bool(present.abs().max() < 2 ** 53)


def _defused(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if _is_text(series):
            out[column] = series.astype(object).map(_defuse_cell)
        elif _is_integers_with_gaps(series):
            out[column] = series.astype("Int64")
        elif isinstance(series.dtype, pd.DatetimeTZDtype):
            out[column] = series.dt.tz_convert("UTC").dt.tz_localize(None)
    return out


def to_csv(frame: pd.DataFrame) -> bytes:
    return _defused(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def _excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Control characters Excel cannot hold (openpyxl refuses them) dropped from text cells."""
    for column in frame.columns:
        if _is_text(frame[column]):
            frame[column] = frame[column].map(
                lambda v: ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v)
    return frame


def header(column: str) -> str:
    """The column's name for people: ``brand_answers`` is "Answers citing our brand"."""
    return COLUMN_NAMES.get(column) or column.replace("_", " ").capitalize()


def _number_format(column: str) -> str | None:
    if column in MONEY_COLUMNS:
        return MONEY_FORMAT
    if column.endswith(("_share", "_rate", "_ci_low", "_ci_high", "share_of_voice")) or column.startswith("rate_") \
            or column == "difference":
        return PERCENT_FORMAT
    return None


def _about_rows(about: dict) -> list[tuple[str, str]]:
    rows = [("Data", "DEMO DATA: illustrative, not a real account" if about.get("demo") else "live results")]
    rows += [(key.replace("_", " ").capitalize(), ", ".join(map(str, value)) if isinstance(value, (list, tuple))
              else str(value)) for key, value in about.items() if key != "demo" and value not in (None, "", [])]
    return rows + [("Made", datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))]


def _lay_out(sheet, frame: pd.DataFrame) -> None:
    """Bold frozen header, number formats by column, widths from the text (first 500 rows)."""
    sheet.freeze_panes = "A2"
    for index, column in enumerate(frame.columns, 1):
        letter = get_column_letter(index)
        sheet[f"{letter}1"].font = Font(bold=True)
        number_format = DATE_FORMAT if pd.api.types.is_datetime64_any_dtype(frame[column]) else _number_format(column)
        if number_format:
            for cell in sheet[letter][1:]:
                cell.number_format = number_format
        widths = [len(str(value)) for value in frame[column].head(500)
                  if not (pd.api.types.is_scalar(value) and pd.isna(value))]
        sheet.column_dimensions[letter].width = min(MAX_WIDTH, max([len(header(column)), *widths]) + 2)


def to_excel(frames: dict[str, pd.DataFrame], about: dict | None = None) -> bytes:
    """One workbook, a sheet per table (names cut to Excel's 31 characters), laid out for people
    (see the module docstring); with ``about``, an "About" sheet first."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        if about is not None:
            rows = pd.DataFrame(_about_rows(about), columns=["About this workbook", ""])
            _excel_safe(_defused(rows)).to_excel(writer, sheet_name="About", index=False)
            sheet = writer.sheets["About"]
            sheet["B2"].font = Font(bold=True, color="B45309" if about.get("demo") else None, size=14 if about.get("demo") else 11)
            sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 22, 90
        for name, frame in frames.items():
            safe = _excel_safe(_defused(frame))
            safe.rename(columns=header).to_excel(writer, sheet_name=name[:31], index=False)
            _lay_out(writer.sheets[name[:31]], safe)
    return buffer.getvalue()


def file_stem(page: str, day: datetime | None = None) -> str:
    """``ai-visibility-<page>-<UTC date>``: a downloaded file that says what it is and when."""
    slug = "-".join("".join(c if c.isalnum() else " " for c in page.lower()).split()) or "view"
    return f"ai-visibility-{slug}-{(day or datetime.now(timezone.utc)).strftime('%Y-%m-%d')}"


def to_json(frames: dict[str, pd.DataFrame], about: dict | None = None) -> bytes:
    """One JSON object: ``about`` (what the view is) plus a list of records per table."""
    bundle = {"about": about or {}}
    for name, frame in frames.items():
        bundle[name] = json.loads(frame.to_json(orient="records", date_format="iso"))
    return json.dumps(bundle, ensure_ascii=False, indent=1).encode("utf-8")


_SCALARS = (str, int, float, bool, type(None))


def write_json_streamed(write: Callable[[str], Any], document: dict, key: str, items: Iterable) -> None:
    """Write ``document`` as ``json.dump(document, indent=2, ensure_ascii=False, allow_nan=False)`` writes
    it, byte for byte, with its top-level ``key`` (a placeholder, in its place) holding ``items`` taken as
    they come: a list of a million rows is never held whole. Flat dicts are written without json's slow
    indenting encoder (5x faster); any other item is indented as json indents it."""
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    text = json.dumps({**document, key: []}, indent=2, ensure_ascii=False, allow_nan=False)
    head, empty, tail = text.partition(f"\n  {encode(key)}: []")  # at top level: strings hold no raw newline
    write(head + empty[:-1])
    separator = ""
    for item in items:
        if isinstance(item, dict) and item and all(isinstance(k, str) and isinstance(v, _SCALARS)
                                                   for k, v in item.items()):
            body = ",\n".join(f"      {encode(k)}: {encode(v)}" for k, v in item.items())
            write(f"{separator}\n    {{\n{body}\n    }}")
        else:
            write(separator + "\n" + textwrap.indent(json.dumps(item, indent=2, ensure_ascii=False,
                                                                 allow_nan=False), "    "))
        separator = ","
    write(("\n  ]" if separator else "]") + tail)
