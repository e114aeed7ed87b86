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
