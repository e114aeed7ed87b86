"""Settings, the archive, the API client and loading, for the pages.

Credentials come from :mod:`core.config` (Streamlit secrets, then the environment) and never
reach a cache key in clear: an account and an archive are keyed by a hash. A loaded batch is
kept in the session, so reruns and page switches cost nothing; completed results are kept in
the archive, so a new session or a shared link does not request them again.

What is computed from the tables is kept once per process (:func:`memo`), under the tables' key
(what they were made from) and the inputs: sessions looking at the same data share it, and a
session holds its inputs, not copies. The whole archive is read once per process and archive
generation (:class:`ArchiveView`): every viewer of it shares the same tables.
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from core import loader
from core.archive import Archive, ArchiveError, Facets
from core.client import Client
from core.config import Settings
from core.brands import BrandSet
from core.demo import DemoSource, demo_ids
from core.mentions import mentions_table
from core.model import Batch
from core.tables import Tables, build_tables
from core.text import counted
from core.themes import QueryClusters, Themes, cluster_queries, find_themes
from ui import logs, secrets, state

log = logging.getLogger(__name__)


def settings() -> Settings:
    config = Settings.resolve(secrets.mapping())
    logs.configure(config.log_level)  # once per process: the core/ui log lines go to stderr
    return config


@dataclass(frozen=True)
class Loaded:
    ids: tuple[str, ...]
    engine: str | None  # None: each id's engine was detected
    demo: bool
    batch: Batch
    tables: Tables
    from_archive: bool = False
    refreshing: bool = False  # the archive changed: newer answers are being read behind these


@st.cache_resource(show_spinner=False)
def _open_archive(archive_key: str, _url: str) -> Archive:
    """One archive connection pool per process and archive (keyed by a hash: the URL may hold a password)."""
    return Archive(_url)


def archive(config: Settings) -> tuple[Archive | None, str | None]:
    """The archive and None, or None and why it cannot be used. The demo never touches it."""
    if config.demo:
        return None, None
    try:
        return _open_archive(config.archive_key, config.archive_url), None
    except ArchiveError as exc:  # not cached: the next run tries again
        return None, str(exc)


def archive_summary(config: Settings, store: Archive) -> tuple[Facets, int]:
    """What the archive spans (its facets) and how many rows it holds, kept per generation: the Load page
    shows them on every rerun, and at a year's scale each is a scan."""
    return memo("archive_summary", (config.archive_key, store.generation()),
                lambda: (store.facets(), store.count(status=None)))


def arrived_since(config: Settings, store: Archive, when) -> int:
    """Completed answers archived after ``when`` (the last collection), kept per generation."""
    return memo("arrived_since", (config.archive_key, store.generation(), when), lambda: store.count_fetched_since(when))


def client(config: Settings) -> Client:
    """This session's live client (not for the demo); a new account closes the old one."""
    slot = st.session_state.get(state.CLIENT)
    if slot is None or slot[0] != config.account_key:
        if slot is not None:
            slot[1].close()
        slot = (config.account_key, Client(config.credentials, config.base_url))
        st.session_state[state.CLIENT] = slot
    return slot[1]


def load(ids: list[str], engine: str | None, config: Settings, store: Archive | None,
         archive_error: str | None, refresh: int = 0, whole_archive: bool = False) -> Loaded:
    """The loaded tables for these ids (or the whole archive), from the session memo or the source.

    Completed results come from the archive when it has them; the rest are requested with a
    progress bar and archived. The demo reads its bundled data and writes nothing. The whole
    archive comes from its stored facts, read once per process and generation, not per session.
    """
    if whole_archive:
        return _whole_archive(config, store, archive_error)
    ids = ids or (demo_ids() if config.demo else [])
    key = (tuple(ids), engine, config.account_key, refresh)
    slot = st.session_state.get(state.LOADED)
    if slot is None or slot[0] != key:
        slot = (key, _load(ids, engine, config, store, archive_error))
        st.session_state[state.LOADED] = slot
    return slot[1]


def fingerprint(values) -> str:
    """A short hash of values (task ids, ...): a memo key that does not keep the values."""
    return hashlib.sha256("\n".join(map(str, values)).encode()).hexdigest()[:16]


class _Shared:
    """Results kept for every session of the process, the latest ``per_name`` of each name (least recently
    used dropped first), so sessions with different filters cannot grow it without bound."""

    def __init__(self, per_name: int = 6):
        self.per_name, self.lock, self.slots = per_name, threading.Lock(), {}

    def get(self, name: str, key: object, compute):
        with self.lock:
            slots = self.slots.setdefault(name, OrderedDict())
            if key in slots:
                slots.move_to_end(key)
                return slots[key]
        value = compute()  # outside the lock: another session's different work is not held up
        with self.lock:
            slots[key] = value
            while len(slots) > self.per_name:
                slots.popitem(last=False)
        return value


@st.cache_resource(show_spinner=False)
def _shared() -> _Shared:
    return _Shared()


def memo(name: str, key: object, compute):
    """``compute()``, kept for this process under ``name`` and ``key`` (what it depends on: a tables' key and
    the inputs): reruns, page switches and other sessions looking at the same data reuse it. The value is
    shared, so it is never changed in place."""
    return _shared().get(name, key, compute)


SYNC_READ_ANSWERS = 50_000  # an archive up to this size is read again at once after a write (a few seconds)


def _whole_archive(config: Settings, store: Archive | None, archive_error: str | None) -> Loaded:
    try:
        if store is not None:
            prices = tuple(sorted(config.task_prices.items()))
            with st.spinner("Opening the archive ..."):
                return _archive_view(config.archive_key, prices).get(store, store.generation(), config.demo)
    except ArchiveError as exc:
        archive_error = str(exc)
    return Loaded((), None, config.demo, Batch([], archive_error=archive_error), build_tables([]), True)


class ArchiveView:
    """The tables last read from one archive (every completed answer, from its facts), shared by every viewer.

    A write gives the archive a new generation. A small archive is then read again at once; a large one in a
    background thread, while viewers keep the tables they have, told that newer answers are on their way
    (``Loaded.refreshing``): a collection every 30 minutes never makes a viewer wait for a year of answers.
    """

    def __init__(self, archive_key: str, prices: tuple):
        self.archive_key, self.prices, self.lock, self.read_lock = archive_key, prices, threading.Lock(), threading.Lock()
        self.read: tuple[str, Loaded] | None = None
        self.reading: str | None = None  # the generation a background read is reading

    def get(self, store: Archive, generation: str, demo: bool) -> Loaded:
        read = self.read
        if read is not None and read[0] == generation:
            return read[1]
        if read is not None and len(read[1].tables.answers) > SYNC_READ_ANSWERS:
            with self.lock:
                if self.reading != generation:
                    self.reading = generation
                    threading.Thread(target=self._read_behind, args=(store, generation, demo), daemon=True,
                                     name="aivis-archive-read").start()
            return replace(read[1], refreshing=True)
        with self.read_lock:  # one read at a time: viewers arriving together wait for the same one
            if self.read is None or self.read[0] != generation:
                self.read = (generation, self._read_now(store, generation, demo))
            return self.read[1]

    def _read_behind(self, store: Archive, generation: str, demo: bool) -> None:
        try:
            loaded = self._read_now(store, generation, demo)
        except ArchiveError as exc:  # the viewers keep what they have; the next run tries again
            log.warning("archive not read again: %s", exc)
            loaded = None
        with self.lock:
            if loaded is not None:
                self.read = (generation, loaded)
            self.reading = None

    def _read_now(self, store: Archive, generation: str, demo: bool) -> Loaded:
        started = time.monotonic()
        tables = store.tables(prices=dict(self.prices)).keyed(f"archive:{self.archive_key}:{generation}:{self.prices}")
        log.info("archive read answers=%d citations=%d seconds=%.2f", len(tables.answers), len(tables.citations),
                 time.monotonic() - started)
        return Loaded(tuple(tables.answers["task_id"]), None, demo, Batch([]), tables, True)


@st.cache_resource(show_spinner=False)
def _archive_view(archive_key: str, prices: tuple) -> ArchiveView:
    return ArchiveView(archive_key, prices)


class MentionScan:
    """The brand mentions of every answer read so far from one archive, for one brand set: answers do not
    change once archived, so a newer read of the archive scans only the answers it has not seen."""

    def __init__(self):
        self.lock, self.seen, self.found, self.shown = threading.Lock(), set(), None, ("", None)

    def of(self, tables: Tables, brands: BrandSet) -> pd.DataFrame:
        """The mentions in ``tables.answers``; kept under ``tables.key`` so a rerun costs nothing."""
        with self.lock:
            if self.shown[0] == tables.key:
                return self.shown[1]
            answers = tables.answers
            new = answers[~answers["task_id"].isin(self.seen)] if self.seen else answers
            if self.found is None or len(new):
                scanned = mentions_table(new, brands, snippets=False)
                self.found = scanned if self.found is None else pd.concat([self.found, scanned], ignore_index=True)
                self.seen.update(new["task_id"])
            shown = self.found
            if len(self.seen) > len(answers):  # a reply no longer read as an answer: its rows are left out
                shown = shown[shown["task_id"].isin(set(answers["task_id"]))]
            self.shown = (tables.key, shown)
            return shown


@st.cache_resource(max_entries=8, show_spinner=False)
def _mention_scan(archive_key: str, brands_key: object) -> MentionScan:
    return MentionScan()


def mentions(loaded: Loaded, brands: BrandSet, brands_key: object, archive_key: str) -> pd.DataFrame:
    """Where each loaded answer names a tracked brand (``core.mentions.mentions_table``, no snippets), scanned
    once per brand set: per archive (new answers only after a write), else per loaded set of answers."""
    if loaded.from_archive:
        return _mention_scan(archive_key, brands_key).of(loaded.tables, brands)
    return memo("mentions", (loaded.tables.key, brands_key),
                lambda: mentions_table(loaded.tables.answers, brands, snippets=False))


def _load(ids: list[str], engine: str | None, config: Settings, store: Archive | None,
          archive_error: str | None) -> Loaded:
    bar = st.progress(0.0, text=f"Loading {counted(len(ids), 'task')} ...") if ids else None

    def progress(done: int, total: int, outcome) -> None:
        bar.progress(done / total, text=f"Loaded {done} of {total} tasks")

    source = DemoSource() if config.demo else client(config)
    batch = loader.load(ids, engine, source, store, progress=progress if bar else None)
    batch.archive_error = batch.archive_error or archive_error
    if bar:
        bar.empty()
    # One line per load for the operator: counts and timing only, never credentials nor answers.
    if batch.outcomes:
        log.info("load engine=%s ids=%d source=%s outcomes=%s seconds=%.2f%s", engine or "auto",
                 len(batch.outcomes), "demo" if config.demo else "api", batch.counts(), batch.seconds,
                 f" stopped={type(batch.error).__name__}" if batch.error else "")
    made_of = fingerprint(f"{o.task_id} {o.engine} {o.status}" for o in batch.outcomes)
    tables = build_tables(batch.outcomes, config.task_prices).keyed(f"ids:{made_of}:{sorted(config.task_prices.items())}")
    return Loaded(tuple(ids), engine, config.demo, batch, tables)


@st.cache_data(ttl=300, show_spinner="Asking DataForSEO for ready tasks ...")
def tasks_ready(engine: str, account_key: str, _client: Client) -> list[dict]:
    """Completed, not yet collected tasks of the last 3 days (a failure raises: not cached)."""
    return _client.tasks_ready(engine)


@st.cache_data(max_entries=8, show_spinner=False)
def _query_clusters(queries_hash: str, max_themes: int | None, _queries: tuple[str, ...]) -> QueryClusters:
    """The costly clustering of one set of distinct queries, shared by every session of the process."""
    return cluster_queries(_queries, max_themes)


def fan_out_themes(fan_out: pd.DataFrame, citations: pd.DataFrame, max_themes: int | None, key: object) -> Themes:
    """Fan-out themes, kept for the process under ``key`` (the tables' key and the number of themes)."""
    def compute() -> Themes:
        queries = sorted({q for q in fan_out["query"] if isinstance(q, str)})
        queries_hash = hashlib.sha256(json.dumps(queries).encode()).hexdigest()
        clusters = _query_clusters(queries_hash, max_themes, tuple(queries))
        return find_themes(fan_out, citations, max_themes, clusters=clusters)
    return memo("themes", key, compute)
