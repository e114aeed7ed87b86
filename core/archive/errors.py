"""How the archive turns database and file errors into one :class:`ArchiveError` a person can act on."""
from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import URL

from core.archive.schema import BUSY_TIMEOUT_SECONDS, ArchiveError
from core.config import ARCHIVE_ENV as ENV_VAR

if TYPE_CHECKING:
    from core.archive.store import Archive


class Guard:
    """``with``: turns database and file errors into an :class:`ArchiveError` for ``archive``."""

    def __init__(self, archive: "Archive", what: str):
        self.archive, self.what = archive, what

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> bool:
        if isinstance(exc, (sa.exc.SQLAlchemyError, sqlite3.Error, OSError, json.JSONDecodeError)):
            raise self.archive._error(self.what, exc) from None
        return False


def explain(exc: BaseException, archive: "Archive") -> str:
    """What went wrong and what to do, in a sentence or two."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    detail = text.splitlines()[0].rstrip(".") if text else type(exc).__name__
    low = detail.lower()
    fix_elsewhere = f"or set {ENV_VAR} to another archive"
    if "not a database" in low or "malformed" in low or "file is encrypted" in low:
        return (f"{detail}. The file is damaged or is not an archive: move it away (a new, empty archive "
                f"is then created there; `python -m core archive import` can refill it from an export) "
                f"{fix_elsewhere}.")
    if "locked" in low or "busy" in low:
        return (f"{detail}. Another process held the archive for over {BUSY_TIMEOUT_SECONDS} s: "
                "try again when it is done.")
    if "unable to open" in low or "readonly" in low or "read-only" in low or isinstance(exc, OSError):
        return f"{detail}. Check that the folder exists and is writable {fix_elsewhere}."
    if "disk" in low and "full" in low:
        return f"{detail}. Free some disk space {fix_elsewhere}."
    if archive.url.get_backend_name() == "postgresql" and isinstance(exc, sa.exc.OperationalError):
        return f"{detail}. Check that the PostgreSQL server is running and the URL is right."
    return f"{detail}. Check the archive {fix_elsewhere}."


def parse_url(url: str | URL) -> URL:
    if isinstance(url, URL):
        parsed = url
    else:
        try:
            parsed = sa.make_url(url)
        except (sa.exc.ArgumentError, ValueError):
            raise ArchiveError(  # the text is not echoed: it could hold a password
                f"{ENV_VAR} is not a database URL: use e.g. sqlite:////home/me/archive.sqlite or "
                "postgresql+psycopg://user:password@host/dbname.") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver installed
    return parsed


