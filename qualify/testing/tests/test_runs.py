"""Recording runs with evidence, assuring them by the right body, defects and their work-off plans, the queues."""

from __future__ import annotations

import datetime as dt

import pytest

from qualify.assessment.tests.journey import ensure_qad
from qualify.audit.models import AuditEvent
from qualify.core import clock
from qualify.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from qualify.testing.choices import Assurance, DefectState, ExecutionStatus
from qualify.testing.models import Defect, Execution
from qualify.testing.selectors.runs import assurance_queue, defect_is_covered
from qualify.testing.services.assurance import execution_assure, execution_assure_bulk
from qualify.testing.services.defects import (
    defect_finding_raise,
    defect_plan_decide,
    defect_plan_propose,
    defect_record,
    defect_transition,
)
from qualify.testing.services.execution import EvidenceUpload, execution_add
from qualify.testing.tests.helpers import scoped
from qualify.testing.tests.runs_setup import PDF, in_testing, ldso_qt_case, pdf, required_by_batch

pytestmark = pytest.mark.django_db


def run(cast, key="lead_a", case=None, test_case=None, status=ExecutionStatus.PASSED, **kw):  # type: ignore[no-untyped-def]
    case = case or cast.case_a
    return execution_add(actor=cast.actor(key), case=case, test_case_id=test_case, status=status, **kw)


# --- recording -------------------------------------------------------------------------------------------------------


def test_a_run_is_refused_before_the_case_is_in_testing_naming_its_state(cast):
    record = scoped(cast.case_a)
    with pytest.raises(TransitionNotAllowed, match=r"in testing; .* is draft"):
        run(cast, test_case=record.required[0])


def test_only_the_participants_lead_or_contributor_records_a_run(cast):
    record = in_testing(cast.case_a)
    assert run(cast, "contributor_a", test_case=record.required[0]).assurance == Assurance.PENDING
    for key in ("viewer_a", "bsc", "admin"):
        with pytest.raises(NotAllowed):
            run(cast, key, test_case=record.required[0])


def test_a_run_cannot_be_dated_in_the_future(cast):
    record = in_testing(cast.case_a)
    with pytest.raises(ValidationFailed, match="future"):
        run(cast, test_case=record.required[0], run_date=clock.today() + dt.timedelta(days=1))


def test_not_applicable_is_recorded_with_its_reason(cast):
    record = in_testing(cast.case_a)
    done = run(
        cast, test_case=record.required[0], status=ExecutionStatus.NOT_APPLICABLE, not_applicable_reason="No HH sites"
    )
    assert done.not_applicable_reason == "No HH sites"


def test_a_run_keeps_its_evidence_in_the_qad_evidence_store(cast):
    ensure_qad(cast)
    record = in_testing(cast.case_a)
    done = run(
        cast,
        test_case=record.required[0],
        status=ExecutionStatus.FAILED,
        uploads=[EvidenceUpload(stream=pdf(), name="run-log.pdf", size=len(PDF))],
    )
    files = list(done.evidence.all())
    assert [f.original_name for f in files] == ["run-log.pdf"]
    assert files[0].response.case_id == cast.case_a.pk and len(files[0].sha256) == 64


def test_evidence_of_the_wrong_kind_is_refused_and_no_run_is_recorded(cast):
    ensure_qad(cast)
    record = in_testing(cast.case_a)
    with pytest.raises(ValidationFailed):
        run(cast, test_case=record.required[0], uploads=[EvidenceUpload(stream=pdf(), name="run.exe", size=len(PDF))])
    assert not Execution.objects.filter(case=cast.case_a).exists()


# --- assurance -------------------------------------------------------------------------------------------------------


def test_a_bsc_assessor_cannot_assure_a_dip_batch_run_and_the_dip_manager_can(cast):
    dip, _ = required_by_batch(in_testing(cast.case_a))
    done = run(cast, test_case=dip[0])
    with pytest.raises(NotAllowed, match="DIP Manager"):
        execution_assure(actor=cast.actor("bsc"), execution=done, decision="accept")
    accepted = execution_assure(actor=cast.actor("dip"), execution=done, decision="accept")
    assert (accepted.assurance, accepted.assured_by_body) == (Assurance.ACCEPTED, "DIP")
    assert accepted.assured_by_name == cast.user("dip").display_name and accepted.assured_at is not None


def test_a_suppliers_functional_run_is_assured_by_the_bsc_or_rec_not_the_dip_manager(cast):
    _, other = required_by_batch(in_testing(cast.case_a))
    done = run(cast, test_case=other[0])
    with pytest.raises(NotAllowed):
        execution_assure(actor=cast.actor("dip"), execution=done, decision="accept")
    with pytest.raises(NotAllowed):
        execution_assure(actor=cast.actor("admin"), execution=done, decision="accept")
    assert execution_assure(actor=cast.actor("rec"), execution=done, decision="accept").assured_by_body == "REC"


def test_an_ldsos_functional_run_is_assured_by_the_programme_test_manager(cast):
    case = ldso_qt_case(cast)
    _, other = required_by_batch(in_testing(case))
    done = execution_add(actor=cast.actor("lead_b"), case=case, test_case_id=other[0], status="PASSED")
    with pytest.raises(NotAllowed, match="test manager"):
        execution_assure(actor=cast.actor("bsc"), execution=done, decision="accept")
    assert execution_assure(actor=cast.actor("admin"), execution=done, decision="accept").assured_by_body == "PROGRAMME"


def test_sending_back_needs_a_comment_and_a_superseded_run_is_not_assured(cast):
    dip, _ = required_by_batch(in_testing(cast.case_a))
    first = run(cast, test_case=dip[0], status=ExecutionStatus.FAILED)
    with pytest.raises(ValidationFailed, match="reason"):
        execution_assure(actor=cast.actor("dip"), execution=first, decision="send_back")
    back = execution_assure(actor=cast.actor("dip"), execution=first, decision="send_back", comment="No log attached")
    assert back.assurance == Assurance.SENT_BACK and back.assurance_comment == "No log attached"
    older = run(cast, test_case=dip[1])
    run(cast, test_case=dip[1])
    with pytest.raises(TransitionNotAllowed, match="later run"):
        execution_assure(actor=cast.actor("dip"), execution=older, decision="accept")


def test_bulk_accept_is_all_or_none_with_an_audit_event_per_run(cast):
    dip, _ = required_by_batch(in_testing(cast.case_a))
    runs = [run(cast, test_case=c) for c in dip[:3]]
    execution_assure(actor=cast.actor("dip"), execution=runs[2], decision="accept")
    with pytest.raises(ValidationFailed, match="awaiting assurance"):
        execution_assure_bulk(actor=cast.actor("dip"), case=cast.case_a, runs=[r.uuid for r in runs])
    assert Execution.objects.filter(pk=runs[0].pk, assurance=Assurance.PENDING).exists()
    accepted = execution_assure_bulk(actor=cast.actor("dip"), case=cast.case_a, runs=[r.uuid for r in runs[:2]])
    assert {r.assurance for r in accepted} == {Assurance.ACCEPTED}
    events = AuditEvent.objects.filter(action="testing.execution.accept", object_id__in=[str(r.uuid) for r in runs])
    assert events.count() == 3


def test_the_queues_show_each_body_what_it_assures_oldest_first(cast):
    dip, other = required_by_batch(in_testing(cast.case_a))
    first_dip = run(cast, test_case=dip[0])
    run(cast, test_case=dip[1])
    run(cast, test_case=other[0])
    dip_queue = list(assurance_queue(actor=cast.actor("dip")))
    assert [r.test_case_id for r in dip_queue] == dip[:2] and dip_queue[0].pk == first_dip.pk
    assert [r.test_case_id for r in assurance_queue(actor=cast.actor("bsc"))] == [other[0]]
    assert list(assurance_queue(actor=cast.actor("admin"))) == []
    assert list(assurance_queue(actor=cast.actor("lead_b"), dip_only=True)) == []


# --- defects and work-off plans --------------------------------------------------------------------------------------


def defect(cast, **kw):  # type: ignore[no-untyped-def]
    fields = {"title": "Rejected D0055", "owner": "Ops team", "severity": "HIGH", **kw}
    return defect_record(actor=cast.actor("lead_a"), case=cast.case_a, **fields)


def test_a_defect_is_fixed_then_closed_and_a_failed_retest_reopens_it(cast):
    record = in_testing(cast.case_a)
    found = defect(cast, test_case_id=record.required[0])
    assert found.reference.startswith("DEF-") and found.state == DefectState.OPEN
    with pytest.raises(TransitionNotAllowed):
        defect_transition(actor=cast.actor("lead_a"), defect=found, name="close")
    found = defect_transition(actor=cast.actor("contributor_a"), defect=found, name="fix")
    with pytest.raises(ValidationFailed):
        defect_transition(actor=cast.actor("lead_a"), defect=found, name="retest_failed")
    found = defect_transition(actor=cast.actor("lead_a"), defect=found, name="retest_failed", comment="Still fails")
    assert found.state == DefectState.OPEN
    defect_transition(actor=cast.actor("lead_a"), defect=found, name="fix")
    closed = defect_transition(actor=cast.actor("lead_a"), defect=found, name="close")
    assert closed.state == DefectState.CLOSED and closed.closed_on == clock.today()
    assert defect_is_covered(closed)


def test_only_the_participant_moves_its_defects(cast):
    in_testing(cast.case_a)
    found = defect(cast)
    for key in ("viewer_a", "bsc"):
        with pytest.raises(NotAllowed):
            defect_transition(actor=cast.actor(key), defect=found, name="fix")


def test_a_defect_from_a_run_names_its_test_case_and_one_outside_the_set_is_refused(cast):
    record = in_testing(cast.case_a)
    failed = run(cast, test_case=record.required[0], status=ExecutionStatus.FAILED)
    assert defect(cast, execution=failed).test_case_id == record.required[0]
    outside = next(v["case_id"] for v in record.verdicts if not v["included"])
    with pytest.raises(ValidationFailed, match="not in this case's required"):
        defect(cast, test_case_id=outside)
    with pytest.raises(ValidationFailed, match="title"):
        defect(cast, title="  ")


def test_an_open_defect_is_covered_once_its_work_off_plan_is_agreed(cast):
    in_testing(cast.case_a)
    found = defect(cast, target_date=clock.today() + dt.timedelta(days=20))
    assert not defect_is_covered(found)
    with pytest.raises(NotAllowed):
        defect_finding_raise(actor=cast.actor("lead_a"), defect=found, body="BSC")
    finding = defect_finding_raise(actor=cast.actor("bsc"), defect=found)
    found = Defect.objects.get(pk=found.pk)
    assert found.finding_id == finding.pk and finding.body == "BSC" and found.reference in finding.title
    with pytest.raises(TransitionNotAllowed, match="already"):
        defect_finding_raise(actor=cast.actor("rec"), defect=found)
    defect_plan_propose(actor=cast.actor("lead_a"), defect=found, work_off_plan="Patch 2.1 by March; retest QT-010")
    assert not defect_is_covered(Defect.objects.get(pk=found.pk))
    with pytest.raises(NotAllowed):
        defect_plan_decide(actor=cast.actor("rec"), defect=found, agree=True)
    defect_plan_decide(actor=cast.actor("bsc"), defect=found, agree=True)
    assert defect_is_covered(Defect.objects.select_related("finding").get(pk=found.pk))


def test_a_participant_cannot_propose_a_plan_before_a_finding_exists(cast):
    in_testing(cast.case_a)
    with pytest.raises(TransitionNotAllowed, match="no work-off finding"):
        defect_plan_propose(actor=cast.actor("lead_a"), defect=defect(cast), work_off_plan="Soon")
