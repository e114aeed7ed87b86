"""Load tasks: paste, upload or pick task ids, choose the engine (or let it be found), see each id's outcome."""
from __future__ import annotations

import io

import streamlit as st

from core import model
from core.archive import Archive, ArchiveError, utcnow
from core.collect import collect
from core.ids import ParsedIds, ids_from_upload, parse_ids
from core.tables import status_counts
from core.text import NotTextError, counted, decode_upload
from ui import data, shell, state, tables_ui
from ui.safe import md_text

DETECT = "auto"  # the engine choice that finds each id's engine
ENGINE_CHOICES = [DETECT, *model.ENGINES, "perplexity"]
SOURCES = {"paste": ":material/content_paste: Paste ids", "upload": ":material/upload_file: Upload a file",
           "ready": ":material/checklist: Ready tasks", "archive": ":material/inventory_2: Archive"}
MAX_ID_FILE_BYTES = 5 * 1024 * 1024  # about 130,000 ids
MAX_BROWSER_EXPORT = 20_000  # archived rows a browser download may hold (about 50 MB); beyond it, the CLI streams


def _engine_label(choice: str) -> str:
    return {DETECT: "Find each id's engine", "perplexity": "Perplexity"}.get(choice) or model.engine_label(choice)


def _use(parsed: ParsedIds, where: str) -> None:
    """Make the parsed ids the loaded set (runs as a callback, before the page loads them)."""
    if parsed.malformed:
        state.notice("warning", state.malformed_message(parsed.malformed, where))
    ids = parsed.valid
    if len(ids) > state.MAX_IDS_PER_LOAD:
        state.notice("warning", f"{len(ids)} ids given: the first {state.MAX_IDS_PER_LOAD:,} are loaded. "
                     "Load the rest in further batches, or collect them into the archive with the CLI.")
        ids = ids[:state.MAX_IDS_PER_LOAD]
    if not ids:
        return
    state.put("ids", ids)
    state.put("ref", [])
    state.put("source", [])
    store, _ = data.archive(data.settings())
    if len(ids) > state.URL_ID_LIMIT and store is not None:  # a long list travels as a short reference
        try:
            state.put("ref", store.save_id_list(ids))
        except ArchiveError as exc:
            state.notice("warning", f"The link cannot carry these {len(ids)} ids: {exc}")
    elif len(ids) > state.URL_ID_LIMIT:
        state.notice("info", f"A link carries at most {state.URL_ID_LIMIT} ids without an archive: this view's "
                     f"address leaves out these {len(ids)} ids (they stay loaded in this tab).")


def _on_paste() -> None:
    choice = st.session_state["w_engine"]
    if choice in model.NO_TASK_RESULTS:  # explained, never stored as the engine to ask
        state.notice("warning", model.NO_TASK_RESULTS[choice])
        return
    state.put("engine", [] if choice == DETECT else choice)
    _use(parse_ids(st.session_state.get("w_ids_text", "")), "pasted")


def _on_upload() -> None:
    upload = st.session_state.get("w_upload")
    if upload is None:
        return
    if upload.size > MAX_ID_FILE_BYTES:
        state.notice("error", f"The file is {upload.size / 1e6:.1f} MB: a file of ids may be at most "
                     f"{MAX_ID_FILE_BYTES // 1024 // 1024} MB. Split it, or use the CLI's --ids-file.")
        return
    try:
        _use(ids_from_upload(upload.getvalue()), "in the file")
    except NotTextError as exc:
        state.notice("error", str(exc))


def _on_ready() -> None:
    _use(parse_ids(st.session_state.get("w_ready", [])), "picked")


def _open_whole_archive() -> None:
    state.put("source", "archive")
    state.put("ids", [])
    state.put("ref", [])


def _import_archive() -> None:
    upload = st.session_state.get("w_import")
    store, _ = data.archive(data.settings())
    if upload is not None and store is not None:
        try:
            text = decode_upload(upload.getvalue(), "an archive export (JSON lines)", strict=True)
            state.notice("info", f"Imported {counted(store.import_jsonl(io.StringIO(text)), 'result')}.")
        except (ArchiveError, NotTextError) as exc:
            state.notice("error", f"Nothing imported: {exc}")


def _export_archive(store) -> bytes:
    buffer = io.BytesIO()
    store.export_jsonl(buffer)
    return buffer.getvalue()


def _collection(store: Archive, config) -> None:
    """When the archive last collected, what arrived since, and a button to collect now (live accounts only)."""
    if st.button("Collect now", icon=":material/sync:", key="w_collect",
                 help="Archive every task DataForSEO lists as ready (completed in the last 3 days, not yet "
                      "collected), of all three engines. Free: tasks_ready and task_get cost nothing."):
        with st.spinner("Collecting the ready tasks of every engine ..."):
            try:
                summary = collect(data.client(config), store)
            except ArchiveError as exc:
                summary = None
                st.error(f"Nothing collected: {md_text(exc, limit=1000)}", icon=":material/database:")
        if summary is not None and summary.error:
            st.error(f"The collection stopped: {md_text(summary.error, limit=1000)}", icon=":material/error:")
        elif summary is not None:
            st.text(summary.line() + "".join(f"; {engine} not listed: {problem}"
                                             for engine, problem in summary.listing_errors.items()))
    last = store.last_collection()
    if last is None:
        st.text(f"This archive has not collected yet: collect now, or run `python -m core collect` every "
                f"{counted(config.collect_every_minutes, 'minute')} (docs/deploy.md).")
        return
    minutes = int((utcnow() - last.finished).total_seconds() // 60)
    st.text(f"Last collected {last.finished:%Y-%m-%d %H:%M} UTC ({counted(minutes, 'minute')} ago): {counted(last.new, 'new result')} of "
            f"{last.listed} listed{' (stopped early)' if last.error else ''}; "
            f"{counted(data.arrived_since(config, store, last.finished), 'answer')} arrived since.")
    if minutes > 2 * config.collect_every_minutes:
        st.warning(f"No collection for over {2 * config.collect_every_minutes} minutes (twice "
                   "AIVIS_COLLECT_EVERY_MINUTES): is the collector running? See docs/deploy.md.",
                   icon=":material/schedule:")


def _refresh() -> None:
    st.session_state[state.REFRESH] = st.session_state.get(state.REFRESH, 0) + 1


view = shell.page("Load tasks")

# A segmented control, not tabs: its choice lives in the session, so the page stays where the user is.
source = st.segmented_control("Load from", list(SOURCES), format_func=SOURCES.get, key="w_load_source",
                              default="paste", label_visibility="collapsed") or "paste"
if source == "paste":
    with st.form("paste_ids", border=False):
        engine_now = state.first("engine", DETECT)
        st.selectbox("Engine", ENGINE_CHOICES, index=ENGINE_CHOICES.index(engine_now) if engine_now in
                     ENGINE_CHOICES else 0, key="w_engine", format_func=_engine_label,
                     help="By default each id is asked of Gemini, then ChatGPT, then Claude until one knows it "
                          "(at most 3 requests per id; archived ids are never asked again). Perplexity has no "
                          "task results.")
        st.text_area("Task ids", value="\n".join(state.get("ids")[:state.URL_ID_LIMIT * 10]), key="w_ids_text",
                     height=140, placeholder="One id per line, or separated by commas or spaces; "
                                             "task_get URLs work too")
        st.form_submit_button("Load tasks", icon=":material/play_arrow:", type="primary", on_click=_on_paste)
elif source == "upload":
    st.file_uploader("CSV or TXT of task ids", type=["csv", "txt"], key="w_upload",
                     help="An `id` or `task_id` column, else the first column; or one id per line.")
    st.button("Load the file's ids", icon=":material/upload:", on_click=_on_upload, key="w_load_upload")
elif source == "ready":
    if view.settings.demo:
        st.caption("Ready tasks are listed from a live account; the demo has none.")
    elif st.toggle("List tasks completed in the last 3 days", key="w_list_ready"):
        chosen = state.first("engine")  # every engine's ready tasks unless one engine was chosen
        items = []
        for engine in [chosen] if chosen else model.ENGINES:
            try:
                items += [{**x, "se": engine} for x in
                          data.tasks_ready(engine, view.settings.account_key, data.client(view.settings))]
            except Exception as exc:  # shown once, not cached
                st.error(f"Could not list ready {model.engine_label(engine)} tasks: {md_text(exc, limit=1000)}",
                         icon=":material/error:")
        labels = {str(x["id"]).lower(): f"{x['id']} · {model.engine_label(x['se'])} · {x.get('tag') or ''} "
                                        f"{x.get('date_posted') or ''}" for x in items}
        st.multiselect(f"{counted(len(items), 'ready task')} ({model.engine_label(chosen) if chosen else 'every engine'})",
                       key="w_ready", options=list(labels), format_func=labels.get)
        st.button("Load the selected tasks", on_click=_on_ready, key="w_load_ready")
else:
    store = view.archive
    if view.settings.demo:
        st.caption("The demo data is not archived. With a live account every result fetched is kept in "
                   "the archive, so it outlives the API's 30 days and is never fetched twice.")
    elif view.archive_error:
        st.error(md_text(view.archive_error, limit=1000), icon=":material/database:")
    else:
        _collection(store, view.settings)
        facets, rows = data.archive_summary(view.settings, store)
        span = f", answered {facets.first:%Y-%m-%d} to {facets.last:%Y-%m-%d}" if facets.count else ""
        st.text(f"{counted(facets.count, 'completed answer')} archived{span}; engines: "
                f"{', '.join(map(model.engine_label, facets.engines)) or 'none'}; models: {len(facets.models)}; "
                f"tags: {len(facets.tags)}.")
        st.button("Open everything in the archive", icon=":material/inventory_2:", key="w_open_archive",
                  on_click=_open_whole_archive, disabled=not facets.count,
                  help="Filter it by engine, model, prompt, tag and date in the sidebar.")
        if rows <= MAX_BROWSER_EXPORT:
            st.download_button("Export the archive (JSON lines)", lambda: _export_archive(store), key="w_export",
                               file_name="aivis-archive.jsonl", mime="application/jsonl", on_click="ignore",
                               icon=":material/download:")
        else:
            st.caption(f"The archive holds {rows:,} rows: too many for a browser download (the server would hold "
                       "the whole file in memory). Export it where the archive is, streaming: "
                       "`python -m core archive export aivis-archive.jsonl`.")
        st.file_uploader("Import an archive export (JSON lines)", type=["jsonl"], key="w_import")
        st.button("Import", on_click=_import_archive, key="w_import_button", icon=":material/upload:")

loaded_tasks, made_of = view.loaded.tables.tasks, view.loaded.tables.key
if len(loaded_tasks):
    counts, unknown = data.memo("load_counts", made_of, lambda: (
        status_counts(loaded_tasks), int(loaded_tasks["unknown_items"].sum())))
    columns = st.columns(len(counts) + 1)
    columns[0].metric("Task ids", len(loaded_tasks))
    for column, (status, n) in zip(columns[1:], counts.items()):
        column.metric(status.capitalize(), n, help=model.STATUS_HELP[status])
    if set(counts) - set(model.FINAL_STATUSES):
        st.button("Request the not-completed ids again", icon=":material/refresh:", on_click=_refresh,
                  key="w_refresh", help="Completed results are kept; pending and failed ids are asked again.")
    if unknown:
        st.warning(f"{unknown} result item{'s' if unknown != 1 else ''} of a type this app does not read: kept, "
                   "and shown as sent on the Answers page (column unknown_items).", icon=":material/help:")
    tables_ui.table(loaded_tasks, "tasks", key="status_table", drawn=made_of,
                    columns=["task_id", "engine", "status", "status_code", "status_message", "model", "prompt",
                             "tag", "country", "datetime", "citations", "fan_out_queries", "unknown_items"])
elif not view.loaded.ids:
    st.info("Paste task ids above, upload a file of them, or pick ready tasks, then **Load tasks**.",
            icon=":material/arrow_upward:")
