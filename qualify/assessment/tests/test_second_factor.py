"""The board's most sensitive steps need a second factor given within the last few minutes (issue 16): without it
the step is set aside, nothing changes, and it runs once the code is given on allauth's re-authentication page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from qualify.accounts.tests.mfa_helpers import enrol_totp, sign_in, totp_code
from qualify.assessment.models import BoardDecision
from qualify.assessment.tests import journey
from qualify.cases.choices import CaseState

SIGNED_IN_AT = dt.datetime(2026, 11, 30, 9, 0, 5, tzinfo=dt.UTC)
LATER = SIGNED_IN_AT + dt.timedelta(minutes=30)


def _signed_in_with_code(cast, who):  # type: ignore[no-untyped-def]
    """A client signed in by password and code at SIGNED_IN_AT, and the secret of its authenticator app."""
    user = cast.user(who)
    secret, _codes = enrol_totp(user)
    client = Client()
    with time_machine.travel(SIGNED_IN_AT, tick=False):
        sign_in(client, user.email, totp_code(secret))
    return client, secret


@pytest.fixture
def awaiting(cast):  # type: ignore[no-untyped-def]
    case = journey.to_initial_submitted(cast, cast.case_a)
    case = journey.to_final_submitted(cast, journey.to_testing(cast, case))
    return journey.to_awaiting_approval(cast, case)


def test_a_decision_half_an_hour_after_sign_in_waits_for_a_fresh_code(cast, awaiting):
    client, secret = _signed_in_with_code(cast, "rec_decider")
    url = reverse("assessment:decide_case", args=[awaiting.reference])
    data = {
        "body": "REC",
        "outcome": "APPROVE",
        "minutes": "Approved.",
        "effective_from": "2026-12-01",
        "confirm": "on",
    }
    with time_machine.travel(LATER, tick=False):
        api = client.post(
            f"/api/v1/assessment/cases/{awaiting.reference}/decisions",
            {**data, "decided_on": "2026-11-30"},
            content_type="application/json",
        )  # the same browser session through the API
        assert api.status_code == 403 and api.json()["error"]["code"] == "reauthentication_required"
        asked = client.post(url, {**data, "decided_on": "2026-11-30"})
        assert asked.status_code == 302 and asked["Location"].startswith(reverse("mfa_reauthenticate"))
        assert not BoardDecision.objects.exists()
        done = client.post(asked["Location"], {"code": totp_code(secret)})
        assert done.status_code == 302
    decision = BoardDecision.objects.get()
    assert decision.body == "REC" and decision.case_id == awaiting.pk


def test_revoking_a_qualification_waits_for_a_fresh_code_but_other_steps_do_not(cast, awaiting):
    case = journey.approve_all(cast, awaiting)
    assert case.state == CaseState.QUALIFIED
    client, secret = _signed_in_with_code(cast, "board")
    url = reverse("cases:transition", args=[case.reference])
    revoke = {"name": "revoke", "comment": "Licence withdrawn.", "effective_date": "2026-12-20", "confirm": "on"}
    with time_machine.travel(LATER, tick=False):
        asked = client.post(url, revoke)
        assert asked.status_code == 302 and asked["Location"].startswith(reverse("mfa_reauthenticate"))
        assert journey.fresh(case).state == CaseState.QUALIFIED
        client.post(asked["Location"], {"code": totp_code(secret)})
    assert journey.fresh(case).state == CaseState.REVOKED
