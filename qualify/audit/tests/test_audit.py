from __future__ import annotations

import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from qualify.audit.models import AppendOnlyError, AuditEvent
from qualify.audit.services import verify_chain
from qualify.cases.services import case_transition
from qualify.testing.tests.helpers import prequalify


def test_every_write_in_the_cast_is_chained_and_the_chain_verifies(cast):
    prequalify(cast.case_a, submit=False)  # the form the step needs (qualify/testing)
    case_transition(actor=cast.actor("lead_a"), case=cast.case_a, name="submit_prequalification")
    events = list(AuditEvent.objects.order_by("seq"))
    assert len(events) > 10
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(events))
    assert list(verify_chain()) == []
    call_command("verify_audit_chain")


def test_transition_event_records_actor_request_and_before_after(cast):
    prequalify(cast.case_a, submit=False)  # the form the step needs (qualify/testing)
    case_transition(actor=cast.actor("lead_a"), case=cast.case_a, name="submit_prequalification")
    event = AuditEvent.objects.get(action="cases.qualificationcase.submit_prequalification")
    assert event.actor_name == "Ada Lead"
    assert event.actor_id == cast.user("lead_a").pk
    assert event.organisation_id == cast.org_a.pk
    assert event.changes["state"] == {"before": "DRAFT", "after": "PREQUAL_SUBMITTED"}


def test_audit_events_cannot_be_changed_or_deleted_through_the_orm(cast):
    event = AuditEvent.objects.first()
    event.actor_name = "someone else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(actor_name="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_an_update_behind_the_orms_back(cast):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_name = 'forged' WHERE seq = 1")


def test_tampering_behind_the_database_is_detected_by_verification(cast):
    # Someone with the database owner's rights switches the guard off; verification still finds what they did.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
        cursor.execute("UPDATE audit_auditevent SET actor_name = 'forged' WHERE seq = 3")
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 5")
    problems = list(verify_chain())
    assert {p.seq for p in problems} >= {3, 6}
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit_chain")
