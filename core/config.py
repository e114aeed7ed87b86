"""Settings from the environment: credentials, base URL, limits. Credentials never print."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_BASE_URL = "https://api.dataforseo.com"
DEFAULT_REQUESTS_PER_MINUTE = 2000  # the help center's figure; user_data gives the account's own
MAX_SIMULTANEOUS = 30  # the API's per-account cap on simultaneous requests


@dataclass(frozen=True)
class Credentials:
    """An API login and password; ``repr`` and ``str`` show the login only."""

    login: str
    password: str = field(repr=False)

    def __str__(self) -> str:
        return f"DataForSEO login {self.login}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Credentials | None":
        env = os.environ if environ is None else environ
        login, password = env.get("DATAFORSEO_LOGIN", "").strip(), env.get("DATAFORSEO_PASSWORD", "")
        return cls(login, password) if login and password else None


def base_url_from_env(environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return (env.get("DATAFORSEO_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
