"""Tables with readable columns, safe links and a CSV download; the whole view as Excel or JSON."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core import export

COLUMN_CONFIG = {
    "task_id": st.column_config.TextColumn("Task id", width="small"),
    "link": st.column_config.LinkColumn("Link", help="Only http/https links are clickable", width="medium"),
    "datetime": st.column_config.DatetimeColumn("Answered (UTC)", format="YYYY-MM-DD HH:mm"),
    "money_spent": st.column_config.NumberColumn("Money spent (USD)", format="$%.4f"),
    "cost": st.column_config.NumberColumn("Task cost (USD)", format="$%.4f"),
    "citation_share": st.column_config.ProgressColumn("Share of citations", format="percent", min_value=0, max_value=1),
    "answer_share": st.column_config.ProgressColumn("Share of answers", format="percent", min_value=0, max_value=1),
    "status_code": st.column_config.NumberColumn("Code", format="%d"),
}


def table(frame: pd.DataFrame, name: str, key: str, columns: list[str] | None = None,
          height: int | str = "auto") -> None:
    """Show ``frame`` (optionally only ``columns``) with a CSV download of exactly what is shown."""
    shown = frame[columns] if columns else frame
    st.dataframe(shown, key=key, hide_index=True, height=height,
                 column_config={c: COLUMN_CONFIG[c] for c in shown.columns if c in COLUMN_CONFIG})
    st.download_button(f"CSV ({len(shown)} rows)", export.to_csv(shown), file_name=f"{name}.csv",
                       mime="text/csv", icon=":material/download:", key=f"{key}_csv")


def view_downloads(frames: dict[str, pd.DataFrame], about: dict, key: str) -> None:
    """The whole view as one Excel workbook or one JSON bundle."""
    left, right = st.columns(2)
    left.download_button("Excel workbook", export.to_excel(frames), file_name="ai-visibility.xlsx",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         icon=":material/table_view:", key=f"{key}_xlsx")
    right.download_button("JSON bundle", export.to_json(frames, about), file_name="ai-visibility.json",
                          mime="application/json", icon=":material/data_object:", key=f"{key}_json")
