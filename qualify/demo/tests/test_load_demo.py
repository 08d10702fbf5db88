from __future__ import annotations

import datetime as dt
import itertools
import re
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document as WordDocument

from conftest import rolled_back
from qualify.accounts.models import ApiToken, User
from qualify.accounts.services import api_token_authenticate
from qualify.assessment.choices import APPROVING, ActivationItem, FindingState, QueryState, approvals_needed
from qualify.assessment.models import ActivationStep, AgendaItem, BoardDecision, BoardMeeting, Finding, Query
from qualify.audit.models import AuditEvent
from qualify.audit.services import verify_chain
from qualify.cases.models import CaseTransition, QualificationCase
from qualify.core.actor import system_actor
from qualify.core.workdays import is_working_day
from qualify.demo.data import DEFAULT_PASSWORD, MACHINE, MARKER_EMAIL, ORGANISATIONS
from qualify.demo.services import demo_logins
from qualify.library.models import ArtefactVersion, GovernanceApproval, QwgReport
from qualify.participants.choices import MarketRole, Route
from qualify.participants.models import DistributorId, Exemption, MarketParticipation, Membership, Organisation
from qualify.participants.services import organisation_create
from qualify.plan.choices import DeadlineKind, MilestoneMeaning
from qualify.plan.models import Milestone, Wave, WaveDeadline
from qualify.qad.models import QadDeclaration
from qualify.register.models import RegisterEvent
from qualify.register.selectors import participation_status

# Each approving body's decision-maker in the demo.
DECIDER_NAMES = {"BSC": "Graham Oduya", "DIP": "Ruth Okafor", "REC": "Callum Fraser"}

MODELS = (
    Organisation,
    MarketParticipation,
    DistributorId,
    Exemption,
    Membership,
    User,
    ApiToken,
    Milestone,
    Wave,
    WaveDeadline,
    QualificationCase,
    CaseTransition,
    RegisterEvent,
    AuditEvent,
    Query,
    Finding,
    BoardMeeting,
    BoardDecision,
    ActivationStep,
)


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def sqlite_only() -> None:
    """The demo runs on the embedded default, SQLite (README). On PostgreSQL the loaded demo's own tests run
    (``TestTheLoadedDemo``: a whole load, a second load changing nothing); a further whole load per case here takes
    80 s or more there and reaches only the services the rest of the suite already runs on PostgreSQL."""
    if connection.vendor != "sqlite":
        pytest.skip("another whole demo load: on SQLite only (the loaded demo's tests run on PostgreSQL too)")


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture(scope="class")
def loaded(django_db_setup, django_db_blocker):
    """The demo loaded once for the tests that only read it (a load takes half a minute), rolled back after them.

    It is loaded with a password of its own, which the sign-in test below checks every demo login has.
    """
    with rolled_back(django_db_blocker):
        with django_db_blocker.unblock():
            output = load("--password", "another-demo-pass-42")
        yield output


@pytest.mark.django_db
class TestTheLoadedDemo:
    def test_load_demo_builds_a_believable_market_and_a_second_run_changes_nothing(self, loaded):
        first = loaded

        assert 38 <= Organisation.objects.count() <= 45
        participations = MarketParticipation.objects.all()
        assert {p.role for p in participations} == set(MarketRole.values)
        assert {p.route for p in participations} == set(Route.values)
        assert QualificationCase.objects.count() == participations.count()
        assert QualificationCase.objects.values("state").distinct().count() >= 8
        today = timezone.localdate()
        assert any(participation_status(participation=p, on=today).operational for p in participations)
        assert list(verify_chain()) == []

        before = counts()
        second = load()
        assert counts() == before
        assert "already loaded" in second
        assert "already loaded" not in first
        for login in demo_logins():
            assert login.email in first and login.email in second

    def test_every_case_stands_where_the_demo_says_through_real_transitions(self, loaded):
        planned = {(p.mpid, p.role): p.state for o in ORGANISATIONS for p in o.participations}
        actual = {
            (c.participation.mpid, c.participation.role): c.state
            for c in QualificationCase.objects.select_related("participation")
        }
        assert actual == planned
        for case in QualificationCase.objects.exclude(state="DRAFT").prefetch_related("transitions"):
            steps = list(case.transitions.all())
            assert steps[0].from_state == "DRAFT"
            assert all(a.to_state == b.from_state for a, b in itertools.pairwise(steps))
            assert steps[-1].to_state == case.state
        # Participant steps are taken by the organisation's lead, assessor steps by an assessor, approval follows the
        # last approving body's decision, recorded by that body's own decision-maker.
        approve = CaseTransition.objects.filter(name="approve").first()
        assert approve is not None and approve.actor_name in DECIDER_NAMES.values()
        # The case is signed by the director the lead invited, declaring with their own account, not by the lead.
        sign = CaseTransition.objects.select_related("case__participation__organisation").filter(name="sign").first()
        assert sign is not None
        declaration = (
            QadDeclaration.objects.select_related("signatory", "invitation")
            .filter(submission__case=sign.case)
            .order_by("pk")
            .first()
        )
        assert declaration is not None
        assert declaration.signatory is not None and sign.actor_id == declaration.signatory.pk
        assert declaration.invitation is not None and declaration.invitation.invited_by_name != sign.actor_name
        assert not Membership.objects.filter(user=declaration.signatory).exists()

    def test_the_assessment_behind_the_cases_is_recorded_through_the_assessment_services(self, loaded):
        today = timezone.localdate()
        # Queries ran their course on the way, and some are left: owed by the participant, and one with the reviewer.
        assert Query.objects.filter(state=QueryState.CLOSED).count() >= 10
        left = Query.objects.exclude(state=QueryState.CLOSED)
        assert left.filter(state=QueryState.OPEN, response_due=today).exists()
        assert left.filter(state=QueryState.ANSWERED).count() == 1
        assert {q.case.state for q in left.select_related("case")} <= {"INITIAL_CLARIFICATION", "FINAL_CLARIFICATION"}
        # Findings with work-off plans proposed and agreed.
        assert {f.state for f in Finding.objects.all()} == set(FindingState.values)
        # Every case that was qualified has an approving decision from each body its role needs, at a past meeting.
        for step in CaseTransition.objects.filter(name="approve").select_related("case__participation"):
            decisions = BoardDecision.objects.filter(case=step.case, outcome__in=list(APPROVING)).select_related(
                "agenda_item__meeting"
            )
            assert {d.body for d in decisions} == set(approvals_needed(step.case.participation.role)), step.case
            # The BSC PAB at its past meetings; the DIP Manager and the REC Code Manager by dated decisions of theirs.
            assert all(d.decided_on < today for d in decisions)
            assert all((d.agenda_item is not None) == (d.body == "BSC") for d in decisions), step.case
            assert all(d.agenda_item.meeting.meets_on == d.decided_on for d in decisions if d.agenda_item)
            assert all(d.recorded_by_name == DECIDER_NAMES[d.body] for d in decisions)
            assert max(d.effective_from for d in decisions) == step.effective_date
            assert step.actor_name == DECIDER_NAMES["BSC" if "BSC" in {d.body for d in decisions} else "REC"]
        # The board calendar: every authority meets, in the past and to come; the cases awaiting approval are tabled.
        for body in ("DIP", "BSC", "REC"):
            assert BoardMeeting.objects.filter(body=body, meets_on__lt=today).exists()
            assert BoardMeeting.objects.filter(body=body, meets_on__gt=today).exists()
        tabled = AgendaItem.objects.filter(meeting__meets_on__gt=today, decision__isnull=True)
        assert set(tabled.values_list("case__state", flat=True)) == {"AWAITING_APPROVAL"}
        assert set(tabled.values_list("case", flat=True)) == set(
            QualificationCase.objects.filter(state="AWAITING_APPROVAL").values_list("pk", flat=True)
        )
        # Service activation went through the checklist.
        for case in QualificationCase.objects.filter(state="ACTIVE"):
            assert ActivationStep.objects.filter(case=case).count() == len(ActivationItem.values)

    def test_plan_has_the_milestones_and_waves_with_past_and_future_deadlines(self, loaded):
        milestones = {m.code: m for m in Milestone.objects.all()}
        assert set(milestones) == {"M8", "M10", "M11", "M12", "M13", "M14", "M15", "M16"}
        move = milestones["M10"].date_changes.get()
        assert move.change_request == "CR055"
        assert move.approved_on == dt.date(2024, 11, 29)
        assert milestones["M11"].segments == ["ADVANCED", "UMS"]
        assert milestones["M12"].segments == ["SMART"]
        assert milestones["M14"].meaning == MilestoneMeaning.ALL_SUPPLIERS_QUALIFIED
        assert milestones["M15"].meaning == MilestoneMeaning.MIGRATION_END and milestones["M15"].date is None
        today = timezone.localdate()
        for wave in Wave.objects.prefetch_related("deadlines"):
            dates = {d.kind: d.date for d in wave.deadlines.all()}
            assert set(dates) == set(DeadlineKind.values)
            assert [dates[k] for k in DeadlineKind.values] == sorted(dates.values())
        deadlines = WaveDeadline.objects.values_list("date", flat=True)
        assert any(d < today for d in deadlines) and any(d > today for d in deadlines)

    def test_ldsos_hold_the_fourteen_gsp_groups_and_idnos_the_higher_ids(self, loaded):
        codes = set(DistributorId.objects.values_list("code", flat=True))
        assert {str(n) for n in range(10, 24)} <= codes
        assert any(int(c) >= 24 for c in codes)
        assert set(DistributorId.objects.values_list("participation__role", flat=True)) == {MarketRole.LDSO}
        exemption = Exemption.objects.select_related("participation").get()
        assert exemption.kind == "SMART_SEGMENT" and exemption.participation.role == MarketRole.SUPPLIER
        # The BSC PAB's decision, recorded by its member, with the REC derogation recorded by the REC's.
        assert exemption.decided_by_name == DECIDER_NAMES["BSC"]
        assert exemption.derogation_by_name == DECIDER_NAMES["REC"]
        assert exemption.decided_on <= exemption.derogation_on < timezone.localdate() + dt.timedelta(days=1)

    def test_the_library_holds_the_published_qualification_set_with_its_history(self, loaded):
        client = Client()
        client.post(reverse("accounts:login"), {"login": MARKER_EMAIL, "password": "another-demo-pass-42"})
        artefacts = {a["document_number"]: a for a in client.get("/api/v1/library/artefacts?limit=200").json()["items"]}
        published = {
            "MHHS-DEL1118": "4.0",
            "MHHS-DEL2183": "3.0",
            "MHHS-DEL2433": "3.0",
            "MHHS-DEL3397": "0.2",
            "MHHS-DEL2215": "2.0",
            "MHHS-DEL3317": "1.0",
            "MHHS-DEL2207": "1.0",
        }
        for number, version in published.items():
            baselined = [v["version"] for v in artefacts[number]["versions"] if v["status"] == "BASELINED"]
            assert baselined == [version], number
        assert artefacts["MHHS-DEL2207"]["subtype"] == "Supporting Document"
        # The consultations closed when the record says, and exactly one is open today.
        consultations = client.get("/api/v1/library/consultations?limit=200").json()
        consultations = consultations.get("items", consultations)
        closing_days = {timezone.localtime(dt.datetime.fromisoformat(c["closes_at"])).date() for c in consultations}
        assert {dt.date(2024, 2, 14), dt.date(2024, 12, 20), dt.date(2025, 2, 6)} <= closing_days
        assert [c["status"] for c in consultations].count("OPEN") == 1
        logs = {c["comments_log"] for c in consultations}
        assert {"MHHS-DEL2207", "MHHS-DEL3317"} <= logs
        # Annex 3 went through QWG, QAG and the PABs on their published dates, in that order.
        annex_3 = ArtefactVersion.objects.get(artefact__document_number="MHHS-DEL3397", version="0.2")
        decided = list(annex_3.approvals.order_by("decided_on").values_list("body", "decided_on"))
        assert decided == [
            ("QAG", dt.date(2025, 3, 20)),
            ("REC_PAB", dt.date(2025, 3, 25)),
            ("BSC_PAB", dt.date(2025, 3, 27)),
        ]
        assert QwgReport.objects.get(consultation__versions=annex_3).reported_on == dt.date(2025, 3, 11)
        # Histories carry the dates things happened, not the load day; every decision fell on a working day.
        baselined_at = annex_3.transitions.get(name="baseline").at
        assert timezone.localtime(baselined_at).date() == dt.date(2025, 3, 27)
        assert all(d.weekday() < 5 for d in GovernanceApproval.objects.values_list("decided_on", flat=True))
        assert not AuditEvent.objects.filter(at__gt=timezone.now()).exists()
        # The files are our placeholders and say so.
        qap = ArtefactVersion.objects.get(artefact__document_number="MHHS-DEL1118", version="4.0")
        text = "\n".join(p.text for p in WordDocument(qap.files.get(kind="CLEAN").file.open("rb")).paragraphs)
        assert "Placeholder" in text and "not the published document" in text

    def test_ldsos_were_qualified_before_migration_opened_and_boards_meet_on_working_days(self, loaded):
        migration_opened = Milestone.objects.filter(meaning=MilestoneMeaning.MIGRATION_START).order_by("date")[0]
        for participation in MarketParticipation.objects.filter(role=MarketRole.LDSO).exclude(route=Route.NEW_ENTRANT):
            qualified = RegisterEvent.objects.filter(participation=participation, kind="QUALIFIED").first()
            assert qualified is not None, participation
            assert qualified.effective_date < migration_opened.date, participation
        assert all(is_working_day(day) for day in BoardMeeting.objects.values_list("meets_on", flat=True))

    def test_case_histories_are_dated_when_each_step_happened(self, loaded):
        today = timezone.localdate()
        active = QualificationCase.objects.filter(state="ACTIVE")
        assert active.exists()
        for case in active:
            steps = list(case.transitions.order_by("pk"))
            days = [timezone.localtime(step.at).date() for step in steps]
            assert days == sorted(days), case
            assert days[0] < days[-1] < today, case  # a history, not a burst on the load day
            assert all(is_working_day(day) for day in days), case
            approve = next(step for step in steps if step.name == "approve")
            assert dt.timedelta(0) <= timezone.localtime(approve.at).date() - approve.effective_date < dt.timedelta(4)
            assert timezone.localtime(case.created_at).date() < days[0]
            submitted = [s.created_at for s in case.qad_submissions.all()]
            assert submitted and all(days[0] < timezone.localtime(at).date() < approve.at.date() for at in submitted)
        # The register remembers when it learned each qualification: asked as known just before the approval was
        # recorded, the participant was not yet qualified; just after, it was.
        case = active.select_related("participation").first()
        approve = case.transitions.get(name="approve")
        path = f"/api/v1/register/{case.participation.mpid}/{case.participation.role}"
        client = Client()
        client.post(reverse("accounts:login"), {"login": MARKER_EMAIL, "password": "another-demo-pass-42"})
        on = approve.effective_date.isoformat()
        before = client.get(path, {"on": on, "known_at": (approve.at - dt.timedelta(minutes=1)).isoformat()})
        after = client.get(path, {"on": on, "known_at": (approve.at + dt.timedelta(minutes=1)).isoformat()})
        assert (before.status_code, after.status_code) == (200, 200)
        assert before.json()["qualified_from"] is None and after.json()["qualified_from"] == on
        # A case still in progress got there over months; its last step is the load day's.
        testing = QualificationCase.objects.filter(state="TESTING").first()
        assert testing is not None
        first, last = testing.transitions.order_by("pk").first(), testing.transitions.order_by("pk").last()
        assert first is not None and last is not None
        assert timezone.localtime(first.at).date() < today - dt.timedelta(days=30)
        assert timezone.localtime(last.at).date() == today

    def test_demo_logins_sign_in_with_the_one_password_and_the_machine_token_works(self, loaded):
        out = loaded
        for login in demo_logins():
            client = Client()
            client.post(reverse("accounts:login"), {"login": login.email, "password": "another-demo-pass-42"})
            assert "_auth_user_id" in client.session, login.email
        admin = User.objects.get(email=MARKER_EMAIL)
        assert admin.is_staff and admin.staff_role == "PROGRAMME_ADMIN"
        machine = User.objects.get(email=MACHINE.email)
        assert machine.is_machine and not machine.has_usable_password()
        secret = re.search(r"qfy_\S+", out)
        assert secret is not None and api_token_authenticate(secret.group(0)) == machine
        assert "another-demo-pass-42" in load("--password", "another-demo-pass-42")
        assert "another-demo-pass-42" not in load()


@pytest.mark.django_db
def test_a_weak_password_loads_nothing():
    with pytest.raises(CommandError, match="too weak"):
        load("--password", "password")
    assert Organisation.objects.count() == 0 and not User.objects.exists()


@pytest.mark.django_db
def test_a_failure_half_way_leaves_nothing_half_loaded():
    sqlite_only()
    # The last demo organisation already exists, so loading fails near the end and must roll everything back.
    organisation_create(actor=system_actor("test"), name=ORGANISATIONS[-1].name)
    before = counts()
    with pytest.raises(CommandError, match="already exists"):
        load()
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("day", [dt.date(2025, 2, 1), dt.date(2028, 6, 30)])
def test_effective_dates_are_history_on_whatever_day_the_demo_is_loaded(day):
    sqlite_only()
    with time_machine.travel(dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC), tick=False):
        load()
        today = timezone.localdate()
        assert today == day
        assert not RegisterEvent.objects.filter(effective_date__gt=today).exists()
        assert any(
            participation_status(participation=p, on=today).operational for p in MarketParticipation.objects.all()
        )
    assert DEFAULT_PASSWORD  # the default is what a fresh machine gets; the other tests cover a given password
