"""Load tasks: paste, upload or pick task ids, choose the engine, see each id's outcome."""
from __future__ import annotations

import io

import streamlit as st

from core import sansio
from core.archive import ArchiveError
from core.ids import ids_from_upload, parse_ids
from core.text import NotTextError, decode_upload
from ui import data, shell, state, tables_ui
from ui.safe import md_text

ENGINE_CHOICES = [*sansio.ENGINES, "perplexity"]


def _use(parsed) -> None:
    """Make the parsed ids the loaded set (runs as a callback, before the page loads them)."""
    st.session_state["malformed"] = parsed.malformed
    if parsed.valid:
        state.put("ids", parsed.valid)
        state.put("ref", [])
        state.put("source", [])


def _on_paste() -> None:
    state.put("engine", st.session_state["w_engine"])
    if st.session_state["w_engine"] in sansio.ENGINES:
        _use(parse_ids(st.session_state.get("w_ids_text", "")))


def _on_upload() -> None:
    upload = st.session_state.get("w_upload")
    if upload is not None:
        try:
            _use(ids_from_upload(upload.getvalue()))
        except NotTextError as exc:
            st.session_state["upload_error"] = str(exc)


def _on_ready() -> None:
    _use(parse_ids(st.session_state.get("w_ready", [])))


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
            st.session_state["imported"] = f"Imported {store.import_jsonl(io.StringIO(text))} results."
        except (ArchiveError, NotTextError) as exc:
            st.session_state["imported"] = f"Nothing imported: {exc}"


def _export_archive(store) -> bytes:
    buffer = io.BytesIO()
    store.export_jsonl(buffer)
    return buffer.getvalue()


def _refresh() -> None:
    st.session_state["refresh"] = st.session_state.get("refresh", 0) + 1


view = shell.page("Load tasks", ":material/download:")

paste, upload, ready, archived = st.tabs([
    ":material/content_paste: Paste ids", ":material/upload_file: Upload a file",
    ":material/checklist: Ready tasks", ":material/inventory_2: Archive"])
with paste, st.form("paste_ids", border=False):
    engine_now = state.first("engine", "gemini")
    st.selectbox("Engine", ENGINE_CHOICES, index=ENGINE_CHOICES.index(engine_now) if engine_now in
                 ENGINE_CHOICES else 0, key="w_engine", format_func=lambda e: sansio.ENGINE_LABELS.get(e, "Perplexity"),
                 help="The engine the tasks were posted to. Perplexity has no task results.")
    st.text_area("Task ids", value="\n".join(state.get("ids")), key="w_ids_text", height=140,
                 placeholder="One id per line, or separated by commas or spaces")
    st.form_submit_button("Load tasks", icon=":material/play_arrow:", type="primary", on_click=_on_paste)
if state.first("engine") == "perplexity":
    st.warning(sansio.NO_TASK_RESULTS["perplexity"], icon=":material/block:")
with upload:
    st.file_uploader("CSV or TXT of task ids", type=["csv", "txt"], key="w_upload",
                     help="An `id` or `task_id` column, else the first column; or one id per line.")
    st.button("Load the file's ids", icon=":material/upload:", on_click=_on_upload, key="w_load_upload")
    if st.session_state.get("upload_error"):
        st.error(md_text(st.session_state.pop("upload_error")), icon=":material/description:")
with ready:
    if view.settings.demo:
        st.caption("Ready tasks are listed from a live account; the demo has none.")
    elif st.toggle("List tasks completed in the last 3 days", key="w_list_ready"):
        engine = state.first("engine", "gemini")
        try:
            items = data.tasks_ready(engine, view.settings.account_key, data.client(view.settings))
        except Exception as exc:  # shown once, not cached
            st.error(f"Could not list ready tasks: {md_text(exc, limit=1000)}", icon=":material/error:")
            items = []
        labels = {x["id"]: f"{x['id']} · {x.get('tag') or ''} {x.get('date_posted') or ''}" for x in items}
        st.multiselect(f"{len(items)} ready {sansio.ENGINE_LABELS.get(engine, engine)} tasks", key="w_ready",
                       options=list(labels), format_func=labels.get)
        st.button("Load the selected tasks", on_click=_on_ready, key="w_load_ready")

with archived:
    store, error = data.archive(view.settings)
    if view.settings.demo:
        st.caption("The demo data is not archived. With a live account every result fetched is kept in "
                   "the archive, so it outlives the API's 30 days and is never fetched twice.")
    elif error:
        st.error(md_text(error, limit=1000), icon=":material/database:")
    else:
        facets = store.facets()
        span = f", answered {facets.first:%Y-%m-%d} to {facets.last:%Y-%m-%d}" if facets.count else ""
        st.markdown(f"**{facets.count}** completed answers archived{span}; engines: "
                    f"{', '.join(map(md_text, facets.engines)) or 'none'}; models: {len(facets.models)}; tags: "
                    f"{', '.join(map(md_text, facets.tags)) or 'none'}.")
        st.button("Open everything in the archive", icon=":material/inventory_2:", key="w_open_archive",
                  on_click=_open_whole_archive, disabled=not facets.count,
                  help="Filter it by engine, model, prompt and date in the sidebar.")
        st.download_button("Export the archive (JSON lines)", lambda: _export_archive(store), key="w_export",
                           file_name="aivis-archive.jsonl", mime="application/jsonl", on_click="ignore",
                           icon=":material/download:")
        st.file_uploader("Import an archive export (JSON lines)", type=["jsonl"], key="w_import")
        st.button("Import", on_click=_import_archive, key="w_import_button", icon=":material/upload:")
        if st.session_state.get("imported"):
            st.caption(md_text(st.session_state.pop("imported"), limit=1000))

for text, reason in st.session_state.get("malformed", []):
    st.warning(f"Malformed id {md_text(text, limit=80)}: {reason}. It was not requested.", icon=":material/warning:")

batch = view.loaded.batch
if batch.outcomes:
    counts = batch.counts()
    columns = st.columns(len(counts) + 1)
    columns[0].metric("Task ids", len(batch.outcomes))
    for column, (status, n) in zip(columns[1:], counts.items()):
        column.metric(status.capitalize(), n, help=sansio.STATUS_HELP[status])
    if set(counts) - {sansio.COMPLETED}:
        st.button("Request the not-completed ids again", icon=":material/refresh:", on_click=_refresh,
                  key="w_refresh", help="Completed results are kept; pending and failed ids are asked again.")
    tables_ui.table(view.loaded.tables.tasks, "tasks", key="status_table",
                    columns=["task_id", "engine", "status", "status_code", "status_message", "model", "prompt",
                             "datetime", "citations", "fan_out_queries"])
elif not view.loaded.ids:
    st.info("Paste task ids above, upload a file of them, or pick ready tasks, then **Load tasks**.",
            icon=":material/arrow_upward:")
