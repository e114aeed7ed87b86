"""Task ids from whatever a person pastes, uploads or links.

Real ids look like UUIDs (8-4-4-4-12 characters). Ids are trimmed and lower-cased,
duplicates dropped keeping the first, and malformed ones returned with the reason so
a page can name each one.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from core.text import decode_upload

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SHAPE = re.compile(r"[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}")
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


def why_malformed(token: str) -> str | None:
    """None for a well-formed id, else a short reason a person understands."""
    if _UUID.fullmatch(token):
        return None
    if _SHAPE.fullmatch(token):
        return "has letters that are not hexadecimal (only 0-9 and a-f)"
    parts = token.split("-")
    if len(parts) != 5:
        return f"has {len(parts)} parts; an id has 5 groups of 8-4-4-4-12 characters"
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
