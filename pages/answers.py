"""Answers: one completed answer at a time, as the model wrote it, with its citations and searches.

The answer, reasoning, prompt, titles and fan-out queries are untrusted LLM text: they are shown
only through ``ui.safe.safe_markdown`` / ``md_link`` (no HTML, only http/https links).
Another page can open a task here by putting its id in ``st.session_state[ui.state.OPEN_ANSWER]``.
"""
from __future__ import annotations

import json
import re

import pandas as pd
import streamlit as st

from core.tables import first_result, message_sections, reasoning_text, usage
from ui import shell, state
from ui.safe import DISPLAY_LIMIT, md_link, md_text, safe_markdown

TASK_KEY = state.OPEN_ANSWER  # the task this page shows; other pages may set it to open a task here
WIDGET_KEY = "w_answer_task"


def _remember() -> None:
    st.session_state[TASK_KEY] = st.session_state[WIDGET_KEY]


def _labels(answers: pd.DataFrame) -> dict[str, str]:
    """``engine · model · prompt (60 chars)`` per task id; the answer time is added where that repeats."""
    def label(row) -> str:
        prompt = " ".join(str(row.prompt or "").split())
        return f"{row.engine} · {row.model or '?'} · {prompt[:60]}{'…' if len(prompt) > 60 else ''}"

    labels = {row.task_id: label(row) for row in answers.itertuples()}
    repeated = pd.Series(labels).duplicated(keep=False)
    when = dict(zip(answers["task_id"], answers["datetime"]))
    return {task_id: text + (f" · {when[task_id]:%Y-%m-%d %H:%M}" if repeated[task_id]
                             and pd.notna(when[task_id]) else "") for task_id, text in labels.items()}


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _text(value) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _citation_line(note) -> str:
    line = f"{int(note.position)}. {md_link(_text(note.title) or _text(note.host), _text(note.link))}"
    if not _text(note.link) and _text(note.url):
        line += " (link withheld: not http/https)"
    if _text(note.host) and note.host != _text(note.title):
        redirect = note.is_redirect and not _text(note.direct_url)  # the link is Google's redirect
        line += f" · {'credited to ' if redirect else ''}{md_link(note.host, None)}"
    if _text(note.cited_text):
        quote = " ".join(note.cited_text.split())
        line += f" — “{safe_markdown(quote[:160])}{'…' if len(quote) > 160 else ''}”"
    return line


def _demoted(markdown: str) -> str:
    """The answer's own headings set below this page's (``# Title`` becomes ``#### Title``)."""
    return re.sub(r"^ {0,3}#{1,6}(?=\s)", "####", markdown, flags=re.MULTILINE)


view = shell.page("Answers", ":material/article:")
answers = view.tables.answers
raw = {o.task_id: o.task for o in view.loaded.batch.outcomes if o.completed and o.task}
options = [task_id for task_id in answers["task_id"] if task_id in raw]
if not options:
    st.info("No completed answers to show: load task ids on **Load tasks** (or widen the filters). "
            "Pending and failed tasks have no answer yet.", icon=":material/hourglass_empty:")
    st.stop()

wanted = st.session_state.get(TASK_KEY)
if wanted in options:
    st.session_state[WIDGET_KEY] = wanted
elif wanted and wanted in raw:
    st.caption(f"Task {md_text(wanted)} is hidden by the current filters; showing another answer.")
elif wanted:
    status = next((o.status for o in view.loaded.batch.outcomes if o.task_id == wanted), "not loaded")
    st.caption(f"Task {md_text(wanted)} has no answer ({status}); showing another answer.")
labels = _labels(answers[answers["task_id"].isin(options)])
task_id = st.selectbox(f"Completed answer ({len(options)} shown)", options, key=WIDGET_KEY,
                       format_func=labels.get, on_change=_remember)
st.session_state[TASK_KEY] = task_id
task = raw[task_id]
result = first_result(task)
row = answers.drop_duplicates("task_id").set_index("task_id").loc[task_id]
data = task.get("data") or {}
counts = usage(result)

with st.container(border=True):
    st.markdown(f"**Prompt** · task {md_text(task_id)}")
    st.markdown(safe_markdown(data.get("user_prompt")) or "_(no prompt in the task)_")
    if data.get("system_message"):
        st.caption("System message: " + safe_markdown(str(data["system_message"])))
    chain = [m for m in data.get("message_chain") or [] if isinstance(m, dict)]
    if chain:
        st.caption("Conversation before the prompt:\n\n" + "\n".join(
            f"- **{md_text(m.get('role') or '?')}**: {safe_markdown(str(m.get('message') or ''))}"
            for m in chain))

answered = f"{row['datetime']:%Y-%m-%d %H:%M} UTC" if pd.notna(row["datetime"]) else "no date"
engine, model = row["engine"], md_text(row["model"] or "?")  # the engine is one of sansio.ENGINES
st.markdown(f":material/smart_toy: **{engine}** · {model} · :material/schedule: answered {answered}"
            f" · :material/travel_explore: web search **{'on' if result.get('web_search') else 'off'}**")
a, b, c, d, e = st.columns(5)
a.metric("Input tokens", f"{counts['input_tokens']:,}")
b.metric("Output tokens", f"{counts['output_tokens']:,}")
c.metric("Reasoning tokens", f"{counts['reasoning_tokens']:,}")
d.metric("Money spent", f"${counts['money_spent']:.4f}", help="What the model provider charged for the tokens.")
e.metric("Task cost", f"${float(task.get('cost') or 0):.4f}",
         help="What DataForSEO charged: task price plus money spent.")

sections = message_sections(task)
citations = view.tables.citations[view.tables.citations["task_id"] == task_id]
st.subheader("Answer")
st.caption(f"{_count(len(sections), 'section')}, {_count(len(citations), 'citation')}. Links open only if they "
           "are http(s); Gemini's redirect links are credited to the site they lead to.")
if sections:
    with st.container(border=True):
        shown = 0  # characters shown so far: a huge answer is cut, its full text stays in the download
        for index, section in enumerate(sections):
            if shown >= DISPLAY_LIMIT:
                st.caption(f"{_count(len(sections) - index, 'more section')} not shown: this answer is over "
                           f"{DISPLAY_LIMIT:,} characters. The Raw task JSON download below has all of it.")
                break
            text = str(section["text"] or "")
            st.markdown(_demoted(safe_markdown(text, limit=DISPLAY_LIMIT - shown)) or "_(empty section)_")
            shown += len(text)
            notes = citations[citations["section"] == index]
            if len(notes):
                st.caption("**Sources**\n\n" + "\n".join(_citation_line(note) for note in notes.itertuples()))
else:
    st.info("This answer has no message text.", icon=":material/notes:")

reasoning = reasoning_text(task)
with st.expander("Reasoning summary", expanded=False, icon=":material/psychology:"):
    st.markdown(safe_markdown(reasoning) if reasoning.strip() else
                "_No reasoning summary in this answer: only reasoning models send one, and not always._")

queries = view.tables.fan_out.loc[view.tables.fan_out["task_id"] == task_id, "query"].tolist()
st.subheader("Fan-out queries")
if queries:
    st.caption(f"{len(queries)} web search{'' if len(queries) == 1 else 'es'} the model ran for this answer.")
    st.markdown("\n".join(f"- {safe_markdown(query, limit=500)}" for query in queries))
else:
    st.caption("None: web search was off, or the engine did not report its searches.")

st.download_button("Raw task JSON", json.dumps(task, indent=2, ensure_ascii=False),
                   file_name=f"task-{task_id}.json", mime="application/json", icon=":material/data_object:",
                   key="answer_json", help="The task exactly as the API returned it (no credentials in it).")
