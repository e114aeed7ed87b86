"""Text from outside (replies, uploads, hosts): bidi controls removed, uploaded bytes decoded or refused.

Never renders anything: ``ui.safe`` escapes for markdown and ``ui.charts`` for plotly, both on top of
:func:`without_bidi`.
"""
from __future__ import annotations

import re

# LRE RLE PDF LRO RLO, LRI RLI FSI PDI, LRM RLM, ALM: each can reverse or reorder the text after it
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")  # never in a text file (\t \n \v \f \r \x1b are)
_SNIFF_BYTES = 8192


class NotTextError(ValueError):
    """An upload that is not a text file; the message says what was expected."""


def without_bidi(text: str) -> str:
    """``text`` without the Unicode bidirectional controls that make shown text lie about its order."""
    return _BIDI.sub("", text)


def decode_upload(content: bytes | str, expected: str = "a CSV or text file", strict: bool = False) -> str:
    """The text of an uploaded file: UTF-8 (a BOM is skipped) or UTF-16 with its BOM.

    A file with NUL or other control bytes in its first 8 KB is refused with :class:`NotTextError`.
    ``strict`` also refuses bytes that are not UTF-8; otherwise they are replaced (an old Excel for Mac
    CSV in Mac Roman still gives its ASCII ids).
    """
    if isinstance(content, str):
        return content
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise NotTextError(f"This is not a text file: expected {expected}.") from None
    if _CONTROL.search(content[:_SNIFF_BYTES]):
        raise NotTextError(f"This is not a text file (it has binary bytes): expected {expected}.")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        if strict:
            raise NotTextError(f"This file is not UTF-8 text: expected {expected}.") from None
        return content.decode("utf-8-sig", errors="replace")


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``1 completed answer``, ``2 completed answers``: a count with its noun in the right number."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
