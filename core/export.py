"""Tables as downloadable files: CSV, one Excel workbook, one JSON bundle.

LLM text is untrusted: a cell starting with ``=``, ``+``, ``-`` or ``@`` would run as a
formula in a spreadsheet, so such strings get a leading apostrophe in CSV and Excel.
"""
from __future__ import annotations

import io
import json

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defused(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or isinstance(out[column].dtype, pd.StringDtype):
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v)
        elif isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_convert("UTC").dt.tz_localize(None)
    return out


def to_csv(frame: pd.DataFrame) -> bytes:
    return _defused(frame).to_csv(index=False).encode("utf-8")


def to_excel(frames: dict[str, pd.DataFrame]) -> bytes:
    """One workbook, a sheet per table (names cut to Excel's 31 characters)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in frames.items():
            _defused(frame).to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()


def to_json(frames: dict[str, pd.DataFrame], about: dict | None = None) -> bytes:
    """One JSON object: ``about`` (what the view is) plus a list of records per table."""
    bundle = {"about": about or {}}
    for name, frame in frames.items():
        bundle[name] = json.loads(frame.to_json(orient="records", date_format="iso"))
    return json.dumps(bundle, ensure_ascii=False, indent=1).encode("utf-8")
