"""core.ids: task ids from pasted text and uploaded files."""
from __future__ import annotations

import pytest

from core.ids import ids_from_upload, is_task_id, parse_ids, why_malformed
from core.text import NotTextError

A = "11160914-1535-0613-0000-6e3f1a2b9c01"
B = "11160917-1535-0613-0000-2b7d9e4c5a02"
C = "11160921-1535-0613-0000-4a9e6b2f7c04"
DOCUMENTED = "02249714-1807-0791-0000-0423e705a8rr"  # the docs' example: letters beyond hex, still an id


def test_newlines_commas_spaces_quotes_and_semicolons():
    text = f'  {A}\n"{B}", \'{C}\'\r\n\t{A.upper()} ; `{B}`\n\n'
    parsed = parse_ids(text)
    assert parsed.valid == [A, B, C]
    assert parsed.malformed == [] and parsed.duplicates == 2


def test_upper_case_and_whitespace_are_normalized():
    parsed = parse_ids(f"   {A.upper()}   ")
    assert parsed.valid == [A]


def test_duplicates_kept_once_in_first_seen_order():
    parsed = parse_ids([C, A, C.upper(), B, A])
    assert parsed.valid == [C, A, B] and parsed.duplicates == 2


def test_list_items_may_hold_several_ids():
    assert parse_ids([f"{A}, {B}", f" {C} "]).valid == [A, B, C]


def test_the_documented_id_and_any_letters_are_ids_as_the_api_documents():
    assert parse_ids(f"{DOCUMENTED.upper()}\nzzzzzzzz-1535-0613-0000-6e3f1a2b9c01").valid == [
        DOCUMENTED, "zzzzzzzz-1535-0613-0000-6e3f1a2b9c01"]
    assert is_task_id(DOCUMENTED) and not is_task_id(DOCUMENTED.upper()) and not is_task_id(f"../{A}")


def test_ids_are_pulled_out_of_pasted_task_get_urls():
    url = f"https://api.dataforseo.com/v3/ai_optimization/claude/llm_responses/task_get/{A.upper()}"
    assert parse_ids(f"{url}\n{B}").valid == [A, B]


def test_one_reason_for_text_that_is_no_id_at_all():
    parsed = parse_ids("DROP TABLE tasks;--")
    assert parsed.valid == [] and len(parsed.malformed) == 4
    assert all("not a task id" in reason for _, reason in parsed.malformed)
    assert not any("parts" in reason for _, reason in parsed.malformed)


@pytest.mark.parametrize("token, words", [
    ("11160914-1535-0613-0000-6e3f1a2b9c0", "8-4-4-4-11"),
    ("1116091-41535-0613-0000-6e3f1a2b9c01", "7-5-4-4-12"),
    ("11160914-1535-0613-6e3f1a2b9c01", "5 groups"),
    ("11160914", "5 groups"),
    ("11160914-1535-0613-0000-6e3f-1a2b9c01", "5 groups"),
    ("11160914_1535_0613_0000_6e3f1a2b9c01", "other than letters, digits and dashes"),
    ("../../appendix/user_data", "other than letters"),
])
def test_malformed_ids_say_why(token, words):
    reason = why_malformed(token.lower())
    assert reason is not None and words in reason
    parsed = parse_ids(f"{A}\n{token}\n{B}")
    assert parsed.valid == [A, B]
    assert parsed.malformed == [(token, reason)]


def test_malformed_keep_the_text_as_pasted_for_the_message():
    parsed = parse_ids(f'  "{A.upper()}X"  ')
    assert parsed.valid == []
    ((text, reason),) = parsed.malformed
    assert text == f'"{A.upper()}X"' and "8-4-4-4-13" in reason
    assert bool(parsed)


def test_well_formed_ids_need_no_reason():
    assert why_malformed(A) is None


def test_empty_input():
    for empty in ("", "  \n ,, ;", [], ["", "  "]):
        parsed = parse_ids(empty)
        assert parsed.valid == [] and parsed.malformed == [] and not parsed


def test_csv_with_id_column():
    content = f"tag,id,engine\nx,{A},gemini\ny,{B.upper()},gemini\nz,{A},gemini\n".encode()
    parsed = ids_from_upload(content)
    assert parsed.valid == [A, B] and parsed.duplicates == 1 and parsed.malformed == []


@pytest.mark.parametrize("header", ["task_id", "Task ID", " TASKID ", "TASK_ID"])
def test_csv_with_task_id_column(header):
    content = f'prompt,{header}\n"Best PM tool, for agencies?",{A}\nother,{DOCUMENTED}\nthird,{B}x\n'
    parsed = ids_from_upload(content.encode())
    assert parsed.valid == [A, DOCUMENTED]
    assert [text for text, _ in parsed.malformed] == [f"{B}x"]


def test_csv_without_header_uses_the_first_column():
    content = f"{A},gemini,2026-11-16\n{B},claude,2026-11-16\n".encode()
    assert ids_from_upload(content).valid == [A, B]


def test_txt_one_per_line_with_blank_lines_and_crlf():
    content = f"{A}\r\n\r\n  {B}  \r\n{C}\r\n".encode()
    parsed = ids_from_upload(content)
    assert parsed.valid == [A, B, C] and parsed.malformed == []


def test_single_column_with_id_header():
    assert ids_from_upload(f"id\n{A}\n{B}\n".encode()).valid == [A, B]


@pytest.mark.parametrize("content", [
    f"\ufeffid,tag\n{A},x\n{B},y\n".encode("utf-8"),
    f"\ufeff{A}\n{B}\n".encode("utf-8"),
    f"\ufeff{A},gemini\n{B},claude\n".encode("utf-8"),
])
def test_byte_order_mark(content):
    parsed = ids_from_upload(content)
    assert parsed.valid == [A, B] and parsed.malformed == []


def test_text_upload_and_empty_upload():
    assert ids_from_upload(f"task_id\n{A}\n").valid == [A]
    assert not ids_from_upload(b"") and not ids_from_upload(b"\n\n")





@pytest.mark.parametrize("content", [f"id,note\r{A},first\r{B},second\r".encode(),  # old Excel for Mac
                                     f"note,task_id\r\"a\rb\",{A}\rx,{B}".encode("mac_roman"),
                                     f"{A}\r{B}\r".encode()])
def test_carriage_return_line_ends(content):
    assert ids_from_upload(content).valid == [A, B]


def test_utf16_and_non_utf8_text_still_give_their_ids():
    assert ids_from_upload(f"task_id\r\n{A}\r\n".encode("utf-16")).valid == [A]
    assert ids_from_upload(f"note,id\nCaf\xe9,{A}\n".encode("latin-1")).valid == [A]


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"PK\x03\x04\x14\x00\x06\x00",
                                     bytes(range(256)) * 4])
def test_a_binary_file_is_refused_with_a_clear_message(content):
    with pytest.raises(NotTextError, match="not a text file"):
        ids_from_upload(content)
