"""Importing results into a case: the preview, the atomic apply, idempotent re-imports, who may, and when."""

from __future__ import annotations

import datetime as dt

import pytest

from qualify.audit.models import AuditEvent
from qualify.cases.models import QualificationCase
from qualify.core.errors import Conflict, NotAllowed, TransitionNotAllowed, ValidationFailed
from qualify.testing.choices import ImportState
from qualify.testing.models import Execution, ResultImport
from qualify.testing.selectors.progress import case_progress
from qualify.testing.services.execution import execution_record
from qualify.testing.services.results import results_apply, results_preview
from qualify.testing.tests.helpers import programme, scoped
from qualify.testing.tests.import_helpers import csv_file, in_testing

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(cast):  # type: ignore[no-untyped-def]
    """case_a in testing, scoped on the sample catalogue; the required set's first ids."""
    record = scoped(in_testing(cast.case_a))
    return record.required


def preview(cast, data: bytes, who: str = "lead_a", kind: str = "") -> ResultImport:  # type: ignore[no-untyped-def]
    return results_preview(actor=cast.actor(who), case=cast.case_a, kind=kind, source_name="run.csv", data=data)


def test_preview_counts_what_will_change_and_lists_refused_rows(cast, ready):
    outside = "QT-999"
    data = csv_file(
        f"{ready[0]},Passed,2026-03-04,Tess,",
        f"{ready[1]},Failed,2026-03-04,Tess,broke",
        f"{ready[2]},NotExecuted,,,",
        f"{outside},Passed,2026-03-04,Tess,",
        f"{ready[3]},Maybe,2026-03-04,Tess,",
    )
    found = preview(cast, data)
    assert found.state == ImportState.PREVIEWED and found.kind == "AZURE_DEVOPS"
    counts = found.preview["counts"]
    assert (counts["rows"], counts["added"], counts["not_run"], counts["refused"]) == (5, 2, 1, 2)
    assert counts["by_status"] == {"FAILED": 1, "PASSED": 1}
    problems = found.preview["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [(4, "Test Case Id"), (5, "Outcome")]
    assert "QT-999 is not in this case's required test set" in problems[0]["message"]
    assert (found.rows_total, found.rows_refused) == (5, 2)
    assert len(found.sha256) == 64 and found.size == len(data)
    assert not Execution.objects.filter(case=cast.case_a).exists()


def test_apply_records_the_runs_in_one_go_with_one_audit_event(cast, ready):
    data = csv_file(f"{ready[0]},Passed,2026-03-04,Tess,", f"{ready[1]},Failed,2026-03-04,Tess,broke")
    found = preview(cast, data)
    before = AuditEvent.objects.count()
    applied = results_apply(actor=cast.actor("contributor_a"), result_import=found)
    assert applied.state == ImportState.APPLIED and applied.rows_applied == 2 and applied.applied_at is not None
    runs = Execution.objects.filter(case=cast.case_a).order_by("test_case_id")
    assert [(r.test_case_id, r.status, r.source, r.is_latest) for r in runs] == [
        (ready[0], "PASSED", "AZURE_DEVOPS", True),
        (ready[1], "FAILED", "AZURE_DEVOPS", True),
    ]
    assert all(r.result_import_id == applied.pk and len(r.row_key) == 64 for r in runs)
    events = AuditEvent.objects.filter(seq__gt=before)
    [event] = events  # one for the import, not one per row
    assert event.action == "testing.resultimport.apply"
    assert event.changes["file_sha256"] == found.sha256 and event.changes["added"] == 2
    assert applied.preview["rows"] == []
    progress = case_progress(cast.case_a)
    assert (progress.passed, progress.failed) == (1, 1)


def test_reapplying_or_reimporting_the_same_file_changes_nothing(cast, ready):
    data = csv_file(f"{ready[0]},Failed,2026-03-04,Tess,", f"{ready[0]},Passed,2026-03-05,Tess,")
    first = results_apply(actor=cast.actor("lead_a"), result_import=preview(cast, data))
    runs = list(Execution.objects.filter(case=cast.case_a).values_list("pk", "is_latest"))
    events = AuditEvent.objects.count()
    assert results_apply(actor=cast.actor("lead_a"), result_import=first).pk == first.pk
    again = preview(cast, data)
    assert again.preview["counts"]["added"] == 0 and again.preview["counts"]["unchanged"] == 2
    results_apply(actor=cast.actor("lead_a"), result_import=again)
    assert list(Execution.objects.filter(case=cast.case_a).values_list("pk", "is_latest")) == runs
    assert AuditEvent.objects.count() == events + 1  # the second import's own (empty) apply


def test_the_latest_run_date_then_the_file_order_decides_which_run_counts(cast, ready):
    data = csv_file(
        f"{ready[0]},Passed,2026-03-06,Tess,",
        f"{ready[0]},Failed,2026-03-04,Tess,older",
        f"{ready[1]},Failed,2026-03-04,Tess,first",
        f"{ready[1]},Blocked,2026-03-04,Tess,second",
    )
    results_apply(actor=cast.actor("lead_a"), result_import=preview(cast, data))
    latest = dict(Execution.objects.filter(case=cast.case_a, is_latest=True).values_list("test_case_id", "status"))
    assert latest == {ready[0]: "PASSED", ready[1]: "BLOCKED"}
    assert Execution.objects.filter(case=cast.case_a).count() == 4


def test_an_import_supersedes_the_counting_run_unless_that_run_is_later(cast, ready):
    execution_record(actor=programme(), case=cast.case_a, test_case_id=ready[0], status="FAILED")
    later = dt.date(2026, 4, 1)
    execution_record(actor=programme(), case=cast.case_a, test_case_id=ready[1], status="PASSED", run_date=later)
    data = csv_file(f"{ready[0]},Passed,2026-03-04,Tess,", f"{ready[1]},Failed,2026-03-04,Tess,")
    found = preview(cast, data)
    assert found.preview["counts"]["latest_changes"] == 1
    results_apply(actor=cast.actor("lead_a"), result_import=found)
    latest = dict(Execution.objects.filter(case=cast.case_a, is_latest=True).values_list("test_case_id", "status"))
    assert latest == {ready[0]: "PASSED", ready[1]: "PASSED"}


def test_a_failure_during_apply_leaves_nothing(cast, ready, monkeypatch):
    execution_record(actor=programme(), case=cast.case_a, test_case_id=ready[0], status="FAILED")
    found = preview(cast, csv_file(f"{ready[0]},Passed,2026-03-04,Tess,", f"{ready[1]},Passed,2026-03-04,Tess,"))
    import qualify.testing.imports_workflow as workflow_module

    def broken(self, applied):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(workflow_module.ResultImportWorkflow, "record", broken)
    with pytest.raises(RuntimeError):
        results_apply(actor=cast.actor("lead_a"), result_import=found)
    runs = Execution.objects.filter(case=cast.case_a)
    assert [(r.test_case_id, r.status, r.is_latest) for r in runs] == [(ready[0], "FAILED", True)]
    assert ResultImport.objects.get(pk=found.pk).state == ImportState.PREVIEWED


def test_junit_import_records_not_applicable_with_its_reason(cast, ready):
    xml = (
        f'<testsuite timestamp="2026-03-04T09:00:00"><testcase name="{ready[0]}">'
        '<skipped message="Not applicable: no unmetered supplies"/></testcase>'
        f'<testcase name="{ready[1]}"><failure message="wrong D0010"/></testcase></testsuite>'
    ).encode()
    found = preview(cast, xml)
    assert found.kind == "JUNIT"
    results_apply(actor=cast.actor("lead_a"), result_import=found)
    run = Execution.objects.get(case=cast.case_a, test_case_id=ready[0])
    assert (run.status, run.not_applicable_reason, run.source) == (
        "NOT_APPLICABLE",
        "Not applicable: no unmetered supplies",
        "JUNIT",
    )


@pytest.mark.parametrize("who", ["viewer_a", "lead_b", "bsc", "admin"])
def test_only_the_participants_lead_or_contributor_may_import(cast, ready, who):
    with pytest.raises(NotAllowed):
        preview(cast, csv_file(f"{ready[0]},Passed,2026-03-04,Tess,"), who=who)


@pytest.mark.parametrize("who", ["viewer_a", "lead_b", "bsc"])
def test_only_the_participants_lead_or_contributor_may_apply(cast, ready, who):
    found = preview(cast, csv_file(f"{ready[0]},Passed,2026-03-04,Tess,"))
    with pytest.raises(NotAllowed):
        results_apply(actor=cast.actor(who), result_import=found)


def test_results_are_recorded_only_while_the_case_is_in_testing(cast):
    scoped(cast.case_a)
    with pytest.raises(Conflict, match="only while the case is in testing"):
        preview(cast, csv_file("QT-001,Passed,2026-03-04,Tess,"))


def test_apply_is_refused_once_the_case_left_testing(cast, ready):
    found = preview(cast, csv_file(f"{ready[0]},Passed,2026-03-04,Tess,"))
    QualificationCase.objects.filter(pk=cast.case_a.pk).update(state="FINAL_QAD_SUBMITTED")
    with pytest.raises(TransitionNotAllowed, match="only while the case is in testing"):
        results_apply(actor=cast.actor("lead_a"), result_import=found)


def test_an_unscoped_case_has_nothing_to_import_into(cast):
    in_testing(cast.case_a)
    with pytest.raises(ValidationFailed, match="no confirmed scope"):
        preview(cast, csv_file("QT-001,Passed,2026-03-04,Tess,"))


def test_a_file_refused_whole_keeps_no_preview(cast, ready):
    with pytest.raises(ValidationFailed, match="empty"):
        preview(cast, b"")
    assert not ResultImport.objects.exists()
