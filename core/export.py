"""Tables as downloadable files: CSV, one Excel workbook, one JSON bundle; the app and the CLI use these.

Cells are untrusted (LLM text, model names, tags): a text cell starting with ``= + - @``, a tab or a
carriage return would run as a formula in a spreadsheet, so it gets a leading apostrophe in CSV and
Excel, in every text column (category columns such as model, engine and status included). CSV rows end
in CRLF, so a field holding a bare carriage return or a newline is quoted and never splits its row.
Integer columns stay integers when a row lacks a value (nullable ``Int64``: ``20000``, never ``20000.0``).
"""
from __future__ import annotations

import io
import json

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def to_excel(frames: dict[str, pd.DataFrame]) -> bytes:
    """One workbook, a sheet per table (names cut to Excel's 31 characters)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in frames.items():
            _excel_safe(_defused(frame)).to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()


def to_json(frames: dict[str, pd.DataFrame], about: dict | None = None) -> bytes:
    """One JSON object: ``about`` (what the view is) plus a list of records per table."""
    bundle = {"about": about or {}}
    for name, frame in frames.items():
        bundle[name] = json.loads(frame.to_json(orient="records", date_format="iso"))
    return json.dumps(bundle, ensure_ascii=False, indent=1).encode("utf-8")
