"""Racing board decisions on PostgreSQL (row locks behave for real only there; the suite runs on it in CI).

Two people record decisions on the same case at the same moment, each in its own thread and connection. A short
delay inside the decision's checks keeps the first holder busy, so the second caller certainly arrives while the
first is still inside its transaction: without the case lock both would pass the checks side by side.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from qualify.assessment import choices as ch
from qualify.assessment import rules, services
from qualify.assessment.models import BoardDecision
from qualify.assessment.tests import journey
from qualify.cases.models import CaseTransition
from qualify.core.errors import TransitionNotAllowed
from qualify.register.choices import RegisterEventKind
from qualify.register.models import RegisterEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are only real on PostgreSQL"),
]

HOLD = 0.5  # seconds the first caller holds the case inside its checks


@pytest.fixture
def slow_checks(monkeypatch):  # type: ignore[no-untyped-def]
    """Call it once the case is set up: from then on a decision's recommendation check holds the case for a moment
    (widening the window between checks and commit), and the bodies it checks are counted."""

    def arm() -> list[str]:
        real = rules.current_recommendation
        calls: list[str] = []

        def slow(case, body):  # type: ignore[no-untyped-def]
            calls.append(body)
            time.sleep(HOLD)
            return real(case, body)

        monkeypatch.setattr(rules, "current_recommendation", slow)
        return calls

    return arm


def race(*calls: Callable[[], Any]) -> tuple[list[Any], list[tuple[float, float]]]:
    """Run the calls at once, one thread and database connection each; their results (or errors) and timings."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    timings: list[tuple[float, float]] = [(0.0, 0.0)] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=20)
            started = time.monotonic()
            try:
                results[i] = call()
            except Exception as exc:  # the outcome under test, whatever it is
                results[i] = exc
            timings[i] = (started, time.monotonic())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a racing call never finished"
    return results, timings


def overlapped(timings: list[tuple[float, float]]) -> bool:
    """Every call started before any call finished."""
    return max(start for start, _ in timings) < min(end for _, end in timings)


def _awaiting(cast, case=None):  # type: ignore[no-untyped-def]
    case = journey.to_initial_submitted(cast, case or cast.case_a)
    case = journey.to_testing(cast, case)
    case = journey.to_final_submitted(cast, case)
    return journey.to_awaiting_approval(cast, case)


def test_two_racing_approvals_by_the_same_authority_record_exactly_one(cast, slow_checks):
    case = _awaiting(cast)
    # Two different meetings of the BSC PAB with the case on both agendas: nothing per agenda item stops the second,
    # only the rule that an authority decides once per round.
    soon = journey.table(cast, case, "BSC", on=timezone.localdate() - dt.timedelta(days=7))
    later = journey.table(cast, case, "BSC", on=timezone.localdate() - dt.timedelta(days=14))
    # The same BSC PAB member in two sessions (e.g. two tabs): each body's decision is its own members' to record.
    board, other = cast.actor("board"), cast.actor("board")

    def approve(item, actor, effective):  # type: ignore[no-untyped-def]
        return lambda: services.decision_record(
            actor=actor, item=item, outcome="APPROVE", minutes="Approved.", effective_from=effective
        )

    checked = slow_checks()
    results, timings = race(approve(soon, board, dt.date(2026, 12, 1)), approve(later, other, dt.date(2026, 12, 8)))

    assert overlapped(timings)
    won = [r for r in results if isinstance(r, BoardDecision)]
    lost = [r for r in results if not isinstance(r, BoardDecision)]
    assert len(won) == 1, results
    assert len(lost) == 1 and isinstance(lost[0], TransitionNotAllowed), results
    assert lost[0].status == 409
    assert lost[0].code == "already_decided"
    # Turned away by the locked re-check, not by the database constraint behind it: the loser waited for the winner
    # and never ran the checks alongside it.
    assert "has already decided" in lost[0].message
    assert checked == ["BSC"]
    assert BoardDecision.objects.filter(case=case, body="BSC").count() == 1
    assert journey.fresh(case).state == "AWAITING_APPROVAL"


def test_the_last_two_approvals_racing_both_count_and_qualify_the_case_once(cast, slow_checks):
    case = _awaiting(cast)
    journey.decide(cast, case, "DIP", effective_from=dt.date(2026, 12, 1))
    bsc_item, rec_item = journey.table(cast, case, "BSC"), journey.table(cast, case, "REC")
    board, rec = cast.actor("board"), cast.actor("rec_decider")

    def approve(item, actor, effective):  # type: ignore[no-untyped-def]
        return lambda: services.decision_record(
            actor=actor, item=item, outcome="APPROVE", minutes="Approved.", effective_from=effective
        )

    checked = slow_checks()
    results, timings = race(
        approve(bsc_item, board, dt.date(2026, 12, 10)), approve(rec_item, rec, dt.date(2026, 12, 4))
    )

    assert overlapped(timings)
    assert all(isinstance(r, BoardDecision) for r in results), results
    assert sorted(checked) == ["BSC", "REC"]
    assert journey.fresh(case).state == "QUALIFIED"
    approvals = CaseTransition.objects.filter(case=case, name="approve")
    assert approvals.count() == 1
    assert approvals.get().effective_date == dt.date(2026, 12, 10)
    qualified = RegisterEvent.objects.filter(participation=cast.supplier_a, kind=RegisterEventKind.QUALIFIED)
    assert list(qualified.values_list("effective_date", flat=True)) == [dt.date(2026, 12, 10)]
    assert BoardDecision.objects.filter(case=case, outcome__in=list(ch.APPROVING)).count() == 3


def test_decisions_on_two_different_cases_at_the_same_time_both_stand(cast, slow_checks):
    case_a, case_b = _awaiting(cast), _awaiting(cast, cast.case_b)
    items = [journey.table(cast, case_a, "BSC"), journey.table(cast, case_b, "BSC")]
    board, other = cast.actor("board"), cast.actor("board")

    def approve(item, actor):  # type: ignore[no-untyped-def]
        return lambda: services.decision_record(
            actor=actor, item=item, outcome="APPROVE", minutes="Approved.", effective_from=dt.date(2026, 12, 1)
        )

    checked = slow_checks()
    results, timings = race(approve(items[0], board), approve(items[1], other))

    # Different cases do not wait for each other, and each decision gets its own reference.
    assert overlapped(timings)
    assert all(isinstance(r, BoardDecision) for r in results), results
    assert checked == ["BSC", "BSC"]
    references = set(BoardDecision.objects.values_list("reference", flat=True))
    assert len(references) == 2
