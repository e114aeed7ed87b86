"""Where task results come from: the live API when credentials are set, else the demo data."""
from __future__ import annotations

from core.client import Client
from core.config import Credentials, base_url_from_env
from core.demo import DemoSource


def make_source(credentials: Credentials | None, base_url: str | None = None,
                demo_only: bool = False, **client_options) -> Client | DemoSource:
    """A live :class:`Client` for real credentials; the demo data without them or when locked to it."""
    if demo_only or credentials is None:
        return DemoSource()
    return Client(credentials, base_url or base_url_from_env(), **client_options)
