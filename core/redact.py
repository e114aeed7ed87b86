"""Database URLs as they may be shown: the password and secret query parameters masked. No I/O."""
from __future__ import annotations

from sqlalchemy.engine import URL, make_url

MASK = "***"
# libpq and driver options that hold a secret or point at one
SECRET_PARAMETERS = frozenset({"password", "sslpassword", "passfile", "sslkey", "sslcert", "token", "secret",
                               "api_key", "apikey", "access_token", "auth_token", "key", "client_secret"})


def mask_url(url: str | URL) -> str:
    """``url`` with its user-info password (SQLAlchemy's own masking) and secret query values as ``***``.

    A text that is not a URL is not echoed at all: it could be a password pasted in the wrong place.
    """
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except Exception:  # noqa: BLE001 (make_url raises ArgumentError, ValueError, TypeError)
        return "(not a database URL)"
    query = {name: (MASK if _is_secret(name) else value) for name, value in parsed.query.items()}
    return parsed.set(query=query).render_as_string(hide_password=True).replace("%2A%2A%2A", MASK)


def secrets_in(url: URL) -> list[str]:
    """The secret values in ``url`` (its password, secret query values), to scrub from error texts."""
    values = [url.password or ""] + [value for name, values in url.query.items() if _is_secret(name)
                                     for value in ((values,) if isinstance(values, str) else values)]
    return sorted({value for value in values if value}, key=len, reverse=True)


def _is_secret(name: str) -> bool:
    low = name.lower()
    return low in SECRET_PARAMETERS or any(word in low for word in ("password", "secret", "token"))
