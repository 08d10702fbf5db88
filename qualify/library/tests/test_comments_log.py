"""The consolidated comments log: the answers of the Programme and the Code Bodies, the Excel export read back cell
by cell, and the log published in the library as an artefact of its own when the outcome is reported to QWG.

In the published log a respondent that asked for anonymity appears as "Respondent N", consistently on every row.
"""

from __future__ import annotations

import io

import pytest
import time_machine
from openpyxl import load_workbook

from qualify.core.errors import Conflict, NotAllowed, NotFound, TransitionNotAllowed
from qualify.library.choices import COMMENTS_LOG_SUBTYPE, CommentOutcome, GoverningBody, VersionStatus
from qualify.library.exports import HEADERS, INTERNAL_HEADERS, comments_log_workbook
from qualify.library.models import Artefact, ArtefactVersion, Comment
from qualify.library.services import approval_record, comment_answer, version_approve, version_create
from qualify.library.tests.helpers import (
    AFTER_CLOSE,
    BEFORE_OPENING,
    DURING,
    admin,
    comment,
    make_artefact,
    make_version,
    open_consultation,
    report_to_qwg,
    setup_consultation,
)
from qualify.participants.services import membership_add, organisation_create


@pytest.fixture
def setup(cast):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        return setup_consultation()


@pytest.fixture
def logged(cast, setup):
    """Three respondents: Northwind (anonymous, two comments), Southbank (named), Eastgate (anonymous)."""
    eastgate = organisation_create(actor=admin(), name="Eastgate Supply Ltd")
    membership_add(actor=admin(), organisation=eastgate, user=cast.user("lead_b"), role="CONTRIBUTOR")
    with time_machine.travel(DURING, tick=False) as clock:
        first = comment(cast, setup, "lead_a", clause="3.1", text="First from Northwind")
        clock.shift(60)
        second = comment(cast, setup, "lead_b", clause="4.2", named=True, text="Southbank, named")
        clock.shift(60)
        third = comment(cast, setup, "contributor_a", clause="5.0", text="Second from Northwind")
        clock.shift(60)
        fourth = comment(cast, setup, "lead_b", clause="6.3", organisation=eastgate, text="Eastgate's")
    return [first, second, third, fourth]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _On:
    """The consultation and the version a helper comment is made on."""

    def __init__(self, consultation, version):
        self.consultation, self.version = consultation, version


def _sheet(body: bytes):
    return load_workbook(io.BytesIO(body)).active


def _answer(cast, c, outcome=CommentOutcome.ACCEPTED, response="Agreed; table added.", change="New table 3.1a"):
    return comment_answer(
        actor=cast.actor("admin"), comment=c, response=response, outcome=outcome, resulting_change=change
    )


def test_published_log_names_only_respondents_who_agreed_and_numbers_the_others_consistently(cast, logged):
    comments = list(Comment.objects.filter(status="SUBMITTED").select_related("organisation", "version__artefact"))
    sheet = _sheet(comments_log_workbook(comments, title="log", anonymise=True))
    respondents = [sheet.cell(row=r, column=2).value for r in range(2, 6)]
    assert respondents == ["Respondent 1", "Southbank Power plc", "Respondent 1", "Respondent 3"]
    everything = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "Northwind" not in everything.replace("First from Northwind", "").replace("Second from Northwind", "")
    assert "Eastgate Supply" not in everything


def test_internal_log_export_names_every_respondent_and_says_who_agreed(cast, logged):
    comments = list(Comment.objects.filter(status="SUBMITTED").select_related("organisation", "version__artefact"))
    sheet = _sheet(comments_log_workbook(comments, title="log", anonymise=False))
    assert [c.value for c in sheet[1]] == INTERNAL_HEADERS
    assert [sheet.cell(row=r, column=2).value for r in range(2, 6)] == [
        "Northwind Energy Ltd",
        "Southbank Power plc",
        "Northwind Energy Ltd",
        "Eastgate Supply Ltd",
    ]
    assert [sheet.cell(row=r, column=13).value for r in range(2, 6)] == ["No", "Yes", "No", "No"]


def test_export_from_the_log_page_is_checked_cell_by_cell(cast, setup, logged, client_for):
    _answer(cast, logged[0])
    response = client_for("admin").get(f"/library/consultations/{setup.consultation.uuid}/log.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "CON-" in response["Content-Disposition"]
    sheet = _sheet(response.content)
    assert sheet.max_row == 5 and sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == INTERNAL_HEADERS
    assert [c.value for c in sheet[2]] == [
        1,
        "Northwind Energy Ltd",
        "MHHS-DEL1234 QA&P",
        "1.0",
        "3.1",
        "Clarification",
        "First from Northwind",
        "Add a table of exit criteria.",
        "Agreed; table added.",
        "Accepted",
        "New table 3.1a",
        "The Programme",
        "No",
    ]
    assert [c.value for c in sheet[3]][:11] == [
        2,
        "Southbank Power plc",
        "MHHS-DEL1234 QA&P",
        "1.0",
        "4.2",
        "Clarification",
        "Southbank, named",
        "Add a table of exit criteria.",
        None,
        None,
        None,
    ]


def _published_log(number="MHHS-DEL3317"):
    """The current published version of a consolidated comments log, and its workbook."""
    log = ArtefactVersion.objects.get(artefact__document_number=number, status=VersionStatus.BASELINED)
    with log.files.get().file.open("rb") as handle:
        return log, _sheet(handle.read())


def test_published_log_is_a_document_in_the_library_beside_the_version_and_anonymised(cast, setup, logged, client_for):
    for c in logged:
        _answer(cast, c, outcome=CommentOutcome.NOTED, response="Noted.", change="")
    with time_machine.travel(AFTER_CLOSE, tick=False):
        report_to_qwg(setup.consultation)
    log, _ = _published_log()
    assert (log.version, log.artefact.subtype, log.artefact.required_bodies) == ("1.0", COMMENTS_LOG_SUBTYPE, [])
    assert client_for(None).get(f"/library/versions/{setup.version.uuid}/").status_code == 404  # approved: not public
    page = client_for("viewer_a").get(f"/library/versions/{setup.version.uuid}/").content.decode()
    assert 'data-testid="comments-log-link"' in page and f"/library/versions/{log.uuid}/" in page
    download = client_for(None).get(f"/library/versions/{log.uuid}/files/clean/")
    assert download.status_code == 200 and download["Content-Type"] == XLSX
    sheet = _sheet(b"".join(download.streaming_content))
    assert [c.value for c in sheet[1]] == HEADERS
    assert [sheet.cell(row=r, column=2).value for r in range(2, 6)] == [
        "Respondent 1",
        "Southbank Power plc",
        "Respondent 1",
        "Respondent 3",
    ]
    assert [sheet.cell(row=r, column=10).value for r in range(2, 6)] == ["Noted"] * 4


def test_one_log_per_consultation_is_published_beside_every_document_it_concerns(cast, client_for):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        qap = make_version(make_artefact("MHHS-DEL1118", "QA&P"), "4.0")
        annex = make_version(make_artefact("MHHS-DEL2183", "Annex 1"), "3.0")
        consultation = open_consultation(qap, title="QA&P v4.0 and Annex 1 v3.0", also=(annex,))
    with time_machine.travel(DURING, tick=False):
        on_qap = comment(cast, _On(consultation, qap), "lead_a", clause="2.1", text="On the QA&P")
        on_annex = comment(cast, _On(consultation, annex), "lead_b", clause="7", named=True, text="On Annex 1")
    with time_machine.travel(AFTER_CLOSE, tick=False):
        for c in (on_qap, on_annex):
            _answer(cast, c)
        report_to_qwg(consultation, number="MHHS-DEL3317")
    log_artefact = Artefact.objects.get(document_number="MHHS-DEL3317")
    assert log_artefact.short_name == "QA&P and Annex 1 Consolidated Comments Log"
    assert Artefact.objects.filter(subtype=COMMENTS_LOG_SUBTYPE).count() == 1
    with pytest.raises(Conflict, match="generated from the answers"):
        version_create(actor=admin(), artefact=log_artefact, version="2.0")
    log, sheet = _published_log()
    assert [sheet.cell(row=r, column=3).value for r in (2, 3)] == ["MHHS-DEL1118 QA&P", "MHHS-DEL2183 Annex 1"]
    for version in (qap, annex):
        page = client_for("lead_a").get(f"/library/versions/{version.uuid}/").content.decode()
        assert f'href="/library/versions/{log.uuid}/" data-testid="comments-log-link"' in page
    listed = client_for(None).get("/library/", {"subtype": COMMENTS_LOG_SUBTYPE}, HTTP_HX_REQUEST="true")
    listed_page = listed.content.decode()
    assert listed_page.count('data-testid="baseline-row"') == 1 and "MHHS-DEL3317" in listed_page
    log_page = client_for("viewer_a").get(f"/library/versions/{log.uuid}/").content.decode()
    assert log_page.count('data-testid="log-concerns"') == 2 and consultation.reference in log_page


def test_a_revised_answer_publishes_a_new_version_of_the_log_until_governance_begins(cast, setup, logged):
    for c in logged:
        _answer(cast, c)
    with time_machine.travel(AFTER_CLOSE, tick=False):
        report_to_qwg(setup.consultation)
        comment_answer(
            actor=cast.actor("rec"), comment=logged[1], response="The REC Code Manager will reword it.", outcome="NOTED"
        )
    log, sheet = _published_log()
    assert log.version == "1.1"
    assert ArtefactVersion.objects.get(artefact=log.artefact, version="1.0").status == VersionStatus.SUPERSEDED
    revised = ["The REC Code Manager will reword it.", "Noted", None, "REC Code Manager"]
    assert [c.value for c in sheet[3]][8:12] == revised
    with time_machine.travel(AFTER_CLOSE, tick=False):
        approval_record(
            actor=cast.actor("qag"),
            version=setup.version,
            body=GoverningBody.QAG,
            decision="DEFER",
            decided_on=AFTER_CLOSE.date(),
            minutes_reference="QAG-1",
        )
        with pytest.raises(Conflict, match="Governance has begun"):
            _answer(cast, logged[0], outcome=CommentOutcome.REJECTED)
    assert _published_log()[0].version == "1.1"


def test_staff_log_page_answers_a_comment(cast, setup, logged, client_for):
    client = client_for("admin")
    response = client.post(
        f"/library/comments/{logged[1].uuid}/answer/",
        {"response": "We will clarify.", "outcome": "PARTIALLY_ACCEPTED", "resulting_change": "Clause 4.2 reworded"},
    )
    assert response.status_code == 302
    logged[1].refresh_from_db()
    assert logged[1].outcome == CommentOutcome.PARTIALLY_ACCEPTED and logged[1].responded_by_name == "Pat Programme"
    page = client.get(f"/library/consultations/{setup.consultation.uuid}/log/").content.decode()
    assert page.count('data-testid="log-comment"') == 4 and "(published as Respondent 1)" in page


@pytest.mark.parametrize(
    ("who", "body", "label", "name"),
    [
        ("admin", "PROGRAMME", "The Programme", "Pat Programme"),
        ("bsc", "BSC", "Elexon (BSC)", "Bo Assessor"),
        ("rec", "REC", "REC Code Manager", "Rae Assessor"),
        ("dip", "DIP", "DIP Manager", "Dee Assessor"),
    ],
)
def test_the_programme_and_the_code_bodies_answer_comments_saying_for_which_body(
    cast, setup, logged, client_for, token_for, who, body, label, name
):
    response = client_for(None).post(
        f"/api/v1/library/comments/{logged[0].uuid}/answer",
        {"response": "Answered.", "outcome": "ACCEPTED"},
        content_type="application/json",
        **token_for(who),
    )
    assert response.status_code == 200
    assert (response.json()["answered_for"], response.json()["responded_by_name"]) == (body, name)
    assert Comment.objects.get(pk=logged[0].pk).responded_by == cast.user(who)
    page = client_for("auditor").get(f"/library/consultations/{setup.consultation.uuid}/log/").content.decode()
    assert f"Answered for {label} by {name}" in page


def test_board_members_auditors_and_participants_do_not_answer_comments(cast, logged):
    for who in ("board", "auditor", "lead_a"):
        with pytest.raises(NotAllowed):
            comment_answer(actor=cast.actor(who), comment=logged[0], response="x", outcome="NOTED")


def test_a_draft_cannot_be_answered(cast, setup):
    with time_machine.travel(DURING, tick=False):
        draft = comment(cast, setup, submit=False)
    with pytest.raises(NotFound):
        comment_answer(actor=cast.actor("admin"), comment=draft, response="x", outcome="NOTED")


def test_version_is_approved_for_governance_only_once_answered_and_reported_to_qwg(cast, setup, logged):
    with time_machine.travel(DURING, tick=False), pytest.raises(TransitionNotAllowed, match="not closed"):
        version_approve(actor=cast.actor("admin"), version=setup.version)
    with time_machine.travel(AFTER_CLOSE, tick=False), pytest.raises(TransitionNotAllowed, match="4 comments"):
        version_approve(actor=cast.actor("admin"), version=setup.version)
    for c in logged:
        _answer(cast, c)
    with time_machine.travel(AFTER_CLOSE, tick=False), pytest.raises(TransitionNotAllowed, match="reported to QWG"):
        version_approve(actor=cast.actor("admin"), version=setup.version)
    with time_machine.travel(AFTER_CLOSE, tick=False):
        report_to_qwg(setup.consultation)
    assert ArtefactVersion.objects.get(pk=setup.version.pk).status == VersionStatus.APPROVED
