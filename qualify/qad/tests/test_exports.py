"""Word, JSON and Excel out; Excel answers back in, all or nothing with row-level errors."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from qualify.core.errors import ValidationFailed
from qualify.qad import exports
from qualify.qad.models import Answer
from qualify.qad.selectors import version_questions
from qualify.qad.services import answer_save, answers_import, submission_create
from qualify.qad.tests.helpers import complete, open_qad, publish_sample, to_pit


@pytest.fixture
def qad(cast):
    publish_sample()
    return open_qad(cast.case_a, cast.actor("lead_a"))


@pytest.fixture
def submission(cast, qad):
    to_pit(cast.case_a, cast)
    complete(qad, cast.actor("lead_a"))
    return submission_create(actor=cast.actor("lead_a"), response=qad, kind="INITIAL")


def test_a_snapshot_exports_to_word_with_answers_and_evidence_hashes(cast, submission, client_for):
    response = client_for("bsc").get(reverse("qad:submission_export", args=[submission.reference, "docx"]))
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"Initial QAD {submission.reference}" in text
    assert "4.5.2  Describe how you monitor your DIP connection" in text
    assert "Our answer to 4.5.2." in text
    assert "SHA-256" in text
    facts = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert facts["SHA-256"] == submission.sha256 and facts["MPID and role"] == "NWEN Supplier"  # labels, not codes


def test_a_snapshot_exports_to_json_whose_hash_checks_out(cast, submission, client_for):
    response = client_for("lead_a").get(reverse("qad:submission_export", args=[submission.reference, "json"]))
    body = json.loads(response.content)
    import hashlib

    assert hashlib.sha256(body["canonical"].encode()).hexdigest() == body["sha256"] == submission.sha256
    assert body["snapshot"]["case"] == cast.case_a.reference


def test_the_working_draft_exports_to_word_and_json(cast, qad, client_for):
    answer_save(actor=cast.actor("lead_a"), response=qad, question_id="Q-1.1", value="Ada Lead, CEO")
    client = client_for("lead_a")
    doc = Document(io.BytesIO(client.get(reverse("qad:draft_export", args=[cast.case_a.reference, "docx"])).content))
    assert "Ada Lead, CEO" in "\n".join(p.text for p in doc.paragraphs)
    body = json.loads(client.get(reverse("qad:draft_export", args=[cast.case_a.reference, "json"])).content)
    assert body["draft"] is True
    assert next(q for q in body["snapshot"]["questions"] if q["id"] == "Q-1.1")["answer"] == "Ada Lead, CEO"


def test_a_version_question_set_exports_to_excel(cast, qad, client_for):
    response = client_for("viewer_a").get(reverse("qad:version_xlsx", args=["3.2"]))
    sheet = load_workbook(io.BytesIO(response.content))["Questions"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Question id", "Number", "Section", "Question")
    assert len(rows) == 1 + 74
    by_id = {r[0]: r for r in rows[1:]}
    header = rows[0]
    assert by_id["Q-5.1.9"][header.index("Excluded by exemptions")] == "SMART_SEGMENT"
    assert by_id["Q-5.1.1.1"][header.index("Only with exemptions")] == "SMART_SEGMENT"
    assert by_id["Q-1.1"][header.index("Advisory")] == "yes" and by_id["Q-1.2"][header.index("Advisory")] == "no"
    assert by_id["Q-1.6"][6] == "provider (Provider); service (Service provided); contract_end (Contract end)"


def filled_workbook(cast, qad, client_for, answers: dict[str, object]) -> bytes:
    data = client_for("lead_a").get(reverse("qad:draft_export", args=[cast.case_a.reference, "xlsx"])).content
    book = load_workbook(io.BytesIO(data))
    sheet = book["Questions"]
    answer_column = [cell.value for cell in sheet[1]].index("Answer")
    for row in sheet.iter_rows(min_row=2):
        if row[0].value in answers:
            row[answer_column].value = answers[row[0].value]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_answers_import_from_excel_in_the_exported_layout(cast, qad, client_for):
    import datetime as dt

    data = filled_workbook(
        cast,
        qad,
        client_for,
        {
            "Q-1.1": "Ada Lead, CEO",
            "Q-1.4": dt.datetime(2026, 3, 1),  # noqa: DTZ001  (a spreadsheet date cell has no time zone)
            "Q-2.2": 12,
            "Q-2.3": "Registration Services; Data Access",
            "Q-1.6": '[{"provider": "Acme", "service": "DIP adaptor", "contract_end": "2028"}]',
        },
    )
    questions = {q.qid: q for q in version_questions(qad.version)}
    saved = answers_import(
        actor=cast.actor("contributor_a"), response=qad, rows=exports.read_answer_rows(data, questions)
    )
    assert saved == 5
    values = dict(Answer.objects.values_list("question_id", "value"))
    assert values["Q-1.4"] == "2026-03-01" and values["Q-2.2"] == "12"
    assert values["Q-2.3"] == ["Registration Services", "Data Access"]
    assert values["Q-1.6"][0]["provider"] == "Acme"


def test_excel_import_names_every_bad_row_and_saves_nothing(cast, qad, client_for):
    data = filled_workbook(
        cast,
        qad,
        client_for,
        {"Q-1.1": "Fine", "Q-1.3": "perhaps", "Q-1.4": "soon", "Q-2.3": "Registration Services; Gardening"},
    )
    questions = {q.qid: q for q in version_questions(qad.version)}
    rows = exports.read_answer_rows(data, questions)
    with pytest.raises(ValidationFailed, match="Nothing was imported: 3 row") as info:
        answers_import(actor=cast.actor("contributor_a"), response=qad, rows=rows)
    errors = info.value.details["rows"]
    assert [(e["row"], e["question"]) for e in errors] == [(4, "Q-1.3"), (5, "Q-1.4"), (12, "Q-2.3")]
    assert errors[0]["message"] == "the answer must be yes or no"
    assert "'Gardening' is not one of" in errors[2]["message"]
    assert not Answer.objects.exists()


def test_excel_import_page_reports_row_errors(cast, qad, client_for):
    data = filled_workbook(cast, qad, client_for, {"Q-1.3": "perhaps"})
    upload = io.BytesIO(data)
    upload.name = "answers.xlsx"
    response = client_for("lead_a").post(
        reverse("qad:import", args=[cast.case_a.reference]), {"file": upload}, follow=True
    )
    assert "row 4 (Q-1.3): the answer must be yes or no" in response.content.decode()
    assert not Answer.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused(cast, qad):
    with pytest.raises(ValidationFailed, match="not an Excel workbook"):
        exports.read_answer_rows(b"not a workbook", {})


ROWS = [
    {"provider": "Gridsoft Ltd", "service": "Settlement engine", "contract_end": "2028"},
    {"provider": "CloudCo", "service": "Hosting", "contract_end": ""},
]


def test_a_table_answer_is_a_real_table_with_its_headers_in_the_questions_order_in_word_and_excel(
    cast, qad, client_for
):
    lead = cast.actor("lead_a")
    # Stored with its keys in another order than the question's columns: the documents follow the question.
    answer_save(actor=lead, response=qad, question_id="Q-1.6", value=[dict(reversed(r.items())) for r in ROWS])
    answer_save(actor=lead, response=qad, question_id="Q-1.4", value="2026-11-30")
    client = client_for("lead_a")

    word = Document(io.BytesIO(client.get(reverse("qad:draft_export", args=[cast.case_a.reference, "docx"])).content))
    grids = [[[c.text for c in row.cells] for row in t.rows] for t in word.tables]
    assert [
        ["Provider", "Service provided", "Contract end"],
        ["Gridsoft Ltd", "Settlement engine", "2028"],
        ["CloudCo", "Hosting", ""],
    ] in grids
    text = "\n".join(p.text for p in word.paragraphs)
    assert "30 Nov 2026" in text and "2026-11-30" not in text  # a date answer in UK form

    book = load_workbook(
        io.BytesIO(client.get(reverse("qad:draft_export", args=[cast.case_a.reference, "xlsx"])).content)
    )
    rows = [list(r) for r in book[exports.TABLE_SHEET].iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if str(r[0]).startswith("1.6 "))
    assert rows[start + 1][:3] == ["Provider", "Service provided", "Contract end"]
    assert rows[start + 2][:3] == ["Gridsoft Ltd", "Settlement engine", "2028"]
    assert rows[start + 3][0] == "CloudCo" and rows[start + 3][1] == "Hosting"
    # The Questions sheet keeps the JSON the import reads back.
    questions = list(book["Questions"].iter_rows(values_only=True))
    answer = questions[0].index("Answer")
    cell = next(r[answer] for r in questions if r[0] == "Q-1.6")
    assert json.loads(cell) == [dict(reversed(r.items())) for r in ROWS]
