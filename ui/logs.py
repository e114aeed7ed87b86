"""Operational log lines of the app: one handler for the ``core`` and ``ui`` loggers, set up once.

``core.client`` logs one line per API batch and ``ui.data`` one line per load (ids count,
outcomes, seconds); ``ui.gate`` logs access decisions. None of them logs credentials, the
typed password, prompts or answers. Lines go to stderr (``docker logs``, the Cloud log
pane); the level is the ``log_level`` setting (``AIVIS_LOG_LEVEL``, default INFO). Streamlit's own logger and other
libraries' loggers are left alone.
"""
from __future__ import annotations

import logging
import sys

LOGGERS = ("core", "ui")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(level: str = "INFO") -> None:
    """Attach one stderr handler to the app's loggers; calling it again changes nothing."""
    level = level.upper()
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if any(getattr(h, "_aivis", False) for h in logger.handlers):
            continue
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        handler._aivis = True  # type: ignore[attr-defined]  # marks ours, so a re-import adds none
        logger.addHandler(handler)
        logger.setLevel(level if level in logging.getLevelNamesMapping() else "INFO")
        logger.propagate = False  # the root logger may have a handler too: one line, not two
