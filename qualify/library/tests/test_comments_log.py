"""The consolidated comments log: the answers of the Programme and the Code Bodies, and the Excel export read back
cell by cell.

In the published log a respondent that asked for anonymity appears as "Respondent N", consistently on every row.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from openpyxl import load_workbook

from qualify.core.errors import Conflict, NotAllowed, NotFound, TransitionNotAllowed
from qualify.library.choices import CommentOutcome, VersionStatus
from qualify.library.exports import HEADERS, INTERNAL_HEADERS, comments_log_workbook
from qualify.library.models import Comment
from qualify.library.services import comment_answer, version_approve
from qualify.library.tests.helpers import BEFORE_OPENING, DURING, admin, comment, setup_consultation
from qualify.participants.services import membership_add, organisation_create

AFTER_CLOSE = dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC)


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


def test_published_log_is_downloadable_from_the_approved_version_page_and_anonymised(cast, setup, logged, client_for):
    for c in logged:
        _answer(cast, c, outcome=CommentOutcome.NOTED, response="Noted.", change="")
    url = f"/library/versions/{setup.version.uuid}/comments-log.xlsx"
    assert client_for(None).get(url).status_code == 404  # not published while in consultation
    with time_machine.travel(AFTER_CLOSE, tick=False):
        version_approve(actor=cast.actor("admin"), version=setup.version)
    page = client_for(None).get(f"/library/versions/{setup.version.uuid}/")
    assert page.status_code == 404  # an approved version is not public yet: only signed-in people see it
    page = client_for("viewer_a").get(f"/library/versions/{setup.version.uuid}/").content.decode()
    assert 'data-testid="published-log"' in page
    sheet = _sheet(client_for("lead_b").get(url).content)
    assert [c.value for c in sheet[1]] == HEADERS
    assert [sheet.cell(row=r, column=2).value for r in range(2, 6)] == [
        "Respondent 1",
        "Southbank Power plc",
        "Respondent 1",
        "Respondent 3",
    ]
    assert [sheet.cell(row=r, column=10).value for r in range(2, 6)] == ["Noted"] * 4


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


def test_version_cannot_be_approved_while_comments_are_unanswered_or_the_consultation_is_open(cast, setup, logged):
    with time_machine.travel(DURING, tick=False), pytest.raises(TransitionNotAllowed, match="not closed"):
        version_approve(actor=cast.actor("admin"), version=setup.version)
    with time_machine.travel(AFTER_CLOSE, tick=False), pytest.raises(TransitionNotAllowed, match="4 comments"):
        version_approve(actor=cast.actor("admin"), version=setup.version)
    for c in logged:
        _answer(cast, c)
    with time_machine.travel(AFTER_CLOSE, tick=False):
        approved = version_approve(actor=cast.actor("admin"), version=setup.version)
    assert approved.status == VersionStatus.APPROVED


def test_log_is_frozen_once_published_with_the_approved_version(cast, setup, logged):
    for c in logged:
        _answer(cast, c)
    with time_machine.travel(AFTER_CLOSE, tick=False):
        version_approve(actor=cast.actor("admin"), version=setup.version)
    with pytest.raises(Conflict, match="published"):
        _answer(cast, logged[0], outcome=CommentOutcome.REJECTED)
