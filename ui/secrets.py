"""Streamlit's secrets as a plain dict, whether or not a secrets file exists."""
from __future__ import annotations

from typing import Any

import streamlit as st


def mapping() -> dict[str, Any]:
    """Every secret (sections as dicts); {} when there is no secrets file or it does not parse."""
    try:
        return st.secrets.to_dict()
    except Exception:  # no secrets file, or one that does not parse
        return {}
