"""Two people deciding the same non-completion step at once, on PostgreSQL (row locks are real only there).

Each call runs in its own thread and connection. The step checks are slowed once armed, so the second caller
certainly arrives while the first still holds the record's lock: without it both would pass the checks side by side.
"""

from __future__ import annotations

import time

import pytest
from django.db import connection

from qualify.assessment.tests.test_race import race
from qualify.core.errors import TransitionNotAllowed
from qualify.oversight import workflow
from qualify.oversight.models import NonCompletionRecord, StepDecision
from qualify.oversight.services import record_decide
from qualify.oversight.tests.helpers import decide, open_record

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are only real on PostgreSQL"),
]

HOLD = 0.5  # seconds the first caller holds the record inside its checks


def test_two_concurrent_decisions_on_the_same_step_leave_exactly_one(cast, monkeypatch):  # type: ignore[no-untyped-def]
    record = decide(cast, decide(cast, open_record(cast, cast.case_a), "NOTICE_SENT"), "NO_RESPONSE")
    assert record.step == "REFERRAL"
    real = workflow._step_and_outcome

    def slow(record, data):  # type: ignore[no-untyped-def]
        time.sleep(HOLD)
        return real(record, data)

    monkeypatch.setattr(workflow, "_step_and_outcome", slow)
    admin, other = cast.actor("admin"), cast.actor("admin")

    def refer(actor):  # type: ignore[no-untyped-def]
        fresh = NonCompletionRecord.objects.select_related("case__participation", "ladder").get(pk=record.pk)
        return lambda: record_decide(actor=actor, record=fresh, outcome="REFERRED", step="REFERRAL", comment="on")

    results, timings = race(refer(admin), refer(other))

    assert max(start for start, _ in timings) < min(end for _, end in timings)  # they overlapped
    won = [r for r in results if isinstance(r, NonCompletionRecord)]
    lost = [r for r in results if not isinstance(r, NonCompletionRecord)]
    assert len(won) == 1 and len(lost) == 1, results
    assert isinstance(lost[0], TransitionNotAllowed) and "already been decided" in lost[0].message
    assert StepDecision.objects.filter(record=record, step="REFERRAL").count() == 1
    assert NonCompletionRecord.objects.get(pk=record.pk).step == "PAB_DECISION"
