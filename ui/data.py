"""Settings and loading for the pages: credentials, the data source, the loaded tables.

Credentials come from Streamlit secrets (``[dataforseo]``) or the environment and never
reach a cache key in clear: an account is keyed by a hash. A loaded batch is kept in the
session, so reruns and page switches cost nothing; completed results are kept in the
archive, so a new session or a shared link does not request them again.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

import streamlit as st

from core import loader
from core.client import Batch, Client
from core.config import Credentials, base_url_from_env
from core.demo import demo_ids
from core.sources import make_source
from core.tables import Tables, build_tables


@dataclass(frozen=True)
class Settings:
    credentials: Credentials | None
    base_url: str
    demo_only: bool = False

    @property
    def demo(self) -> bool:
        return self.demo_only or self.credentials is None

    @property
    def account_key(self) -> str:
        """Identifies the account in cache keys without revealing it."""
        if self.demo:
            return "demo"
        raw = f"{self.credentials.login}\0{self.credentials.password}\0{self.base_url}"
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _secret(section: str, name: str) -> str:
    try:
        return str(st.secrets.get(section, {}).get(name, "") or "")
    except Exception:  # no secrets file, or one that does not parse: fall back to the environment
        return ""


def settings() -> Settings:
    login = _secret("dataforseo", "login") or os.environ.get("DATAFORSEO_LOGIN", "")
    password = _secret("dataforseo", "password") or os.environ.get("DATAFORSEO_PASSWORD", "")
    demo_only = os.environ.get("AIVIS_DEMO_ONLY", "").lower() in ("1", "true", "yes") \
        or _secret("aivis", "demo_only").lower() in ("1", "true", "yes")
    credentials = Credentials(login.strip(), password) if login.strip() and password else None
    return Settings(credentials, _secret("dataforseo", "base_url") or base_url_from_env(), demo_only)


@dataclass(frozen=True)
class Loaded:
    ids: tuple[str, ...]
    engine: str
    demo: bool
    batch: Batch
    tables: Tables


def client(config: Settings) -> Client | None:
    return None if config.demo else make_source(config.credentials, config.base_url)


def load(ids: list[str], engine: str, config: Settings, refresh: int = 0) -> Loaded:
    """The loaded tables for these ids, from the session memo or, with a progress bar, the source."""
    ids = ids or (demo_ids() if config.demo else [])
    key = (tuple(ids), engine, config.account_key, refresh)
    memo = st.session_state.get("_loaded")
    if memo and memo[0] == key:
        return memo[1]
    bar = st.progress(0.0, text=f"Loading {len(ids)} tasks ...") if ids else None

    def progress(done: int, total: int, outcome) -> None:
        bar.progress(done / total, text=f"Loaded {done} of {total} tasks")

    source = make_source(config.credentials, config.base_url, config.demo_only)
    batch = loader.load(ids, engine, source, progress=progress if bar else None)
    if bar:
        bar.empty()
    loaded = Loaded(tuple(ids), engine, config.demo, batch, build_tables(batch.outcomes))
    st.session_state["_loaded"] = (key, loaded)
    return loaded


@st.cache_data(ttl=300, show_spinner="Asking DataForSEO for ready tasks ...")
def tasks_ready(engine: str, account_key: str, _client: Client) -> list[dict]:
    """Completed, not yet collected tasks of the last 3 days (a failure raises: not cached)."""
    return _client.tasks_ready(engine)
