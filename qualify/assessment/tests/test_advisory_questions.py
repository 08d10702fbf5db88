"""A body assesses a QAD only for the roles it approves (DOMAIN.md §2, §6): the BSC does not approve MEMs, so the
questions it owns that a MEM is asked for information (advisory) put nothing in the BSC's queue and cannot be
reviewed, queried or turned into findings by it. What the BSC owns of a Supplier's QAD, including section 5.1.1 for a
Supplier seeking the P476 exemption, counts in its queue."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from qualify.assessment.tests import journey
from qualify.cases.choices import CaseState
from qualify.qad.models import SubmissionBody
from qualify.qad.tests.helpers import record_p476_exemption

pytestmark = pytest.mark.django_db

API = "/api/v1/assessment"


@pytest.fixture
def mem(cast):  # type: ignore[no-untyped-def]
    """The MEM's case (SIT route) with its Initial QAD submitted."""
    return journey.to_initial_submitted(cast, cast.case_a_mem)


def queue_refs(client: Any, headers: dict[str, str]) -> list[str]:
    response = client.get(f"{API}/queue", **headers)
    assert response.status_code == 200, response.content
    return [row["case"]["reference"] for row in response.json()["items"]]


def post(client: Any, headers: dict[str, str], path: str, payload: dict[str, Any]) -> Any:
    return client.post(f"{API}{path}", payload, content_type="application/json", **headers)


def test_a_mems_qad_reaches_the_dip_and_rec_queues_but_not_the_bscs(cast, mem, client_for, token_for):
    submission = journey.latest_submission(mem)
    owners = {q["owner"] for q in json.loads(submission.content)["questions"]}
    assert "BSC" in owners  # the MEM answered the BSC's advisory questions (1.1, 1.5, 1.6) for information
    assert set(SubmissionBody.objects.filter(submission=submission).values_list("body", flat=True)) == {"DIP", "REC"}
    api = client_for(None)
    assert mem.reference not in queue_refs(api, token_for("bsc"))
    assert mem.reference in queue_refs(api, token_for("rec"))
    assert mem.reference in queue_refs(api, token_for("dip"))
    assert mem.reference not in client_for("bsc").get(reverse("assessment:queue")).content.decode()


@pytest.mark.parametrize("who", ["bsc", "admin"])
def test_nobody_queries_or_reviews_a_mems_answer_to_a_bsc_question(cast, mem, client_for, token_for, who):
    api, headers = client_for(None), token_for(who)
    raised = post(api, headers, f"/cases/{mem.reference}/queries", {"question_id": "Q-1.1", "text": "Who exactly?"})
    assert raised.status_code == 422, raised.content
    error = raised.json()["error"]
    assert error["code"] == "advisory_question"
    assert error["message"].startswith("Question 1.1 is advisory for a Metering Equipment Manager: the BSC PAB")
    reference = journey.latest_submission(mem).reference
    reviewed = post(
        api,
        headers,
        f"/cases/{mem.reference}/outcomes",
        {"submission": reference, "question_id": "Q-1.1", "outcome": "NOT_SATISFACTORY", "comment": "Too vague."},
    )
    assert reviewed.status_code == 422 and reviewed.json()["error"]["code"] == "advisory_question"
    assert journey.fresh(mem).state == CaseState.INITIAL_QAD_SUBMITTED  # nothing held the MEM's case up


def test_the_rec_queries_the_mems_own_governance_question(cast, mem, client_for, token_for):
    raised = post(
        client_for(None),
        token_for("rec"),
        f"/cases/{mem.reference}/queries",
        {"question_id": "Q-6.8", "text": "Attach the board minute."},
    )
    assert raised.status_code == 201, raised.content
    assert journey.fresh(mem).state == CaseState.INITIAL_CLARIFICATION


def test_the_bsc_records_no_finding_on_a_mem(cast, mem, client_for, token_for):
    payload = {
        "body": "BSC",
        "title": "Governance",
        "description": "Board oversight is thin.",
        "owner": "Ada Lead",
        "due_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
    }
    refused = post(client_for(None), token_for("bsc"), f"/cases/{mem.reference}/findings", payload)
    assert refused.status_code == 422
    assert refused.json()["error"]["message"] == (
        "The BSC PAB does not approve the Metering Equipment Manager role, so it records no findings on it."
    )
    recorded = post(client_for(None), token_for("rec"), f"/cases/{mem.reference}/findings", {**payload, "body": "REC"})
    assert recorded.status_code == 201, recorded.content


def test_the_assessment_page_marks_advisory_answers_and_offers_no_review_of_them(cast, mem, client_for):
    page = client_for("bsc").get(reverse("assessment:case", args=[mem.reference])).content.decode()
    row = page[page.index('data-testid="question-1.1"') :]
    row = row[: row.index("</tr>")]
    assert "For information: the BSC (Elexon) does not approve this role" in row
    assert "Record outcome" not in row and 'data-testid="raise-1.1"' not in page
    assert (
        'data-testid="raise-6.8"'
        in client_for("rec").get(reverse("assessment:case", args=[mem.reference])).content.decode()
    )


def test_the_bscs_queue_counts_section_5_1_1_for_the_supplier_seeking_the_p476_exemption(cast, client_for, token_for):
    record_p476_exemption(cast.supplier_a)
    exempt = journey.to_initial_submitted(cast, cast.case_a)
    ordinary = journey.to_initial_submitted(cast, cast.case_b)
    response = client_for(None).get(f"{API}/queue", **token_for("bsc"))
    counts = {row["case"]["reference"]: row["questions"] for row in response.json()["items"]}
    # Three P476 questions (5.1.1.1 to 5.1.1.3) in, two smart-segment questions (5.1.2, 5.1.9) out.
    assert counts[exempt.reference] == counts[ordinary.reference] + 1
    frozen = {q["id"] for q in json.loads(journey.latest_submission(exempt).content)["questions"]}
    assert {"Q-5.1.1.1", "Q-5.1.1.2", "Q-5.1.1.3"} <= frozen
