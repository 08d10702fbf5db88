"""Governance in the published order (DOMAIN.md §9): the comments are answered, the outcome is reported to QWG, then
QAG approves, then the REC PAB and the BSC PAB in either order, and only then is the version baselined.

Everything here goes through the API or the pages, as the boards would.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from qualify.library.choices import GoverningBody, VersionStatus
from qualify.library.models import GovernanceApproval
from qualify.library.tests.helpers import (
    BEFORE_OPENING,
    QWG_DAY,
    closed_consultation,
    make_artefact,
    make_version,
    open_consultation,
    report_to_qwg,
)

TODAY = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
QAG, REC_PAB, BSC_PAB = GoverningBody.QAG, GoverningBody.REC_PAB, GoverningBody.BSC_PAB


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def closed(cast):
    return closed_consultation(cast)


@pytest.fixture
def reported(closed):
    report_to_qwg(closed.consultation)
    return closed


MEMBER_OF = {"QAG": "qag", "REC_PAB": "rec_decider", "BSC_PAB": "board"}


def _decide(client_for, token_for, version, body, *, on="2026-11-10", decision="APPROVE", who=None):
    who = who or MEMBER_OF[body]
    return client_for(None).post(
        f"/api/v1/library/versions/{version.uuid}/decisions",
        {"body": body, "decision": decision, "decided_on": on, "minutes_reference": f"{body}-7"},
        content_type="application/json",
        **token_for(who),
    )


def test_qag_cannot_decide_before_the_outcome_is_reported_to_qwg(closed, client_for, token_for):
    response = _decide(client_for, token_for, closed.version, QAG)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "out_of_order" and error["details"]["missing"] == ["reported_to_qwg"]
    assert error["message"].startswith("QAG cannot decide on MHHS-DEL1234 v1.0 yet.")
    reference = closed.consultation.reference
    assert f"The outcome of consultation {reference} has not been reported to QWG" in error["message"]
    assert not GovernanceApproval.objects.exists()


@pytest.mark.parametrize("pab", [REC_PAB, BSC_PAB])
def test_a_pab_approval_before_qags_is_refused_naming_qag(reported, client_for, token_for, pab):
    response = _decide(client_for, token_for, reported.version, pab)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["details"]["missing"] == ["QAG_approval"]
    assert "cannot decide on MHHS-DEL1234 v1.0 yet. QAG has not approved it: QAG decides first." in error["message"]
    deferred = _decide(client_for, token_for, reported.version, QAG, decision="DEFER")
    assert deferred.status_code == 201
    assert _decide(client_for, token_for, reported.version, pab).status_code == 409  # a deferral is not an approval
    assert list(GovernanceApproval.objects.values_list("body", flat=True)) == [QAG]


@pytest.mark.parametrize("order", [(REC_PAB, BSC_PAB), (BSC_PAB, REC_PAB)])
def test_the_pabs_approve_in_either_order_after_qag_and_only_then_is_the_version_baselined(
    reported, client_for, token_for, order
):
    assert _decide(client_for, token_for, reported.version, QAG, on="2026-11-10").status_code == 201
    first = _decide(client_for, token_for, reported.version, order[0], on="2026-11-12")
    assert first.status_code == 201 and first.json()["status"] == VersionStatus.APPROVED
    second = _decide(client_for, token_for, reported.version, order[1], on="2026-11-13")
    assert second.status_code == 201 and second.json()["status"] == VersionStatus.BASELINED
    assert {a["body"]: a["latest_decision"] for a in second.json()["approvals"]} == dict.fromkeys(
        GoverningBody.values, "APPROVE"
    )


def test_decisions_cannot_be_dated_before_the_step_they_follow(reported, client_for, token_for):
    early_qag = _decide(client_for, token_for, reported.version, QAG, on="2026-11-01")
    assert early_qag.status_code == 422
    assert early_qag.json()["error"]["details"] == {"decided_on": "before_previous_step"}
    assert "before the QWG report" in early_qag.json()["error"]["message"]
    assert _decide(client_for, token_for, reported.version, QAG, on="2026-11-10").status_code == 201
    early_pab = _decide(client_for, token_for, reported.version, REC_PAB, on="2026-11-09")
    assert early_pab.status_code == 422
    assert "before QAG's approval (10 Nov 2026)" in early_pab.json()["error"]["message"]


def test_an_artefact_without_qag_waits_only_for_the_qwg_report(cast, client_for, token_for):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        version = make_version(make_artefact("DEL1205", "QAD", required_bodies=[BSC_PAB]), "3.2")
        consultation = open_consultation(version, title="QAD v3.2")
    assert _decide(client_for, token_for, version, BSC_PAB).status_code == 409
    report_to_qwg(consultation, number="DEL-207", on=QWG_DAY)
    response = _decide(client_for, token_for, version, BSC_PAB)
    assert response.status_code == 201 and response.json()["status"] == VersionStatus.BASELINED


def test_the_decision_page_shows_why_a_pab_must_wait(reported, client_for):
    response = client_for("board").post(
        f"/library/versions/{reported.version.uuid}/decisions/",
        {
            "body": "BSC_PAB",
            "decision": "APPROVE",
            "decided_on": "2026-11-10",
            "minutes_reference": "PAB-301",
            "confirm": "on",
        },
        follow=True,
    )
    assert "The BSC PAB cannot decide on MHHS-DEL1234 v1.0 yet. QAG has not approved it" in response.content.decode()
    assert not GovernanceApproval.objects.exists()


def test_each_governance_decision_is_recorded_only_by_that_bodys_members(reported, client_for, token_for):
    # The Programme records none of them, and a member of one body cannot record another's.
    for who in ("admin", "board", "rec_decider", "dip_decider", "bsc"):
        refused = _decide(client_for, token_for, reported.version, QAG, who=who)
        assert refused.status_code == 403, who
    assert (
        "QAG's own members"
        in _decide(client_for, token_for, reported.version, QAG, who="board").json()["error"]["message"]
    )
    assert _decide(client_for, token_for, reported.version, QAG, who="qag").status_code == 201
    for body, wrong in ((REC_PAB, "board"), (BSC_PAB, "rec_decider"), (BSC_PAB, "qag"), (REC_PAB, "admin")):
        assert _decide(client_for, token_for, reported.version, body, on="2026-11-12", who=wrong).status_code == 403
    assert list(GovernanceApproval.objects.values_list("body", flat=True)) == [QAG]


def test_the_decision_page_offers_only_the_members_own_body(reported, client_for):
    version = reported.version
    _decide_page = client_for("admin").post(
        f"/library/versions/{version.uuid}/decisions/",
        {"body": "QAG", "decision": "APPROVE", "decided_on": "2026-11-10", "minutes_reference": "QAG-9"},
    )
    assert _decide_page.status_code == 403
    assert not GovernanceApproval.objects.exists()
