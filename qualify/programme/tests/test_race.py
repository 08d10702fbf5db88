"""Racing people changes on PostgreSQL (row locks are real only there; the suite runs on it in CI).

Each pair of calls runs at once, in its own thread and connection; the audit write (the last step inside each
transaction) is slowed, so the second caller certainly reads while the first is still uncommitted: without the locks
both would pass their checks side by side.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection

from qualify.assessment.tests.test_race import race
from qualify.core.errors import NotFound, ValidationFailed
from qualify.core.roles import MembershipRole
from qualify.participants import services as participant_services
from qualify.participants.models import Membership
from qualify.participants.services import membership_change_role
from qualify.programme.models import Invitation
from qualify.programme.services import invitation_accept, invitation_send
from qualify.programme.services import invitations as invitation_services
from qualify.programme.tests.helpers import invitation_link

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are only real on PostgreSQL"),
]
HOLD = 0.5


def _slow_audit(monkeypatch: pytest.MonkeyPatch, module: Any) -> None:
    real = module.audit_record

    def slow(**kwargs: Any) -> Any:
        time.sleep(HOLD)
        return real(**kwargs)

    monkeypatch.setattr(module, "audit_record", slow)


def test_two_leads_stepping_down_at_once_leave_one_lead(cast, monkeypatch):
    first = Membership.objects.get(user=cast.user("lead_a"))
    second = Membership.objects.get(user=cast.user("contributor_a"))
    membership_change_role(actor=cast.actor("admin"), membership=second, role=MembershipRole.LEAD)
    _slow_audit(monkeypatch, participant_services)
    results, _ = race(
        lambda: membership_change_role(actor=cast.actor("admin"), membership=first, role=MembershipRole.VIEWER),
        lambda: membership_change_role(actor=cast.actor("admin"), membership=second, role=MembershipRole.VIEWER),
    )
    assert sum(isinstance(r, ValidationFailed) for r in results) == 1
    assert Membership.objects.filter(organisation=cast.org_a, role=MembershipRole.LEAD).count() == 1


def test_an_invitation_link_opened_twice_at_once_is_spent_once(cast, monkeypatch):
    invitation_send(
        actor=cast.actor("admin"), organisation=cast.org_b, email="twice@southbank.test", full_name="T", role="VIEWER"
    )
    secret = invitation_link("twice@southbank.test").rstrip("/").rsplit("/", 1)[1]
    _slow_audit(monkeypatch, invitation_services)
    password = "a-fresh-long-passphrase-42"
    results, _ = race(
        lambda: invitation_accept(secret=secret, password=password),
        lambda: invitation_accept(secret=secret, password=password),
    )
    assert sum(isinstance(r, NotFound) for r in results) == 1
    assert Membership.objects.filter(organisation=cast.org_b, user__email="twice@southbank.test").count() == 1
    assert Invitation.objects.get(email="twice@southbank.test").accepted_at is not None
