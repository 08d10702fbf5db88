"""The operational rule of DOMAIN.md §8 / issue 5, one case per line."""

from __future__ import annotations

import datetime as dt

import pytest

from qualify.cases.models import QualificationCase
from qualify.cases.services import case_transition
from qualify.cases.workflow import CASE_WORKFLOW
from qualify.core.errors import NotFound
from qualify.register.rules import EventFact, status_on
from qualify.register.selectors import register_status

D = dt.date
Q, A, S, R, X = "QUALIFIED", "SERVICE_ACTIVATED", "SUSPENDED", "REINSTATED", "REVOKED"

CASES = [
    # (events, on, expected state)
    ([], D(2026, 1, 1), "NOT_QUALIFIED"),
    ([(Q, D(2026, 1, 10))], D(2026, 1, 9), "NOT_QUALIFIED"),
    ([(Q, D(2026, 1, 10))], D(2026, 1, 10), "QUALIFIED"),
    ([(Q, D(2026, 1, 10)), (A, D(2026, 2, 1))], D(2026, 1, 31), "QUALIFIED"),
    ([(Q, D(2026, 1, 10)), (A, D(2026, 2, 1))], D(2026, 2, 1), "OPERATIONAL"),
    ([(Q, D(2026, 1, 10)), (A, D(2026, 1, 10))], D(2026, 1, 10), "OPERATIONAL"),
    # an activation before the (re)qualification does not count
    ([(A, D(2026, 1, 1)), (Q, D(2026, 1, 10))], D(2026, 3, 1), "QUALIFIED"),
    ([(Q, D(2026, 1, 10)), (A, D(2026, 2, 1)), (S, D(2026, 3, 1))], D(2026, 2, 28), "OPERATIONAL"),
    ([(Q, D(2026, 1, 10)), (A, D(2026, 2, 1)), (S, D(2026, 3, 1))], D(2026, 3, 1), "SUSPENDED"),
    (
        [(Q, D(2026, 1, 10)), (A, D(2026, 2, 1)), (S, D(2026, 3, 1)), (R, D(2026, 4, 1))],
        D(2026, 4, 1),
        "OPERATIONAL",
    ),
    (
        [(Q, D(2026, 1, 10)), (A, D(2026, 2, 1)), (S, D(2026, 3, 1)), (R, D(2026, 3, 1))],
        D(2026, 3, 1),
        "OPERATIONAL",
    ),
    ([(Q, D(2026, 1, 10)), (A, D(2026, 2, 1)), (X, D(2026, 5, 1))], D(2026, 4, 30), "OPERATIONAL"),
    ([(Q, D(2026, 1, 10)), (A, D(2026, 2, 1)), (X, D(2026, 5, 1))], D(2026, 5, 1), "REVOKED"),
    # requalified after revocation: needs a fresh activation
    (
        [(Q, D(2026, 1, 10)), (A, D(2026, 2, 1)), (X, D(2026, 5, 1)), (Q, D(2026, 8, 1))],
        D(2026, 9, 1),
        "QUALIFIED",
    ),
    # a suspension before the latest qualification no longer applies
    (
        [(Q, D(2026, 1, 10)), (S, D(2026, 2, 1)), (X, D(2026, 3, 1)), (Q, D(2026, 4, 1)), (A, D(2026, 4, 2))],
        D(2026, 5, 1),
        "OPERATIONAL",
    ),
    # same-day revocation outranks the qualification
    ([(Q, D(2026, 1, 10)), (X, D(2026, 1, 10))], D(2026, 1, 10), "REVOKED"),
]


@pytest.mark.parametrize(("events", "on", "expected"), CASES)
def test_operational_rule(events, on, expected):
    status = status_on([EventFact(kind, date) for kind, date in events], on)
    assert status.state == expected
    assert status.operational == (expected == "OPERATIONAL")


@pytest.mark.django_db
def test_register_answers_from_the_case_history(cast, monkeypatch):
    # The register's rule alone: the case steps are taken by hand, without the assessment records that the
    # assessment app's guards ask for (its own tests walk approval and activation through its services).
    monkeypatch.setattr(CASE_WORKFLOW, "_extra_guards", {})
    QualificationCase.objects.filter(pk=cast.case_a.pk).update(state="AWAITING_APPROVAL")
    cast.case_a.refresh_from_db()
    board = cast.actor("board")
    admin = cast.actor("admin")
    case_transition(actor=board, case=cast.case_a, name="approve", comment="PAB", effective_date=D(2026, 3, 1))
    case_transition(actor=admin, case=cast.case_a, name="start_service_activation", comment="go")
    case_transition(actor=admin, case=cast.case_a, name="activate", comment="DIP prod", effective_date=D(2026, 3, 15))
    outsider = cast.actor("lead_b")
    before = register_status(actor=admin, mpid="nwen", role="supplier", on=D(2026, 2, 28)).status
    between = register_status(actor=admin, mpid="NWEN", role="SUPPLIER", on=D(2026, 3, 10)).status
    after = register_status(actor=admin, mpid="NWEN", role="SUPPLIER", on=D(2026, 3, 15)).status
    assert (before.state, between.state, after.state) == ("NOT_QUALIFIED", "QUALIFIED", "OPERATIONAL")
    assert after.qualified_from == D(2026, 3, 1) and after.activated_on == D(2026, 3, 15)
    with pytest.raises(NotFound):
        register_status(actor=outsider, mpid="NWEN", role="SUPPLIER", on=D(2026, 3, 15))
