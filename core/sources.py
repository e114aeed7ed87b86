"""Where task results come from: the live API when credentials are set, else the demo data."""
from __future__ import annotations

from core.client import Client
from core.config import Settings
from core.demo import DemoSource


def make_source(settings: Settings, **client_options) -> Client | DemoSource:
    """A live :class:`Client` for real credentials; the demo data without them or when locked to it."""
    if settings.demo:
        return DemoSource()
    return Client(settings.credentials, settings.base_url, **client_options)
