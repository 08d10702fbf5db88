"""The frozen scope, a run of a required case, and progress: the records every part of QT builds on."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qualify.core.errors import ValidationFailed
from qualify.testing.choices import ExecutionStatus, ProposalState, RelianceOutcome
from qualify.testing.models import Execution, RelianceProposal
from qualify.testing.selectors.progress import case_progress
from qualify.testing.services.execution import execution_record
from qualify.testing.services.scoping import scope_freeze
from qualify.testing.tests.helpers import programme, scoped

pytestmark = pytest.mark.django_db


def test_scoping_freezes_the_required_set_with_its_hash_and_reasons(cast):
    record = scoped(cast.case_a)
    assert record.sequence == 1
    assert len(record.sha256) == 64
    assert record.required and all(r.startswith("QT-") for r in record.required)
    verdicts = {v["case_id"]: v for v in record.verdicts}
    assert set(record.required) == {c for c, v in verdicts.items() if v["included"]}
    assert all(v["explanation"] for v in verdicts.values())
    assert record.inputs["role"] == "SUPPLIER" and record.inputs["route"] == "QT"


def test_scoping_again_with_nothing_changed_adds_no_record(cast):
    first = scoped(cast.case_a)
    assert scoped(cast.case_a).pk == first.pk


def test_a_rescope_records_what_moved_and_why(cast):
    first = scoped(cast.case_a)
    covered = next(v["case_id"] for v in first.verdicts if v["included"] and not v["minimum_sets"])
    RelianceProposal.objects.create(
        reference="PRP-T1",
        case=cast.case_a,
        relied_on_name="Acme Billing Software",
        relied_on_kind="SOFTWARE_PROVIDER",
        covers=[covered],
        state=ProposalState.DECIDED,
        outcome=RelianceOutcome.ACCEPTED,
        accepted_covers=[covered],
    )
    second = scope_freeze(actor=programme(), case=cast.case_a, reason="reliance accepted")
    assert second.sequence == 2 and covered not in second.required
    assert second.changes["removed"][0]["case_id"] == covered
    assert "Acme Billing Software" in second.changes["removed"][0]["why"]
    assert second.changes["previous_sha256"] == first.sha256


def test_a_new_run_is_the_one_that_counts(cast):
    record = scoped(cast.case_a)
    test_case = record.required[0]
    execution_record(actor=programme(), case=cast.case_a, test_case_id=test_case, status=ExecutionStatus.FAILED)
    execution_record(actor=programme(), case=cast.case_a, test_case_id=test_case, status=ExecutionStatus.PASSED)
    runs = Execution.objects.filter(case=cast.case_a, test_case_id=test_case)
    assert runs.count() == 2
    assert runs.get(is_latest=True).status == ExecutionStatus.PASSED


def test_a_run_outside_the_required_set_is_refused(cast):
    record = scoped(cast.case_a)
    outside = next(v["case_id"] for v in record.verdicts if not v["included"])
    with pytest.raises(ValidationFailed, match="not in this case's required test set"):
        execution_record(actor=programme(), case=cast.case_a, test_case_id=outside, status=ExecutionStatus.PASSED)


def test_not_applicable_needs_a_reason(cast):
    record = scoped(cast.case_a)
    with pytest.raises(ValidationFailed, match="not applicable"):
        execution_record(
            actor=programme(),
            case=cast.case_a,
            test_case_id=record.required[0],
            status=ExecutionStatus.NOT_APPLICABLE,
        )


def test_progress_counts_the_latest_runs_in_the_same_queries_however_many(cast):
    record = scoped(cast.case_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            case_progress(cast.case_a)
        return len(ctx.captured_queries)

    execution_record(actor=programme(), case=cast.case_a, test_case_id=record.required[0], status="PASSED")
    few = queries()
    for test_case in record.required[1:6]:
        execution_record(actor=programme(), case=cast.case_a, test_case_id=test_case, status="FAILED")
    assert queries() == few
    progress = case_progress(cast.case_a)
    assert (progress.required, progress.passed, progress.failed) == (len(record.required), 1, 5)
    assert progress.not_run == len(record.required) - 6
