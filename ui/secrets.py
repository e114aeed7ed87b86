"""Sections of Streamlit's secrets as plain dicts, whether or not a secrets file exists."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st


def section(name: str) -> dict[str, Any]:
    """A secrets section; {} when absent, or when there is no secrets file or it does not parse."""
    try:
        value = st.secrets.get(name)
    except Exception:  # no secrets file, or one that does not parse
        return {}
    return dict(value) if isinstance(value, Mapping) else {}
