"""Task ids from whatever a person pastes, uploads or links: the one rule for an id.

An id is five groups of 8-4-4-4-12 letters and digits, as the API documents (real ids are
UUID-shaped hex; the documented example has other letters), in any case. Ids are trimmed
and lower-cased, pulled out of pasted ``.../task_get/<id>`` URLs, duplicates dropped
keeping the first, and everything else returned with the reason so a page can name each
one. :func:`is_task_id` is what every other entry point (URL, archive import, request
paths) checks.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from core.text import decode_upload

_TASK_ID = re.compile(r"[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}")
_IN_URL = re.compile(r"/task_get/([0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12})(?![0-9a-z-])")
_ID_CHARS = re.compile(r"[0-9a-z-]+")
_SEPARATORS = re.compile(r"[\s,;]+")
_QUOTES = "\"'`“”‘’[](){}<>"
ID_COLUMNS = ("id", "task_id", "task id", "taskid")


@dataclass
class ParsedIds:
    """Valid ids in first-seen order, and ``(text, reason)`` for each malformed one."""

    valid: list[str] = field(default_factory=list)
    malformed: list[tuple[str, str]] = field(default_factory=list)
    duplicates: int = 0

    def __bool__(self) -> bool:
        return bool(self.valid or self.malformed)


def split_list(text: str) -> list[str]:
    """Comma/semicolon/space/newline separated text as a list, trimmed, without empties or repeats."""
    return list(dict.fromkeys(part for part in _SEPARATORS.split(text or "") if part))


def is_task_id(text: object) -> bool:
    """True for a well-formed, lower-case task id (the form every id takes after parsing)."""
    return isinstance(text, str) and _TASK_ID.fullmatch(text) is not None


def why_malformed(token: str) -> str | None:
    """None for a well-formed (lower-case) id, else a short reason a person understands."""
    if _TASK_ID.fullmatch(token):
        return None
    if not _ID_CHARS.fullmatch(token):
        return "not a task id: it has characters other than letters, digits and dashes"
    parts = token.split("-")
    if len(parts) != 5:
        return "not a task id: an id is 5 groups of 8-4-4-4-12 letters and digits"
    lengths = "-".join(str(len(p)) for p in parts)
    return f"groups are {lengths} characters long; an id is 8-4-4-4-12"


def parse_ids(tokens_or_text: str | list[str]) -> ParsedIds:
    """Parse pasted text (newlines, commas, semicolons, spaces, quotes) or a list of tokens."""
    if isinstance(tokens_or_text, str):
        tokens = _SEPARATORS.split(tokens_or_text)
    else:
        tokens = [t for item in tokens_or_text for t in _SEPARATORS.split(str(item))]
    parsed, seen = ParsedIds(), set()
    for raw in tokens:
        token = raw.strip().strip(_QUOTES).strip().lower()
        if not token:
            continue
        in_url = _IN_URL.search(token)
        token = in_url.group(1) if in_url else token
        if token in seen:
            parsed.duplicates += 1
            continue
        seen.add(token)
        reason = why_malformed(token)
        if reason:
            parsed.malformed.append((raw.strip(), reason))
        else:
            parsed.valid.append(token)
    return parsed


def ids_from_upload(content: bytes | str) -> ParsedIds:
    """Ids from a CSV/TXT upload: its ``id``/``task_id`` column, else its first column.

    Any line ends (CRLF, LF, or CR alone as old Excel for Mac wrote them). A binary file raises
    :class:`core.text.NotTextError`, whose message says so.
    """
    text = decode_upload(content, "a CSV or text file of task ids")
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline="")) if any(cell.strip() for cell in row)]
    except csv.Error:  # not CSV after all (a stray quote, a huge field): read it as a list of ids
        return parse_ids(text)
    if not rows:
        return ParsedIds()
    header = [cell.strip().lower() for cell in rows[0]]
    column = next((header.index(name) for name in ID_COLUMNS if name in header), None)
    if column is None:
        if len(rows[0]) == 1:  # a plain list, one or more ids a line
            return parse_ids(text)
        column, body = 0, rows
    else:
        body = rows[1:]
    return parse_ids([row[column] for row in body if len(row) > column])
