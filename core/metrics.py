"""Summaries shared by the CLI and the pages; each says what it counts and out of how many."""
from __future__ import annotations

import pandas as pd

from core.tables import TOKEN_FIELDS

USAGE_FIELDS = (*TOKEN_FIELDS, "money_spent", "cost")


def domain_counts(citations: pd.DataFrame, answers_total: int, by: str = "domain") -> pd.DataFrame:
    """Per cited site: citations, share of all citations, answers citing it and their share.

    ``answers_total`` is the number of completed answers the citations come from, so the
    answer share counts every completed answer, including those that cite nothing.
    """
    columns = [by, "citations", "citation_share", "answers", "answer_share"]
    cited = citations.dropna(subset=[by])
    if cited.empty:
        return pd.DataFrame(columns=columns)
    grouped = cited.groupby(by, observed=True).agg(citations=("task_id", "size"),
                                                    answers=("task_id", "nunique")).reset_index()
    grouped["citation_share"] = grouped["citations"] / len(citations)
    grouped["answer_share"] = grouped["answers"] / max(answers_total, 1)
    return grouped.sort_values(["citations", by], ascending=[False, True],
                               ignore_index=True)[columns]


def usage_totals(tasks: pd.DataFrame) -> dict[str, float]:
    """Tokens, money_spent and cost summed over completed tasks only."""
    completed = tasks[tasks["status"] == "completed"]
    totals = {field: completed[field].sum() for field in USAGE_FIELDS}
    return {k: (int(v) if k in TOKEN_FIELDS else round(float(v), 6)) for k, v in totals.items()}
