"""Section 5.1.1 holds the additional criteria for a Supplier seeking the smart-segment exemption (BSC P476): the
sample asks it only of a Supplier with that exemption recorded, while the smart-segment questions of 5.1 are then not
asked. Applicability reaches every place questions are shown or counted: the pages, the API, exports and
submissions (docs/qad-format.md "Which questions a case gets")."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qualify.qad.models import SubmissionBody
from qualify.qad.services import submission_create
from qualify.qad.tests.helpers import complete, open_qad, publish_sample, record_p476_exemption, to_pit

pytestmark = pytest.mark.django_db

P476_QUESTIONS = {"Q-5.1.1.1", "Q-5.1.1.2", "Q-5.1.1.3"}
SMART_QUESTIONS = {"Q-5.1.2", "Q-5.1.9"}


@pytest.fixture
def qad(cast):  # type: ignore[no-untyped-def]
    publish_sample()
    return open_qad(cast.case_a, cast.actor("lead_a"))


def question_ids(client, case) -> set[str]:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/qad/cases/{case.reference}/questions")
    assert response.status_code == 200, response.content
    return {q["id"] for q in response.json()}


def draft_sheet_ids(client, case) -> set[str]:  # type: ignore[no-untyped-def]
    data = client.get(reverse("qad:draft_export", args=[case.reference, "xlsx"])).content
    rows = load_workbook(io.BytesIO(data))["Questions"].iter_rows(min_row=2, values_only=True)
    return {str(row[0]) for row in rows}


def test_a_supplier_without_the_exemption_is_not_asked_section_5_1_1(cast, qad, client_for):
    client = client_for("lead_a")
    ids = question_ids(client, cast.case_a)
    assert ids >= SMART_QUESTIONS
    assert not any(q.startswith("Q-5.1.1") for q in ids)
    page = client.get(reverse("qad:case", args=[cast.case_a.reference])).content.decode()
    assert "5.1 Supplier obligations" in page and "Smart-segment exemption" not in page
    assert client.get(reverse("qad:section", args=[cast.case_a.reference, "5.1.1"])).status_code == 404
    assert not P476_QUESTIONS & draft_sheet_ids(client, cast.case_a)


def test_a_supplier_seeking_the_exemption_answers_section_5_1_1_instead_of_the_smart_questions(cast, qad, client_for):
    record_p476_exemption(cast.supplier_a)
    client = client_for("lead_a")
    ids = question_ids(client, cast.case_a)
    assert ids >= P476_QUESTIONS and not SMART_QUESTIONS & ids
    page = client.get(reverse("qad:case", args=[cast.case_a.reference])).content.decode()
    assert "5.1.1 Smart-segment exemption (BSC P476): additional criteria" in page
    section = client.get(reverse("qad:section", args=[cast.case_a.reference, "5.1.1"]))
    assert section.status_code == 200
    html = section.content.decode()
    assert all(f'data-testid="question-{n}"' in html for n in ("5.1.1.1", "5.1.1.2", "5.1.1.3"))
    missing = client.get(f"/api/v1/qad/cases/{cast.case_a.reference}").json()["missing"]
    assert {"number": "5.1.1.2", "question": "Q-5.1.1.2", "what": "needs evidence attached (control)"} in missing
    sheet = draft_sheet_ids(client, cast.case_a)
    assert sheet >= P476_QUESTIONS and not SMART_QUESTIONS & sheet
    # Only the exempt Supplier: the other organisation's Supplier is still asked the smart-segment questions.
    open_qad(cast.case_b, cast.actor("lead_b"))
    other = question_ids(client_for("lead_b"), cast.case_b)
    assert other >= SMART_QUESTIONS and not P476_QUESTIONS & other


def test_answering_section_5_1_1_is_refused_without_the_exemption(cast, qad, client_for):
    response = client_for("lead_a").post(
        f"/api/v1/qad/cases/{cast.case_a.reference}/answers/Q-5.1.1.1",
        {"value": "yes"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "not_applicable"


def test_the_submission_freezes_and_counts_section_5_1_1_for_the_exempt_supplier(cast, qad):
    record_p476_exemption(cast.supplier_a)
    lead = cast.actor("lead_a")
    to_pit(cast.case_a, cast)
    complete(qad, lead)
    submission = submission_create(actor=lead, response=qad, kind="INITIAL")
    snapshot = json.loads(submission.content)
    frozen = {q["id"] for q in snapshot["questions"]}
    assert frozen >= P476_QUESTIONS and not SMART_QUESTIONS & frozen
    assert snapshot["exemptions"] == ["SMART_SEGMENT"]
    shares = dict(SubmissionBody.objects.filter(submission=submission).values_list("body", "questions"))
    assert shares["BSC"] == sum(1 for q in snapshot["questions"] if q["owner"] == "BSC")
    assert sum(shares.values()) == len(snapshot["questions"])
