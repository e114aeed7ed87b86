"""Answers: one completed answer at a time, as the model wrote it, with its citations and searches.

The answer, reasoning, prompt, titles and fan-out queries are untrusted LLM text: they are shown
only through ``ui.safe.safe_markdown`` / ``md_link`` (no HTML, only http/https links); tracked brand
names are coloured after that (``ui.safe.highlight_brands``).
Another page opens a task here with ``ui.state.put(ui.state.OPEN_ANSWER, task_id)``; the open answer
travels in the URL (``answer=``), so a link opens it on a fresh session. The answer is picked by a search
(``ui.answer_picker``): a year's answers are never all sent as options.
"""
from __future__ import annotations

import json
import re

import pandas as pd
import streamlit as st

from core.mentions import BrandMatcher
from core.model import engine_label
from core.text import counted
from core import theme
from ui import answer_picker, data, shell, state
from ui.safe import DISPLAY_LIMIT, highlight_brands, md_link, md_text, safe_markdown


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


view = shell.page("Answers")
if view.tables.answers.empty:
    st.info(shell.empty_reason(view), icon=":material/hourglass_empty:")
    st.stop()
chosen = answer_picker.choose(view)
task_id = chosen["task_id"]
state.sync_url()  # the shell synced before this page chose; the link names the answer shown
outcome = answer_picker.raw_outcome(view, task_id)
record = outcome.record


def _rows_of_answer() -> tuple[pd.Series, pd.DataFrame, list[str]]:
    """The chosen answer's task row, citations and fan-out queries: each a scan of every row shown."""
    tables = view.tables
    return (tables.tasks[tables.tasks["task_id"] == task_id].iloc[0],
            tables.citations[tables.citations["task_id"] == task_id],
            tables.fan_out.loc[tables.fan_out["task_id"] == task_id, "query"].tolist())


spend, citations, queries = data.memo("answer_rows", (view.tables.key, task_id), _rows_of_answer)

with st.container(border=True):
    st.markdown(f"**Prompt** · task {md_text(task_id)}" + (f" · tag {md_text(record.tag)}" if record.tag else ""))
    st.markdown(safe_markdown(record.prompt) or "_(no prompt in the task)_")
    if record.system_message:
        st.caption("System message: " + safe_markdown(record.system_message))
    if record.message_chain:
        st.caption("Conversation before the prompt:\n\n" + "\n".join(
            f"- **{md_text(role)}**: {safe_markdown(message)}" for role, message in record.message_chain))

answered = f"{chosen['datetime']:%Y-%m-%d %H:%M} UTC" if pd.notna(chosen["datetime"]) else "no date"
engine, model = engine_label(chosen["engine"]), md_text(chosen["model"] or "?")  # engine: one of model.ENGINES
st.markdown(f":material/smart_toy: **{engine}** · {model} · :material/schedule: answered {answered}"
            f" · :material/travel_explore: web search **{'on' if record.web_search else 'off'}**"
            + (f" · search country {md_link(record.country, None)}" if record.country else ""))
row = shell.metric_row()
row.metric("Input tokens", f"{record.input_tokens:,}")
row.metric("Output tokens", f"{record.output_tokens:,}")
row.metric("Reasoning tokens", f"{record.reasoning_tokens:,}")
row.metric("Money spent", f"${record.money_spent:.4f}", help="What the model provider charged for the tokens.")
row.metric("Spend" + (" (estimate)" if spend["spend_estimated"] else ""), f"${spend['spend']:.4f}",
         help="Money spent plus DataForSEO's task price: the price the reply reports, else an estimate from "
              "the price table (task_get replies report a cost of 0; the charge is made when a task is posted).")

sections = record.sections
st.subheader("Answer")
st.caption(f"{counted(len(sections), 'section')}, {counted(len(citations), 'citation')}. Links open only if they "
           "are http(s); Gemini's redirect links are credited to the site they lead to.")
matcher = BrandMatcher(view.brands)
brand_colors = {b.name: theme.ROLE_MARKDOWN_COLORS[b.role] for b in view.brands.all}
if view.brands:
    st.caption(f"Tracked names are highlighted: :{theme.ROLE_MARKDOWN_COLORS['brand']}-background[our brand], "
               f":{theme.ROLE_MARKDOWN_COLORS['competitor']}-background[competitors].")
if sections:
    with st.container(border=True):
        shown = 0  # characters shown so far: a huge answer is cut, its full text stays in the download
        for index, section in enumerate(sections):
            if shown >= DISPLAY_LIMIT:
                st.caption(f"{counted(len(sections) - index, 'more section')} not shown: this answer is over "
                           f"{DISPLAY_LIMIT:,} characters. The Raw task JSON download below has all of it.")
                break
            shown_text = safe_markdown(section.text, limit=DISPLAY_LIMIT - shown)
            st.markdown(_demoted(highlight_brands(shown_text, matcher, brand_colors)) or "_(empty section)_")
            shown += len(section.text)
            notes = citations[citations["section"] == index]
            if len(notes):
                st.caption("**Sources**\n\n" + "\n".join(_citation_line(note) for note in notes.itertuples()))
else:
    st.info("This answer has no message text.", icon=":material/notes:")

if record.unknown_items:
    with st.expander(f"{counted(len(record.unknown_items), 'item')} of a type this app does not read",
                     icon=":material/help:"):
        st.caption("Shown as the API sent them, so nothing is dropped in silence.")
        st.json(list(record.unknown_items), expanded=False)

reasoning = record.reasoning
with st.expander("Reasoning summary", expanded=False, icon=":material/psychology:"):
    st.markdown(safe_markdown(reasoning) if reasoning.strip() else
                "_No reasoning summary in this answer: only reasoning models send one, and not always._")

st.subheader("Fan-out queries")
if queries:
    st.caption(f"{counted(len(queries), 'web search', 'web searches')} the model ran for this answer.")
    st.markdown("\n".join(f"- {safe_markdown(query, limit=500)}" for query in queries))
else:
    st.caption("None: web search was off, or the engine did not report its searches.")

st.download_button("Raw task JSON", json.dumps(outcome.task, indent=2, ensure_ascii=False),
                   file_name=f"task-{task_id}.json", mime="application/json", icon=":material/data_object:",
                   key="answer_json", help="The task exactly as the API returned it (no credentials in it).")
