"""Shared fixtures: the fake DataForSEO server and the reply samples."""
from __future__ import annotations

import json
import pathlib
from typing import Any, Callable

import pytest

from tests.fake_dataforseo import FakeDataForSEO

SAMPLES = pathlib.Path(__file__).parent / "samples"


@pytest.fixture
def fake_api():
    """A running fake DataForSEO server, stopped after the test."""
    with FakeDataForSEO() as server:
        yield server


@pytest.fixture
def sample() -> Callable[[str], dict[str, Any]]:
    """A loader: ``sample("pending")`` is the parsed ``tests/samples/pending.json``."""
    def load(name: str) -> dict[str, Any]:
        return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return load


@pytest.fixture
def api_env(fake_api, monkeypatch):
    """DATAFORSEO_LOGIN, _PASSWORD and _BASE_URL pointing at ``fake_api``; yields the server."""
    monkeypatch.setenv("DATAFORSEO_LOGIN", fake_api.login)
    monkeypatch.setenv("DATAFORSEO_PASSWORD", fake_api.password)
    monkeypatch.setenv("DATAFORSEO_BASE_URL", fake_api.base_url)
    return fake_api


ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def private_archive(monkeypatch, tmp_path):
    """Every test gets its own archive file, so nothing touches the user's real one."""
    monkeypatch.setenv("AIVIS_ARCHIVE_URL", f"sqlite:///{tmp_path / 'archive.sqlite'}")


@pytest.fixture
def demo_env(monkeypatch):
    """No credentials configured: the app runs on the bundled demo data."""
    for name in ("DATAFORSEO_LOGIN", "DATAFORSEO_PASSWORD", "DATAFORSEO_BASE_URL", "AIVIS_DEMO_ONLY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def app():
    """A factory of AppTests of the dashboard: ``app(page="pages/domains.py", ids=[...], **params)``."""
    from streamlit.testing.v1 import AppTest

    def make(page: str | None = None, **params) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        for name, value in params.items():
            at.query_params[name] = ",".join(value) if isinstance(value, list) else value
        at.run()
        if page:
            at.switch_page(page)
            at.run()
        assert not at.exception, at.exception
        return at
    return make
