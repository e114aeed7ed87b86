"""Every setting, read in one place: Streamlit-style secrets first, then the environment.

The app passes ``st.secrets``; the CLI passes :func:`read_secrets_files` (the same
``.streamlit/secrets.toml`` files Streamlit reads), so both run with the same settings.
Nothing else reads the environment: the client, the archive, the gate and the logs take
the values resolved here. Credentials never print.
"""
from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_BASE_URL = "https://api.dataforseo.com"
DEFAULT_REQUESTS_PER_MINUTE = 2000  # the help center's figure; user_data gives the account's own
MAX_SIMULTANEOUS = 30  # the API's per-account cap on simultaneous requests
TASKS_READY_PER_MINUTE = 20  # the API's cap on tasks_ready calls
TASKS_READY_PAGE = 1000  # ids one tasks_ready call lists at most
DEFAULT_COLLECT_EVERY_MINUTES = 30  # tasks_ready lists a task for 3 days: any interval well under that works
ARCHIVE_ENV = "AIVIS_ARCHIVE_URL"
# DataForSEO's price of one task, USD, before the model's own cost (money_spent). task_get serves
# Standard (task_post) tasks; the Standard base price is from a 2025-11-19 announcement seen only in
# a secondary source, hence a setting. Live is listed for completeness.
DEFAULT_TASK_PRICES = {"standard": 0.0002, "live": 0.0006}
SECRETS_FILES = (Path.home() / ".streamlit" / "secrets.toml", Path(".streamlit") / "secrets.toml")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class SettingsError(ValueError):
    """A secrets file or a setting cannot be read; the message names it."""


@dataclass(frozen=True)
class Credentials:
    """An API login and password; ``repr`` and ``str`` show the login only."""

    login: str
    password: str = field(repr=False)

    def __str__(self) -> str:
        return f"DataForSEO login {self.login}"


def is_true(value: object) -> bool:
    """A yes/no setting: ``1``, ``true`` or ``yes`` (any case) in secrets or the environment."""
    return str(value or "").strip().lower() in ("1", "true", "yes")


def is_sha256_hex(text: object) -> bool:
    """True for the 64 hex digits of a SHA-256 digest (how the gate's password is stored)."""
    return bool(_SHA256_HEX.fullmatch(str(text or "").strip().lower()))


def default_archive_url(environ: Mapping[str, str]) -> str:
    """SQLite under ``$XDG_DATA_HOME`` (else ``~/.local/share``)/aivis/archive.sqlite."""
    base = Path(environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:///{base / 'aivis' / 'archive.sqlite'}"


@dataclass(frozen=True)
class Gate:
    """Who may see the app (see :mod:`ui.gate`): ``[auth]`` OIDC, or a shared password's SHA-256."""

    auth: Mapping[str, Any] = field(default_factory=dict, repr=False)
    auth_provider: str = ""
    allowed_emails: tuple[str, ...] = ()
    allowed_email_domains: tuple[str, ...] = ()
    password_sha256: str = field(default="", repr=False)
    max_password_tries: str = ""  # checked by the gate, which stays closed if it is not a count


@dataclass(frozen=True)
class Settings:
    """What the app and every CLI command run with."""

    credentials: Credentials | None
    base_url: str = DEFAULT_BASE_URL
    demo_only: bool = False
    archive_url: str = field(default="", repr=False)  # may hold a database password
    archive_url_is_default: bool = True
    gate: Gate = field(default_factory=Gate)
    log_level: str = "INFO"
    task_prices: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TASK_PRICES))
    collect_every_minutes: int = DEFAULT_COLLECT_EVERY_MINUTES

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

    @property
    def archive_key(self) -> str:
        """Identifies the archive in cache keys without revealing its URL (which may hold a password)."""
        return hashlib.sha256(self.archive_url.encode()).hexdigest()[:16]

    @classmethod
    def resolve(cls, secrets: Mapping, environ: Mapping[str, str] | None = None) -> "Settings":
        """From secrets (``[dataforseo]`` login, password, base_url; ``[aivis]`` demo_only,
        archive_url, password_sha256, ...; ``[auth]``) first, then the environment."""
        env = os.environ if environ is None else environ
        dataforseo, aivis = _section(secrets, "dataforseo"), _section(secrets, "aivis")

        def pick(section: Mapping, key: str, var: str, default: str = "") -> str:
            value = section.get(key)
            return str(value).strip() if value not in (None, "") else str(env.get(var, default)).strip()

        login = pick(dataforseo, "login", "DATAFORSEO_LOGIN")
        password = str(dataforseo.get("password") or env.get("DATAFORSEO_PASSWORD", ""))
        archive_url = (pick(aivis, "archive_url", ARCHIVE_ENV)
                       or str(secrets.get(ARCHIVE_ENV) or "").strip())  # root-level key, as documented before
        gate = Gate(auth=_section(secrets, "auth"), auth_provider=str(aivis.get("auth_provider") or ""),
                    allowed_emails=_strings(aivis.get("allowed_emails")),
                    allowed_email_domains=_strings(aivis.get("allowed_email_domains")),
                    password_sha256=pick(aivis, "password_sha256", "AIVIS_PASSWORD_SHA256").lower(),
                    max_password_tries=pick(aivis, "max_password_tries", "AIVIS_MAX_PASSWORD_TRIES"))
        return cls(
            credentials=Credentials(login, password) if login and password else None,
            base_url=(pick(dataforseo, "base_url", "DATAFORSEO_BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
            demo_only=is_true(env.get("AIVIS_DEMO_ONLY")) or is_true(aivis.get("demo_only")),
            archive_url=archive_url or default_archive_url(env), archive_url_is_default=not archive_url,
            gate=gate, log_level=pick(aivis, "log_level", "AIVIS_LOG_LEVEL", "INFO").upper() or "INFO",
            task_prices=_prices(aivis.get("task_price_usd"), env.get("AIVIS_TASK_PRICE_USD")),
            collect_every_minutes=_minutes(pick(aivis, "collect_every_minutes", "AIVIS_COLLECT_EVERY_MINUTES")),
        )


def read_secrets_files(paths: tuple[Path, ...] = SECRETS_FILES) -> dict[str, Any]:
    """The secrets Streamlit would read (``~/.streamlit`` then the working folder, the later winning)."""
    secrets: dict[str, Any] = {}
    for path in paths:
        try:
            with open(path, "rb") as file:
                secrets.update(tomllib.load(file))
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise SettingsError(f"{path} cannot be read ({exc.strerror})") from None
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path} does not parse ({exc})") from None
    return secrets


def _section(secrets: Mapping, name: str) -> dict[str, Any]:
    value = secrets.get(name)
    return dict(value) if isinstance(value, Mapping) else {}


def _strings(value: object) -> tuple[str, ...]:
    items = value if isinstance(value, (list, tuple)) else [value] if value else []
    return tuple(str(item).strip() for item in items if str(item).strip())


def _minutes(text: str) -> int:
    """``AIVIS_COLLECT_EVERY_MINUTES``: whole minutes, 1 to under 3 days (the span ``tasks_ready`` lists a
    task); a value that is not one is ignored, like a price that is not one."""
    return int(text) if text.isascii() and text.isdigit() and 1 <= int(text) < 3 * 24 * 60 else DEFAULT_COLLECT_EVERY_MINUTES


def _prices(table: object, override: str | None) -> dict[str, float]:
    """The task price table: defaults, then ``[aivis] task_price_usd = {standard = ...}``, then
    ``AIVIS_TASK_PRICE_USD`` (the Standard price). A value that is not a price is ignored."""
    prices = dict(DEFAULT_TASK_PRICES)
    entries = dict(table) if isinstance(table, Mapping) else {}
    if override:
        entries["standard"] = override
    for method, value in entries.items():
        try:
            price = float(value)
        except (TypeError, ValueError):
            continue
        if method in prices and 0 <= price < 10:
            prices[method] = price
    return prices
