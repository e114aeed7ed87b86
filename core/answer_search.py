"""Which answers a search finds, and the few of them a picker offers: pure, no I/O, no Streamlit.

A year of history holds a million answers; a person picks one by searching, and only the newest
matches are offered. Both steps are vectorised over an ``answers`` table (:mod:`core.tables`) and
return row positions, so a caller keeps a small integer array rather than a copy of the rows.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.model import engine_label
from core.tables import contains

SEARCHED = ("prompt", "model")  # and the engine as people read it (``ChatGPT``), and the task id
ID_CHARACTERS = frozenset("0123456789abcdef-")  # all a task id holds: other text cannot be in one


def search_answers(answers: pd.DataFrame, text: str) -> np.ndarray:
    """Positions of the rows whose prompt, model, engine label or task id holds ``text`` (case-insensitive,
    literal), in table order; every row when ``text`` is blank."""
    text = text.strip()
    if not text:
        return np.arange(len(answers))
    found = contains(answers["engine"].map(engine_label), text)  # categorical: mapped per category
    for column in SEARCHED:
        found |= contains(answers[column], text)
    if ID_CHARACTERS.issuperset(text.lower()):  # the ids are the costliest column: a million distinct texts
        found |= contains(answers["task_id"], text)
    return np.flatnonzero(found.to_numpy())


def newest(answers: pd.DataFrame, positions: np.ndarray, limit: int) -> np.ndarray:
    """At most ``limit`` of ``positions``, newest answer first, undated ones last (a partial sort: linear)."""
    later = ~answers["datetime"].array.asi8[positions]  # ~t: smaller is later, and NaT (min int64) the largest
    if len(positions) > limit:
        top = np.argpartition(later, limit)[:limit]
        positions, later = positions[top], later[top]
    return positions[np.lexsort((positions, later))]  # same time: table order
