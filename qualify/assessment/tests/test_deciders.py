"""Each approving body's decision is its own (DOMAIN.md §6), and the Final QAD is agreed only when every body that
reviews it has completed its review (DOMAIN.md §4): through the API and the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from qualify.assessment.models import BoardDecision
from qualify.assessment.tests import journey
from qualify.assessment.tests.test_api import Api
from qualify.cases.services import case_transition

pytestmark = pytest.mark.django_db

DECISION = {"outcome": "APPROVE", "minutes": "Approved.", "effective_from": "2026-12-01"}


@pytest.fixture
def api(client_for, token_for):  # type: ignore[no-untyped-def]
    return lambda who: Api(client_for, token_for, who)


@pytest.fixture
def awaiting(cast):  # type: ignore[no-untyped-def]
    case = journey.to_initial_submitted(cast, cast.case_a)
    case = journey.to_final_submitted(cast, journey.to_testing(cast, case))
    return journey.to_awaiting_approval(cast, case)


@pytest.fixture
def final(cast):  # type: ignore[no-untyped-def]
    case = journey.to_initial_submitted(cast, cast.case_a)
    return journey.to_final_submitted(cast, journey.to_testing(cast, case))


def _decide(api: Any, who: str, case: Any, body: str, **extra: Any) -> Any:
    return api(who).post(f"/cases/{case.reference}/decisions", {"body": body, **DECISION, **extra})


def test_the_programme_records_no_bodys_decision(api, awaiting, cast):
    for body in ("DIP", "BSC", "REC"):
        refused = _decide(api, "admin", awaiting, body)
        assert refused.status_code == 403, body
    journey.table(cast, awaiting, "BSC")
    meeting = journey.meeting(cast, "BSC").reference
    at_meeting = api("admin").post(f"/meetings/{meeting}/agenda/{awaiting.reference}/decision", DECISION)
    assert at_meeting.status_code == 403
    assert not BoardDecision.objects.exists()


def test_nobody_records_another_bodys_decision(api, awaiting, cast):
    for who, body in (("board", "DIP"), ("board", "REC"), ("dip_decider", "REC"), ("rec_decider", "DIP")):
        refused = _decide(api, who, awaiting, body)
        assert refused.status_code == 403, (who, body)
    assert "DIP Manager's own decision-makers" in _decide(api, "board", awaiting, "DIP").json()["error"]["message"]
    journey.table(cast, awaiting, "BSC")
    meeting = journey.meeting(cast, "BSC").reference
    for who in ("dip_decider", "rec_decider", "qag", "bsc"):
        response = api(who).post(f"/meetings/{meeting}/agenda/{awaiting.reference}/decision", DECISION)
        assert response.status_code == 403, who
    assert not BoardDecision.objects.exists()


def test_dip_and_rec_staff_record_their_own_bodys_decisions(api, awaiting):
    # On main nobody at the DIP Manager or the REC could record its body's decision.
    assert _decide(api, "dip_decider", awaiting, "DIP").status_code == 201
    assert _decide(api, "rec_decider", awaiting, "REC").status_code == 201
    assert set(BoardDecision.objects.values_list("body", "recorded_by_name")) == {
        ("DIP", "Dora Decider"),
        ("REC", "Rex Decider"),
    }


def test_a_bsc_pab_decision_must_name_the_meeting_it_was_taken_at(api, awaiting, cast):
    refused = _decide(api, "board", awaiting, "BSC")
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["details"] == {"meeting": "required"}
    assert "The BSC PAB decides at its meetings" in error["message"]
    # A meeting the case is not on is named in words, not a bare 404.
    meeting = journey.meeting(cast, "BSC").reference
    untabled = _decide(api, "board", awaiting, "BSC", meeting=meeting)
    assert untabled.status_code == 422 and untabled.json()["error"]["details"] == {"meeting": "not_tabled"}
    journey.table(cast, awaiting, "BSC")
    decided = _decide(api, "board", awaiting, "BSC", meeting=meeting)
    assert decided.status_code == 201, decided.content
    assert decided.json()["meeting"] == meeting


def test_dip_and_rec_decisions_are_dated_and_a_meeting_is_optional(api, awaiting, cast):
    today = timezone.localdate()
    future = _decide(api, "dip_decider", awaiting, "DIP", decided_on=(today + dt.timedelta(days=1)).isoformat())
    assert future.status_code == 422 and future.json()["error"]["details"] == {"decided_on": "future"}
    earlier = (today - dt.timedelta(days=2)).isoformat()
    dated = _decide(api, "dip_decider", awaiting, "DIP", decided_on=earlier)
    assert dated.status_code == 201 and dated.json()["decided_on"] == earlier
    # The REC Code Manager may still take its decision at one of its own meetings.
    journey.table(cast, awaiting, "REC")
    meeting = journey.meeting(cast, "REC").reference
    at_meeting = _decide(api, "rec_decider", awaiting, "REC", meeting=meeting)
    assert at_meeting.status_code == 201 and at_meeting.json()["meeting"] == meeting


def test_the_case_page_offers_the_meeting_only_where_the_body_decides_at_meetings(client_for, awaiting, cast):
    page = reverse("assessment:case", args=[awaiting.reference])
    dip = client_for("dip_decider").get(page).content.decode()
    assert "approves as a dated decision of its own" in dip and 'name="decided_on"' in dip
    assert 'name="meeting" required' not in dip
    bsc = client_for("board").get(page).content.decode()
    assert "decides at its meetings" in bsc and 'name="decided_on"' not in bsc
    assert "Table it at a meeting first" in bsc
    journey.table(cast, awaiting, "BSC")
    bsc = client_for("board").get(page).content.decode()
    assert 'name="meeting" required' in bsc
    assert 'data-testid="decide"' not in client_for("admin").get(page).content.decode()


def test_a_body_records_its_dated_decision_from_the_case_page(client_for, awaiting):
    url = reverse("assessment:decide_case", args=[awaiting.reference])
    data = {
        "body": "REC",
        "outcome": "APPROVE",
        "minutes": "Approved.",
        "effective_from": "2026-12-01",
        "confirm": "on",
    }
    refused = client_for("admin").post(url, data)
    assert refused.status_code == 403
    done = client_for("rec_decider").post(url, {**data, "decided_on": timezone.localdate().isoformat()})
    assert done.status_code == 302
    assert BoardDecision.objects.get().body == "REC"
    bsc = client_for("board").post(url, {**data, "body": "BSC"})
    assert bsc.status_code == 422
    assert "decides at its meetings" in bsc.content.decode()


# --- the Final QAD is agreed only when every reviewing body has completed its review ----------------------------


def _agree(client_for: Any, token_for: Any, who: str, case: Any) -> Any:
    return client_for(None).post(
        f"/api/v1/cases/{case.reference}/transitions",
        {"name": "agree", "comment": "agreed"},
        content_type="application/json",
        **token_for(who),
    )


def test_agree_waits_for_every_body_owning_questions_to_complete_its_review(api, final, client_for, token_for):
    # On main any single assessor could agree the Final QAD as soon as the queries were closed.
    refused = _agree(client_for, token_for, "bsc", final)
    assert refused.status_code == 409
    assert "must mark its review" in refused.json()["error"]["message"]
    assert api("bsc").post(f"/cases/{final.reference}/reviews/BSC/complete").status_code == 201
    still = _agree(client_for, token_for, "bsc", final)
    assert still.status_code == 409
    message = still.json()["error"]["message"]
    assert "DIP Manager" in message and "REC Code Manager" in message and "BSC PAB" not in message
    for who, body in (("dip", "DIP"), ("rec", "REC")):
        assert api(who).post(f"/cases/{final.reference}/reviews/{body}/complete").status_code == 201
    assert _agree(client_for, token_for, "bsc", final).json()["state"] == "AGREED"
    seen = api("lead_a").get(f"/cases/{final.reference}").json()
    assert {r["body"]: r["complete"] for r in seen["reviews"]} == {"BSC": True, "DIP": True, "REC": True}


def test_only_the_bodys_own_assessors_complete_its_review(api, final):
    for who in ("rec", "dip", "admin", "board", "dip_decider"):
        response = api(who).post(f"/cases/{final.reference}/reviews/BSC/complete")
        assert response.status_code == 403, who
    assert api("lead_a").post(f"/cases/{final.reference}/reviews/BSC/complete").status_code == 403
    assert api("lead_b").post(f"/cases/{final.reference}/reviews/BSC/complete").status_code == 404
    assert api("bsc").post(f"/cases/{final.reference}/reviews/BSC/complete").status_code == 201
    twice = api("bsc").post(f"/cases/{final.reference}/reviews/BSC/complete")
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_complete"


def test_a_review_is_not_complete_while_the_bodys_queries_are_open(api, final, cast):
    query = journey.raise_query(cast, final, "REC")
    response = api("rec").post(f"/cases/{final.reference}/reviews/REC/complete")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "queries_open" and query.reference in response.json()["error"]["message"]


def test_the_case_page_lets_each_body_mark_its_own_review_complete(client_for, final):
    page = reverse("assessment:case", args=[final.reference])
    bsc = client_for("bsc").get(page).content.decode()
    assert 'data-testid="complete-BSC"' in bsc and 'data-testid="complete-REC"' not in bsc
    assert 'data-testid="complete-' not in client_for("admin").get(page).content.decode()
    url = reverse("assessment:review_complete", args=[final.reference])
    assert client_for("rec").post(url, {"body": "BSC", "confirm": "on"}).status_code == 403
    assert client_for("bsc").post(url, {"body": "BSC", "confirm": "on"}).status_code == 302
    assert "Complete," in client_for("lead_a").get(page).content.decode()


def test_agree_by_hand_is_refused_until_the_reviews_are_complete(cast, final):
    from qualify.core.errors import TransitionNotAllowed

    with pytest.raises(TransitionNotAllowed, match="review"):
        case_transition(actor=cast.actor("admin"), case=final, name="agree", comment="by hand")
