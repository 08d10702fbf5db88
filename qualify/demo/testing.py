"""The demo's Qualification Testing: the sample test catalogue published through the library and the catalogue
services, and each case's way through the testing gates recorded through the testing services (prerequisites
recorded and accepted, scope frozen, required cases run, RTTM and completion report rows)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from qualify.cases.models import QualificationCase
from qualify.core import clock
from qualify.core.actor import Actor
from qualify.demo.library import DocumentSpec, _files
from qualify.library.choices import GoverningBody
from qualify.library.services import approval_record, artefact_create, version_approve, version_create
from qualify.participants.choices import MarketRole
from qualify.testing.demo_support import SAMPLE_CATALOGUE, satisfy_entry, satisfy_exit
from qualify.testing.gates import is_qt_route
from qualify.testing.models import TestCatalogue
from qualify.testing.selectors import latest_published_catalogue
from qualify.testing.services import catalogue_load
from qualify.testing.services.scoping import current_scope, scope_freeze

UK = ZoneInfo("Europe/London")
CATALOGUE = DocumentSpec(
    "MHHS-DEL9001",
    "QT catalogue",
    "Qualification Testing catalogue (sample)",
    "Test catalogue",
    "1.0",
    "2024-12-02",
)


def publish_qt_catalogue(*, admin: Actor, decider: Actor) -> TestCatalogue:
    """The sample catalogue, drafted, approved and baselined by the BSC PAB in the library, then published."""
    at = dt.datetime.combine(dt.date.fromisoformat(CATALOGUE.drafted), dt.time(11), tzinfo=UK)
    with clock.replaying(at):
        artefact = artefact_create(
            actor=admin,
            document_number=CATALOGUE.number,
            short_name=CATALOGUE.short_name,
            theme="Qualification",
            subtype=CATALOGUE.subtype,
            title=CATALOGUE.title,
            required_bodies=[GoverningBody.BSC_PAB],
        )
        version = version_create(
            actor=admin,
            artefact=artefact,
            version=CATALOGUE.version,
            release_notes="The test cases of Qualification Testing.",
            files=_files(CATALOGUE, CATALOGUE.version),
        )
        version = version_approve(actor=admin, version=version)
        approval_record(
            actor=decider,
            version=version,
            body=GoverningBody.BSC_PAB,
            decision="APPROVE",
            decided_on=at.date(),
            minutes_reference=f"BSC PAB {at:%-d %b %Y}",
        )
        return catalogue_load(
            actor=admin,
            text=SAMPLE_CATALOGUE.read_text(encoding="utf-8"),
            source_name="qt-catalogue.yaml",
            publish=True,
        )


def reviewer_for(case: QualificationCase, staff: dict[str, Actor]) -> Actor:
    """Who accepts prerequisites and confirms testing complete: the Programme's test manager for an LDSO."""
    return staff["admin"] if case.participation.role == MarketRole.LDSO else staff["dip"]


def enter_testing(case: QualificationCase, *, lead: Actor, staff: dict[str, Actor]) -> None:
    """Before ``start_testing``: scope frozen (QT routes), prerequisites recorded and accepted, RTTM at QT entry."""
    if is_qt_route(case) and current_scope(case) is None:
        scope_freeze(
            actor=staff["admin"],
            case=case,
            reason="Scope confirmed with the Code Bodies.",
            catalogue=latest_published_catalogue(),
        )
    satisfy_entry(case, participant=lead, reviewer=reviewer_for(case, staff))


def leave_testing(case: QualificationCase, *, lead: Actor, staff: dict[str, Actor]) -> None:
    """Before ``complete_testing``: every required case run and passed, RTTM at QT exit, the report submitted (QT),
    or the SIT exit evidence accepted (SIT)."""
    satisfy_exit(case, participant=lead, reviewer=reviewer_for(case, staff))


# --- Qualification Testing stories: reliance on a shared provider, imported results, defects, a draft report ---------

SHARED_PROVIDER = "Meridian Billing Systems Ltd"  # a fictional software house several participants buy from
RELYING = (("HAZB", MarketRole.SUPPLIER), ("AMBL", MarketRole.MEM), ("HLYD", MarketRole.SDS))


def _case_of(mpid: str, role: str) -> QualificationCase | None:
    found: QualificationCase | None = (
        QualificationCase.objects.select_related("participation__organisation", "wave")
        .filter(participation__mpid=mpid, participation__role=role)
        .first()
    )
    return found


def _reliable(case: QualificationCase, n: int) -> list[str]:
    """``n`` test cases of the case's scope that reliance can remove (not in the no-reliance minimum set)."""
    scope = current_scope(case)
    if scope is None:
        return []
    return [v["case_id"] for v in scope.verdicts if v["included"] and "NO_RELIANCE" not in v["minimum_sets"]][:n]


def _junit(case_ids: list[str], failed: set[str], blocked: set[str], *, tester: str, on: dt.date) -> bytes:
    """A JUnit XML report as a test tool would write it: one suite, a test case per catalogue case."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites><testsuite name="MHHS QT" timestamp="{on.isoformat()}T16:00:00" tests="{len(case_ids)}">',
        f'<properties><property name="tester" value="{tester}"/></properties>',
    ]
    for case_id in case_ids:
        lines.append(f'<testcase classname="qt.{case_id.lower().replace("-", "_")}" name="{case_id} end to end">')
        if case_id in failed:
            lines.append('<failure message="Expected the acknowledgement within 30 minutes; none arrived."/>')
        elif case_id in blocked:
            lines.append('<skipped message="Blocked: the DIP test environment was down for maintenance."/>')
        lines.append("</testcase>")
    lines.append("</testsuite></testsuites>")
    return "\n".join(lines).encode("utf-8")


def _azure_csv(case_ids: list[str], failed: set[str], *, tester: str, on: dt.date) -> bytes:
    """An Azure DevOps test-run export: id, title, outcome, completed date, run by and comment."""
    rows = ["Test Case Id,Title,Outcome,Completed Date,Run By,Comment"]
    for case_id in case_ids:
        outcome = "Failed" if case_id in failed else "Passed"
        comment = "Reading rejected: wrong settlement period." if case_id in failed else ""
        rows.append(f"{case_id},{case_id} scenario,{outcome},{on.isoformat()},{tester},{comment}")
    return ("\n".join(rows) + "\n").encode("utf-8")


def demo_qt_stories(*, staff: dict[str, Actor], leads: dict[str, Actor], today: dt.date) -> None:
    """What a Code Body sees of Qualification Testing in progress (DOMAIN.md §10a), told through the services:

    * three participants in testing rely on the same software provider; each proposal is decided by the bodies it
      goes to (one body accepts only part of one) and the case is re-scoped, so its required set shrinks;
    * Hazelbrook imports a JUnit report (two failures, one blocked), records a defect on each failure (one covered by
      an agreed work-off plan, one still open) and generates a draft Test Completion Report;
    * Halyard imports an Azure DevOps CSV export; the DIP Manager accepts its DIP and non-functional runs.
    """
    from qualify.testing.choices import ExecutionStatus, ImportKind, ReliedOnKind
    from qualify.testing.models import Execution
    from qualify.testing.services.assurance import execution_assure
    from qualify.testing.services.completion import completion_report_generate
    from qualify.testing.services.defects import (
        defect_finding_raise,
        defect_plan_decide,
        defect_plan_propose,
        defect_record,
    )
    from qualify.testing.services.reliance import reliance_decide, reliance_draft, reliance_propose
    from qualify.testing.services.results import results_apply, results_preview
    from qualify.testing.services.scope_confirm import scope_rescope

    for index, (mpid, role) in enumerate(RELYING):
        case = _case_of(mpid, role)
        if case is None or current_scope(case) is None:
            continue
        lead = leads[case.participation.organisation.name]
        covers = _reliable(case, 3)
        proposal = reliance_draft(
            actor=lead,
            case=case,
            relied_on_name=SHARED_PROVIDER,
            relied_on_kind=ReliedOnKind.SOFTWARE_PROVIDER,
            covers=covers,
            description="Meridian ran these scenarios on release 7.2 of its billing platform, which we run unchanged.",
        )
        proposal = reliance_propose(actor=lead, proposal=proposal)
        for body_index, body in enumerate(proposal.bodies):
            partly = index == 1 and body_index == 0 and len(covers) > 1
            reliance_decide(
                actor=staff[body.lower()],
                proposal=proposal,
                outcome="PARTLY_ACCEPTED" if partly else "ACCEPTED",
                accepted_covers=covers[:-1] if partly else covers,
                reasons="Meridian's evidence covers the release in use; the last scenario depends on local "
                "configuration, so it is tested here."
                if partly
                else "The provider's test evidence covers the release the participant runs, unchanged.",
            )
        assessor = staff[proposal.bodies[0].lower()]
        scope_rescope(
            actor=assessor, case=case, reason=f"Reliance on {SHARED_PROVIDER} decided ({proposal.reference})."
        )

    hazelbrook = _case_of("HAZB", MarketRole.SUPPLIER)
    if hazelbrook is not None and (scope := current_scope(hazelbrook)) is not None:
        lead = leads[hazelbrook.participation.organisation.name]
        required = list(scope.required)
        failed, blocked = set(required[3:5]), set(required[5:6])
        report = _junit(required, failed, blocked, tester="Samuel Okafor", on=today - dt.timedelta(days=2))
        preview = results_preview(
            actor=lead, case=hazelbrook, kind=ImportKind.JUNIT, source_name="qt-run-week-3.xml", data=report
        )
        results_apply(actor=lead, result_import=preview)
        runs = {
            r.test_case_id: r
            for r in Execution.objects.filter(case=hazelbrook, is_latest=True, status=ExecutionStatus.FAILED)
        }
        assessor = staff["bsc"]
        for number, test_case in enumerate(sorted(failed)):
            defect = defect_record(
                actor=lead,
                case=hazelbrook,
                title=f"No acknowledgement for {test_case} within the agreed window",
                owner="Integration team lead",
                severity="HIGH" if number == 0 else "MEDIUM",
                description="The outbound message was sent; the acknowledgement arrived after the window closed.",
                raised_on=today - dt.timedelta(days=2),
                target_date=today + dt.timedelta(days=21),
                execution=runs.get(test_case),
                test_case_id=test_case,
            )
            if number == 0:
                defect_finding_raise(actor=assessor, defect=defect, due_date=today + dt.timedelta(days=28))
                defect.refresh_from_db()
                defect_plan_propose(
                    actor=lead,
                    defect=defect,
                    work_off_plan="Move the acknowledgement handler to the priority queue; retest in the next cycle.",
                    owner="Integration team lead",
                    due_date=today + dt.timedelta(days=21),
                )
                defect_plan_decide(actor=assessor, defect=defect, agree=True, comment="Plan and date agreed.")
        completion_report_generate(actor=lead, case=hazelbrook)

    halyard = _case_of("HLYD", MarketRole.SDS)
    if halyard is not None and (scope := current_scope(halyard)) is not None:
        lead = leads[halyard.participation.organisation.name]
        required = list(scope.required)
        export = _azure_csv(required[:-1], set(required[1:2]), tester="Marcus Ingleby", on=today - dt.timedelta(days=1))
        preview = results_preview(
            actor=lead, case=halyard, kind=ImportKind.AZURE_DEVOPS, source_name="TestRun_4411.csv", data=export
        )
        results_apply(actor=lead, result_import=preview)
        for run in Execution.objects.filter(
            case=halyard, is_latest=True, status=ExecutionStatus.PASSED, batch__in=["DIP", "NON_FUNCTIONAL"]
        ):
            execution_assure(actor=staff["dip"], execution=run, decision="accept", comment="Evidence checked.")


def demo_annex4_story(*, staff: dict[str, Actor], leads: dict[str, Actor], today: dt.date) -> None:
    """The demo's Annex 4 record, part-way up its ladder: the Programme has sent the notice and the Supplier has
    answered with a remediation plan, which now waits for the Code Body's review (DOMAIN.md §10)."""
    from qualify.oversight.choices import RecordState
    from qualify.oversight.models import NonCompletionRecord
    from qualify.oversight.services import PlanInput, record_decide

    record = (
        NonCompletionRecord.objects.select_related("case__participation__organisation")
        .filter(state=RecordState.OPEN, case__participation__role=MarketRole.SUPPLIER)
        .order_by("opened_on", "pk")
        .first()
    )
    if record is None or record.step != "NOTICE":
        return
    record = record_decide(
        actor=staff["admin"],
        record=record,
        outcome="NOTICE_SENT",
        comment="Notice sent to the qualification lead and the company secretary: QT exit missed twice, not "
        "qualified by M14.",
    )
    lead = leads[record.case.participation.organisation.name]
    record_decide(
        actor=lead,
        record=record,
        outcome="PLAN_SUBMITTED",
        comment="Our remediation plan, agreed by the board.",
        plan=PlanInput(
            summary="Bring in a second test team, rerun the failed migration batch and submit the Final QAD.",
            owner="Head of market readiness",
            milestones=[
                {"title": "Failed migration cases rerun", "due": (today + dt.timedelta(days=21)).isoformat()},
                {"title": "Test Completion Report submitted", "due": (today + dt.timedelta(days=35)).isoformat()},
                {"title": "Final QAD submitted", "due": (today + dt.timedelta(days=49)).isoformat()},
            ],
        ),
    )
