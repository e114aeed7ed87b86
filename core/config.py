"""Settings from secrets and the environment: credentials, base URL, limits. Credentials never print."""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_BASE_URL = "https://api.dataforseo.com"
DEFAULT_REQUESTS_PER_MINUTE = 2000  # the help center's figure; user_data gives the account's own
MAX_SIMULTANEOUS = 30  # the API's per-account cap on simultaneous requests
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


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


def is_true(value: object) -> bool:
    """A yes/no setting: ``1``, ``true`` or ``yes`` (any case) in secrets or the environment."""
    return str(value or "").strip().lower() in ("1", "true", "yes")


def is_sha256_hex(text: object) -> bool:
    """True for the 64 hex digits of a SHA-256 digest (how the gate's password is stored)."""
    return bool(_SHA256_HEX.fullmatch(str(text or "").strip().lower()))


@dataclass(frozen=True)
class Settings:
    """What the app and ``python -m core check`` run with."""

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

    @classmethod
    def resolve(cls, secrets: Mapping, environ: Mapping[str, str] | None = None) -> "Settings":
        """From secrets (``[dataforseo]`` login, password, base_url; ``[aivis]`` demo_only) first,
        then the environment."""
        env = os.environ if environ is None else environ
        dataforseo, aivis = secrets.get("dataforseo") or {}, secrets.get("aivis") or {}
        login = str(dataforseo.get("login") or env.get("DATAFORSEO_LOGIN", "")).strip()
        password = str(dataforseo.get("password") or env.get("DATAFORSEO_PASSWORD", ""))
        base_url = str(dataforseo.get("base_url") or base_url_from_env(env)).rstrip("/")
        demo_only = is_true(env.get("AIVIS_DEMO_ONLY")) or is_true(aivis.get("demo_only"))
        return cls(Credentials(login, password) if login and password else None, base_url, demo_only)
