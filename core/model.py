"""The vocabulary every layer shares: engines, task statuses, a task's outcome, a batch of them.

No I/O and no parsing of replies (that is :mod:`core.sansio`); an engine named by a person (a
page's input, a CLI argument, a URL) is checked here, at the edge where it enters, by
:func:`parse_engine`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from core import errors

if TYPE_CHECKING:
    from core.task import TaskRecord

ENGINES = ("gemini", "chat_gpt", "claude")
ENGINE_LABELS = {"gemini": "Gemini", "chat_gpt": "ChatGPT", "claude": "Claude"}
NO_TASK_RESULTS = {
    "perplexity": "Perplexity is Live-only at DataForSEO: it has no task_get, so its answers "
    "cannot be loaded by task id. Use Gemini, ChatGPT or Claude.",
}

# The outcome of one task id, in the order a status table lists them.
COMPLETED, NO_ANSWER, PENDING, NOT_FOUND, EXPIRED, WRONG_ENGINE, FAILED, SKIPPED = (
    "completed", "completed, no answer", "pending", "not found", "expired", "wrong engine or account",
    "failed", "not requested",
)
STATUSES = (COMPLETED, NO_ANSWER, PENDING, NOT_FOUND, EXPIRED, WRONG_ENGINE, FAILED, SKIPPED)
STATUS_HELP = {
    COMPLETED: "The answer is here.",
    NO_ANSWER: "The task completed but its result holds no answer text: listed, never counted as an answer.",
    PENDING: "Still in the API's queue: load again later.",
    NOT_FOUND: "No such task for this account and engine.",
    EXPIRED: "Older than 30 days: gone from the API (only an archive keeps it).",
    WRONG_ENGINE: "The id belongs to another engine, type or account: check the engine.",
    FAILED: "The API or the network failed for this id, or its reply was malformed; the message says why.",
    SKIPPED: "Not requested because the batch stopped on an account-wide error.",
}
FINAL_STATUSES = (COMPLETED, NO_ANSWER)  # the API's result will not change: never asked again


def engine_label(engine: object) -> str:
    """``Gemini``, ``ChatGPT``, ``Claude``; anything else as given."""
    return ENGINE_LABELS.get(str(engine), str(engine))


def parse_engine(text: object) -> str:
    """The engine named by ``text`` (any case, label or API name), or a ConfigurationError saying why not."""
    name = str(text or "").strip().lower().replace("-", "_").replace(" ", "_")
    name = {"chatgpt": "chat_gpt", "openai": "chat_gpt", "anthropic": "claude", "google": "gemini"}.get(name, name)
    if name in ENGINES:
        return name
    if name in NO_TASK_RESULTS:
        raise errors.ConfigurationError(NO_TASK_RESULTS[name])
    shown = str(text)[:40]
    raise errors.ConfigurationError(
        f"Unknown engine {shown!r}: use one of {', '.join(ENGINE_LABELS.values())}.")


@dataclass(frozen=True)
class TaskOutcome:
    """What one task id came to. ``task`` is the raw task dict the API sent (completed tasks, and
    replies kept for the record); ``record`` its checked reading (:mod:`core.task`) when completed."""

    task_id: str
    engine: str
    status: str
    status_code: int | None = None
    status_message: str = ""
    task: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    record: "TaskRecord | None" = field(default=None, repr=False, compare=False)

    @property
    def completed(self) -> bool:
        return self.status == COMPLETED

    @property
    def final(self) -> bool:
        """True when asking the API again cannot change the outcome."""
        return self.status in FINAL_STATUSES


Progress = Callable[[int, int, TaskOutcome], None]


@dataclass
class Batch:
    """The outcome of each requested id, in the order given, and what stopped the batch, if anything.

    ``archive_error`` is set by :func:`core.loader.load` when the archive could not be read or
    written; ``from_archive`` and ``requested`` say where the outcomes came from.
    """

    outcomes: list[TaskOutcome]
    error: errors.DataForSEOError | None = None
    seconds: float = 0.0
    archive_error: str | None = None
    from_archive: int = 0
    requested: int = 0

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for outcome in self.outcomes:
            counts[outcome.status] += 1
        return {status: n for status, n in counts.items() if n}
