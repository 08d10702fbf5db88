"""Loading the demo market (issue 2) through the same services a person would use.

Nothing here writes a model directly: organisations, people, the plan and every case step go through the domain
services, so case histories, register events and the audit chain are exactly what real use would leave. Cases are
driven along real paths of the case workflow by the people who would take each step (the organisation's lead, a
Code Body assessor, a board member, the programme administrator), so the histories read like real ones.

The assessment is real too (issue 4): the clarification rounds are queries raised by the owning body's assessor,
answered by the lead and closed before the QAD is resubmitted; Final QADs get findings with work-off plans; every
approving body recommends before a case goes to the boards; the authorities meet monthly on a board calendar, and
each qualified case was decided at past meetings (the last approval qualifies it); service activation runs through
its checklist. A few cases are left mid-assessment so every page has something to show.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from qualify.accounts.models import User
from qualify.accounts.services import api_token_create, user_create
from qualify.assessment import choices as ch
from qualify.assessment import rules, services
from qualify.assessment.models import BoardDecision, BoardMeeting, Finding, Query
from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.cases.services import case_assign_wave, case_open, case_transition
from qualify.core import clock, workdays
from qualify.core.actor import Actor, actor_for_user, system_actor
from qualify.core.errors import ValidationFailed
from qualify.core.roles import MembershipRole, StaffRole
from qualify.demo.data import (
    APPROVING_BODIES,
    FINDINGS,
    LOGIN_ORGANISATIONS,
    MACHINE,
    MACHINE_TOKEN_NAME,
    MARKER_EMAIL,
    MILESTONES,
    ORGANISATIONS,
    ROUND_QUERIES,
    STAFF,
    WAVES,
    OrganisationSpec,
    ParticipationSpec,
    QueryTheme,
)
from qualify.demo.library import demo_library_load
from qualify.demo.qad import declare, publish_sample_qad, submit_qad
from qualify.demo.testing import demo_annex4_story, demo_qt_stories, enter_testing, leave_testing, publish_qt_catalogue
from qualify.library.choices import GoverningBody
from qualify.participants.choices import MarketRole, Route
from qualify.participants.models import MarketParticipation, Organisation
from qualify.participants.services import (
    exemption_decide,
    exemption_record_derogation,
    membership_add,
    organisation_create,
    participation_create,
)
from qualify.plan.choices import DeadlineKind
from qualify.plan.models import Wave
from qualify.plan.services import milestone_move, milestone_upsert, wave_upsert
from qualify.qad.choices import Body, SubmissionKind
from qualify.qad.models import QadSubmission
from qualify.testing.services.prequalification import annex3_dates, prequalification_save

S = CaseState

# The main line of the case lifecycle (qualify/cases/workflow.py), with the state each step reaches.
UK = ZoneInfo("Europe/London")
# Organisations and participations were registered early in 2024, before any case or consultation began.
REGISTERED_AT = dt.datetime(2024, 1, 8, 9, 30, tzinfo=UK)
MAIN_LINE: tuple[tuple[str, str], ...] = (
    ("submit_prequalification", S.PREQUAL_SUBMITTED),
    ("scope", S.SCOPED),
    ("start_pit", S.PIT),
    ("submit_initial_qad", S.INITIAL_QAD_SUBMITTED),
    ("query_initial_qad", S.INITIAL_CLARIFICATION),
    ("answer_initial_clarification", S.INITIAL_QAD_SUBMITTED),
    ("start_testing", S.TESTING),
    ("complete_testing", S.TESTING_COMPLETE),
    ("submit_final_qad", S.FINAL_QAD_SUBMITTED),
    ("query_final_qad", S.FINAL_CLARIFICATION),
    ("answer_final_clarification", S.FINAL_QAD_SUBMITTED),
    ("agree", S.AGREED),
    ("sign", S.SIGNED),
    ("send_for_approval", S.AWAITING_APPROVAL),
    ("approve", S.QUALIFIED),
    ("start_service_activation", S.SERVICE_ACTIVATION),
    ("activate", S.ACTIVE),
)
INITIAL_ROUND = frozenset({"query_initial_qad", "answer_initial_clarification"})
FINAL_ROUND = frozenset({"query_final_qad", "answer_final_clarification"})
SIDE_EXITS: dict[str, str] = {
    S.WITHDRAWN: "withdraw",
    S.DEFERRED: "defer",
    S.NON_COMPLETION: "record_non_completion",
}

# When each main-line step happens, relative to the case's wave deadlines (days after the deadline; negative: before).
STEP_DAYS: dict[str, tuple[str, int]] = {
    "submit_prequalification": (DeadlineKind.PRE_QUALIFICATION, -3),
    "scope": (DeadlineKind.PRE_QUALIFICATION, 10),
    "start_pit": (DeadlineKind.PIT_START, 0),
    "submit_initial_qad": (DeadlineKind.INITIAL_QAD, -2),
    "query_initial_qad": (DeadlineKind.INITIAL_QAD, 5),
    "answer_initial_clarification": (DeadlineKind.INITIAL_QAD, 12),
    "start_testing": (DeadlineKind.QT_START, 0),
    "complete_testing": (DeadlineKind.FINAL_QAD, -6),
    "submit_final_qad": (DeadlineKind.FINAL_QAD, -2),
    "query_final_qad": (DeadlineKind.FINAL_QAD, 5),
    "answer_final_clarification": (DeadlineKind.FINAL_QAD, 12),
    "agree": (DeadlineKind.FINAL_QAD, 18),
    "sign": (DeadlineKind.FINAL_QAD, 20),
    "send_for_approval": (DeadlineKind.TARGET_BOARD, -14),
}

# These steps stand behind a QAD snapshot: the demo fills and submits the QAD, which moves the case.
QAD_SUBMISSIONS = {"submit_initial_qad": "INITIAL", "submit_final_qad": "FINAL"}

PARTICIPANT_STEPS = frozenset({"submit_prequalification", "start_pit", "sign", "withdraw"})
# What each person writes when taking a step. {wave}, {role}, {bodies} and {target} are filled in per case. The
# assessment steps (queries, answers, decisions, activation) say their own thing through the assessment services.
COMMENTS: dict[str, str] = {
    "submit_prequalification": "Pre-qualification: preferred wave {wave}; PIT on our own test environment; "
    "target migration date {target}.",
    "scope": "Scope confirmed for {wave}: the standard {role} test set and QAD questions apply.",
    "start_pit": "Pre-Integration Testing under way; RTTM submitted at PIT entry.",
    "start_testing": "DIP and test-framework onboarding confirmed and test data loaded: testing may start.",
    "complete_testing": "Required test cases passed, RTTM taken at QT exit and the Test Completion Report "
    "submitted: testing is complete.",
    "agree": "Final QAD and work-off plans agreed.",
    "sign": "Signed by a company director.",
    "send_for_approval": "Sent for decision to the {bodies}.",
    "suspend": "Suspended by the BSC PAB after repeated settlement performance failures; remediation plan due.",
}
SIT_COMMENTS: dict[str, str] = {
    "scope": "SIT-route participant: SIT evidence stands in for Qualification Testing; scoped for {wave}.",
    "start_testing": "SIT evidence accepted for the testing stage.",
    "complete_testing": "SIT exit evidence accepted and every work-off plan agreed: testing is complete.",
}

# Which demo login records each approving body's decisions (its own decision-maker).
DECIDER_KEYS: dict[str, str] = {Body.DIP: "dip_decider", Body.BSC: "board", Body.REC: "rec_decider"}

# When each approving authority meets (day of the month): the board calendar the demo lays out.
MEETING_DAY: dict[str, int] = {Body.DIP: 6, Body.REC: 13, Body.BSC: 20}
UPCOMING_MONTHS = 3
ACTIVATION_EVIDENCE: dict[str, str] = {
    ch.ActivationItem.DIP_PRODUCTION: "DIP change {mpid}-PRD-01",
    ch.ActivationItem.EFFECTIVE_DATE_AGREED: "Agreement e-mail with {organisation}",
    ch.ActivationItem.REFERENCE_DATA_PUBLISHED: "Market reference data release for {mpid}",
}


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    organisation: str


@dataclass(frozen=True)
class DemoLoad:
    """What ``demo_load`` did. ``password_matches`` says whether the given password is the logins' password."""

    loaded_now: bool
    logins: tuple[DemoLogin, ...]
    password_matches: bool
    token_secret: str | None = None
    counts: dict[str, int] = field(default_factory=dict)


def person_email(organisation: OrganisationSpec, role: str) -> str:
    return f"{role.lower()}@{organisation.domain}"


def demo_logins() -> tuple[DemoLogin, ...]:
    """The people who can sign in to the demo (all share one password)."""
    logins = [DemoLogin(s.email, str(StaffRole(s.staff_role).label), "—") for s in STAFF]
    for organisation in LOGIN_ORGANISATIONS:
        for role in MembershipRole:
            logins.append(DemoLogin(person_email(organisation, role), str(role.label), organisation.name))
    return tuple(logins)


def demo_is_loaded() -> bool:
    return User.objects.filter(email=MARKER_EMAIL).exists()


def case_path(spec: ParticipationSpec, *, with_queries: bool) -> list[str]:
    """The steps that take a new case to ``spec.state`` along a real path of the workflow."""
    if spec.state == S.SUSPENDED:
        return [*_main_line_to(spec.route, S.ACTIVE, with_queries=with_queries), "suspend"]
    if spec.state in SIDE_EXITS:
        if spec.exit_from is None:
            raise ValueError(f"{spec.mpid} {spec.role}: say which state the case left from")
        return [*_main_line_to(spec.route, spec.exit_from, with_queries=with_queries), SIDE_EXITS[spec.state]]
    return _main_line_to(spec.route, spec.state, with_queries=with_queries)


def _main_line_to(route: str, target: str, *, with_queries: bool) -> list[str]:
    if target == S.DRAFT:
        return []
    steps: list[str] = []
    for name, reached in MAIN_LINE:
        if name == "submit_prequalification" and route == Route.SIT:
            continue  # SIT-route participants are scoped straight from draft
        if name in INITIAL_ROUND and not (with_queries or target == S.INITIAL_CLARIFICATION):
            continue
        if name in FINAL_ROUND and not (with_queries or target == S.FINAL_CLARIFICATION):
            continue
        steps.append(name)
        if reached == target:
            return steps
    raise ValueError(f"The main line never reaches {target}")


@transaction.atomic
def demo_load(*, password: str, today: dt.date | None = None) -> DemoLoad:
    """Load the demo market once, all or nothing; if it is already loaded, change nothing and say who can sign in."""
    if demo_is_loaded():
        admin = User.objects.get(email=MARKER_EMAIL)
        return DemoLoad(
            loaded_now=False, logins=demo_logins(), password_matches=check_password(password, admin.password)
        )
    try:
        validate_password(password)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            "The demo password is too weak: " + " ".join(exc.messages), details={"password": "weak"}
        ) from exc
    return _Loader(password=password, today=today or timezone.localdate()).load()


def demo_milestones_load(*, actor: Actor) -> None:
    """The Programme's milestones as published, with the date moves approved by change request (DOMAIN.md §7)."""
    for m in MILESTONES:
        milestone = milestone_upsert(
            actor=actor,
            code=m.code,
            name=m.name,
            date=m.date,
            meaning=m.meaning,
            segments=m.segments,
            description=m.description,
            date_note=m.date_note,
            sequence=m.sequence,
        )
        if m.move is not None:
            milestone_move(
                actor=actor,
                milestone=milestone,
                new_date=m.move.new_date,
                change_request=m.move.change_request,
                approved_on=m.move.approved_on,
                reason=m.move.reason,
            )


class _Loader:
    def __init__(self, *, password: str, today: dt.date) -> None:
        self.password = password
        self.today = today
        self.system = system_actor("load_demo (demo data)")
        self.staff: dict[str, Actor] = {}
        self.waves: dict[str, Wave] = {}
        self.wave_dates: dict[str, dict[str, dt.date]] = {}
        self.token_secret = ""
        self.meetings: dict[str, list[BoardMeeting]] = {}

    def load(self) -> DemoLoad:
        self._plan()
        publish_sample_qad(self.system)
        self._staff()
        publish_qt_catalogue(admin=self.staff["admin"], decider=self._library_deciders()[GoverningBody.BSC_PAB])
        self._calendar()
        cases = 0
        organisations: dict[str, tuple[Organisation, Actor]] = {}
        for organisation_spec in ORGANISATIONS:
            with clock.replaying(self._registered_at()):
                organisation, lead = self._organisation(organisation_spec)
            organisations[organisation_spec.name] = (organisation, lead)
            for spec in organisation_spec.participations:
                with clock.replaying(self._registered_at()):
                    participation = self._participation(organisation, spec)
                for exemption in organisation_spec.exemptions:
                    if (exemption.mpid, exemption.role) == (spec.mpid, spec.role):
                        # Decided with the pre-qualification, before the case is scoped (DOMAIN.md §3, §4).
                        # The BSC PAB decides it; the REC records the matching derogation a few days later.
                        decided_on = self._past(self._deadline(spec.wave, DeadlineKind.PRE_QUALIFICATION))
                        decided = exemption_decide(
                            actor=self.staff["board"],
                            participation=participation,
                            kind=exemption.kind,
                            scope=exemption.scope,
                            decided_on=decided_on,
                            reference=exemption.reference,
                        )
                        if exemption.derogation_scope:
                            exemption_record_derogation(
                                actor=self.staff["rec_decider"],
                                exemption=decided,
                                derogation_on=min(decided_on + dt.timedelta(days=5), self.today),
                                scope=exemption.derogation_scope,
                                reference=exemption.derogation_reference,
                            )
                self._case(participation, spec, lead=lead, with_queries=cases % 2 == 0)
                cases += 1
        demo_library_load(
            staff=self.staff, deciders=self._library_deciders(), organisations=organisations, today=self.today
        )
        leads = {name: lead for name, (_, lead) in organisations.items()}
        demo_qt_stories(staff=self.staff, leads=leads, today=self.today)
        demo_annex4_story(staff=self.staff, leads=leads, today=self.today)
        return DemoLoad(
            loaded_now=True,
            logins=demo_logins(),
            password_matches=True,
            token_secret=self.token_secret,
            counts={
                "organisations": len(ORGANISATIONS),
                "cases": cases,
                "queries": Query.objects.count(),
                "findings": Finding.objects.count(),
                "board meetings": BoardMeeting.objects.count(),
                "board decisions": BoardDecision.objects.count(),
            },
        )

    def _library_deciders(self) -> dict[str, Actor]:
        """Who records each governance body's decision on a library document."""
        return {
            GoverningBody.QAG: self.staff["qag"],
            GoverningBody.REC_PAB: self.staff["rec_decider"],
            GoverningBody.BSC_PAB: self.staff["board"],
        }

    # --- the plan ---------------------------------------------------------------------------------------------

    def _plan(self) -> None:
        demo_milestones_load(actor=self.system)
        for w in WAVES:
            dates = w.dates(self.today)
            self.waves[w.code] = wave_upsert(
                actor=self.system,
                code=w.code,
                name=w.name,
                description=w.description,
                sequence=w.sequence,
                deadlines=dict(dates),
            )
            self.wave_dates[w.code] = dates

    def _deadline(self, wave: str | None, kind: str) -> dt.date:
        if wave is None:
            raise ValueError("Only a case in a wave has deadlines to date its steps by")
        return self.wave_dates[wave][kind]

    def _past(self, date: dt.date, *, days_ago: int = 1) -> dt.date:
        """``date``, or ``days_ago`` days before the load day if it would be later: effective dates are history."""
        return min(date, self.today - dt.timedelta(days=days_ago))

    # --- people -----------------------------------------------------------------------------------------------

    def _staff(self) -> None:
        for s in STAFF:
            user = user_create(
                actor=self.system,
                email=s.email,
                full_name=s.full_name,
                password=self.password,
                staff_role=s.staff_role,
                is_staff=s.is_staff,
            )
            self.staff[s.key] = actor_for_user(user, request_id=self.system.request_id)
        machine = user_create(
            actor=self.system,
            email=MACHINE.email,
            full_name=MACHINE.full_name,
            password=None,
            staff_role=MACHINE.staff_role,
            is_machine=True,
        )
        self.token_secret = api_token_create(actor=self.system, user=machine, name=MACHINE_TOKEN_NAME).secret

    def _member(self, organisation: Organisation, spec: OrganisationSpec, role: str, full_name: str) -> User:
        # Only the login organisations' people can sign in; other leads are named people without a password.
        user = user_create(
            actor=self.system,
            email=person_email(spec, role),
            full_name=full_name,
            password=self.password if spec.team else None,
        )
        membership_add(actor=self.system, organisation=organisation, user=user, role=role)
        return user

    # --- organisations and cases ------------------------------------------------------------------------------

    def _organisation(self, spec: OrganisationSpec) -> tuple[Organisation, Actor]:
        """The organisation and its qualification lead, who takes the participant's steps in its cases."""
        organisation = organisation_create(
            actor=self.system,
            name=spec.name,
            company_number=spec.company_number,
            contact_email=f"qualification@{spec.domain}",
        )
        lead = self._member(organisation, spec, MembershipRole.LEAD, spec.lead)
        for role, full_name in spec.team.items():
            self._member(organisation, spec, role, full_name)
        return organisation, actor_for_user(lead, request_id=self.system.request_id)

    def _participation(self, organisation: Organisation, spec: ParticipationSpec) -> MarketParticipation:
        return participation_create(
            actor=self.system,
            organisation=organisation,
            mpid=spec.mpid,
            role=spec.role,
            route=spec.route,
            is_new_entrant=spec.route == Route.NEW_ENTRANT,
            distributor_ids=spec.distributor_ids,
        )

    def _case(
        self, participation: MarketParticipation, spec: ParticipationSpec, *, lead: Actor, with_queries: bool
    ) -> None:
        target = None
        if spec.role == MarketRole.SUPPLIER and spec.wave is not None:
            target = self._deadline(spec.wave, DeadlineKind.TARGET_BOARD) + dt.timedelta(days=56)
        steps = case_path(spec, with_queries=with_queries)
        when = self._timeline(spec, steps)
        first = when[0] if when else None
        with clock.replaying(first - dt.timedelta(days=14)) if first else contextlib.nullcontext():
            case = case_open(
                actor=self.staff["admin"],
                participation=participation,
                wave=self.waves[spec.wave] if spec.wave else None,
                target_migration_date=target,
            )
        for index, name in enumerate(steps):
            last = index == len(steps) - 1 and spec.state not in SIDE_EXITS and spec.state != S.SUSPENDED
            at = when[index]
            if at is None:
                case = self._step(case, spec, name, lead=lead, target=target, last=last)
                continue
            with clock.replaying(at):
                case = self._step(case, spec, name, lead=lead, target=target, last=last)
        if spec.deferred_to is not None:
            case_assign_wave(actor=self.staff["admin"], case=case, wave=self.waves[spec.deferred_to], reason=spec.note)

    def _step(
        self,
        case: QualificationCase,
        spec: ParticipationSpec,
        name: str,
        *,
        lead: Actor,
        target: dt.date | None,
        last: bool,
    ) -> QualificationCase:
        """Take one step of the main line; ``last`` says the case stays where this step leaves it."""
        if name in QAD_SUBMISSIONS:
            case = submit_qad(case, lead, kind=QAD_SUBMISSIONS[name], as_of=self._evidence_day())
            if name == "submit_final_qad":
                self._findings(case, spec, lead=lead, last=last)
            return case
        if name in ("query_initial_qad", "query_final_qad"):
            return self._queries(case, spec, name, lead=lead)
        if name in ("answer_initial_clarification", "answer_final_clarification"):
            return self._clarify(case, spec, name, lead=lead)
        if name == "agree":
            self._agree_plans(case, spec, lead=lead)
            # Each body owning questions in the Final QAD says its own review is complete (DOMAIN.md §4).
            for body in rules.owning_bodies(latest_submission(case)):
                services.review_complete(actor=self._assessor(body), case=_fresh(case), body=body)
        if name == "start_testing":
            enter_testing(case, lead=lead, staff=self.staff)
        if name == "complete_testing":
            leave_testing(case, lead=lead, staff=self.staff)
        if name == "send_for_approval":
            self._recommend(case, spec)
        if name == "approve":
            return self._decide(case, spec)
        if name in ("start_service_activation", "activate"):
            return self._activation(case, spec, name)
        if name == "sign":
            # The invited director's declaration takes the step itself (the lead no longer signs).
            case = declare(case, lead, director=f"{lead.display_name.split()[0]} Director")
            if last:
                # Signed, not yet sent: every body but the last has recommended, so sending waits on that one.
                self._recommend(case, spec, only=ch.approvals_needed(spec.role)[:-1])
            return case
        if name == "submit_prequalification":
            self._prequalification(case, spec, lead=lead, target=target)
        template = (SIT_COMMENTS.get(name) if spec.route == Route.SIT else None) or COMMENTS.get(name) or spec.note
        comment = template.format(
            wave=self.waves[spec.wave].name if spec.wave else "to be assigned",
            role=MarketRole(spec.role).label,
            bodies=APPROVING_BODIES[spec.role],
            target=f"{target:%d %b %Y}" if target else "to be agreed",
        )
        case = case_transition(
            actor=self._actor(spec, name, lead=lead),
            case=case,
            name=name,
            comment=comment,
            effective_date=self._effective_date(spec, name),
        )
        if name == "agree" and last:
            # Agreed, not yet signed: the first body has already recommended, the others are still writing.
            self._recommend(case, spec, only=ch.approvals_needed(spec.role)[:1])
        if name == "send_for_approval":
            self._table(case, spec)
        return case

    def _prequalification(
        self, case: QualificationCase, spec: ParticipationSpec, *, lead: Actor, target: dt.date | None
    ) -> None:
        """The lead's pre-qualification form, filled in on the day it is submitted (DOMAIN.md §10a); a new-entrant
        LDSO intends to operate midway between M10 and M14, inside Annex 3's window."""
        today = clock.today()
        m10, m14 = annex3_dates()
        operating = m10 + (m14 - m10) / 2 if m10 and m14 else today + dt.timedelta(days=240)
        prequalification_save(
            actor=lead,
            case=case,
            preferred_wave=case.wave,
            pit_approach="PIT on our own test environment, with the Programme's PIT exit criteria and the RTTM at "
            "PIT entry and exit.",
            pit_start=today + dt.timedelta(days=14),
            pit_completion=today + dt.timedelta(days=70),
            qt_ready=today + dt.timedelta(days=84),
            target_migration_date=target or today + dt.timedelta(days=240),
            intended_operation_date=operating if spec.role == MarketRole.LDSO else None,
        )

    # --- assessment: queries, findings, recommendations -------------------------------------------------------

    def _assessor(self, body: str) -> Actor:
        return self.staff[body.lower()]

    def _question(self, case: QualificationCase, body: str, preferred: str) -> str:
        """The preferred question if it was part of the latest submission, else the first one the body owns."""
        submission = latest_submission(case)
        owned = [q["id"] for q in json.loads(submission.content)["questions"] if q["owner"] == body]
        return preferred if preferred in owned else owned[0]

    def _raise(self, case: QualificationCase, theme: QueryTheme, *, due_in_days: int = 10) -> Query:
        return services.query_raise(
            actor=self._assessor(theme.body),
            submission=latest_submission(case),
            question_id=self._question(case, theme.body, theme.question_id),
            text=theme.text,
            response_due=self.today + dt.timedelta(days=due_in_days),
        )

    def _queries(
        self, case: QualificationCase, spec: ParticipationSpec, name: str, *, lead: Actor
    ) -> QualificationCase:
        """The reviewers' queries on a submitted QAD (the first one opens clarification on the case)."""
        if spec.open_queries and spec.state in (S.INITIAL_CLARIFICATION, S.FINAL_CLARIFICATION):
            for left in spec.open_queries:
                query = self._raise(case, left.theme, due_in_days=left.due_in_days)
                if left.answered:
                    services.query_answer(actor=lead, query=query, text=left.theme.answer)
        else:
            round_ = "INITIAL" if name == "query_initial_qad" else "FINAL"
            self._raise(case, ROUND_QUERIES[round_][spec.role])
        return _fresh(case)

    def _clarify(
        self, case: QualificationCase, spec: ParticipationSpec, name: str, *, lead: Actor
    ) -> QualificationCase:
        """The participant answers each query, the raising body closes it, and the QAD is resubmitted."""
        round_ = "INITIAL" if name == "answer_initial_clarification" else "FINAL"
        theme = ROUND_QUERIES[round_][spec.role]
        for query in Query.objects.filter(case=case).exclude(state=ch.QueryState.CLOSED).order_by("pk"):
            if query.state == ch.QueryState.OPEN:
                query = services.query_answer(actor=lead, query=query, text=theme.answer)
            services.query_close(actor=self._assessor(query.body), query=query, text=theme.close)
        kind = SubmissionKind.INITIAL if round_ == "INITIAL" else SubmissionKind.FINAL
        return submit_qad(_fresh(case), lead, kind=kind, as_of=self._evidence_day())

    def _findings(self, case: QualificationCase, spec: ParticipationSpec, *, lead: Actor, last: bool) -> None:
        """A finding or two on the Final QAD; a case left with its Final QAD under review shows one in progress."""
        themes = [t for t in FINDINGS if t.body in ch.approvals_needed(spec.role)]
        if spec.route == Route.SIT or not themes:
            return
        chosen = themes[: 2 if spec.conditional_finding or spec.role == MarketRole.LDSO else 1]
        for number, theme in enumerate(chosen):
            finding = services.finding_record(
                actor=self._assessor(theme.body),
                case=case,
                body=theme.body,
                title=theme.title,
                description=theme.description,
                owner=f"{lead.display_name} (qualification lead)",
                due_date=self.today + dt.timedelta(days=45 + 14 * number),
                severity=theme.severity,
                question_id=self._question(case, theme.body, theme.question_id),
                condition_of_approval=spec.conditional_finding and theme.body == Body.BSC,
            )
            # Left under review: a Supplier has yet to propose its plan, a data service's plan awaits the body.
            if last and number == 0 and spec.state == S.FINAL_QAD_SUBMITTED and spec.role != MarketRole.SUPPLIER:
                services.finding_transition(
                    actor=lead, finding=finding, name="propose_plan", work_off_plan=theme.work_off_plan
                )

    def _agree_plans(self, case: QualificationCase, spec: ParticipationSpec, *, lead: Actor) -> None:
        """Before the Final QAD is agreed every finding has a work-off plan the owning body agreed."""
        themes = {t.title: t for t in FINDINGS}
        for finding in Finding.objects.filter(case=case).order_by("pk"):
            if finding.state == ch.FindingState.OPEN:
                finding = services.finding_transition(
                    actor=lead, finding=finding, name="propose_plan", work_off_plan=themes[finding.title].work_off_plan
                )
            if finding.state == ch.FindingState.PLAN_PROPOSED:
                services.finding_transition(
                    actor=self._assessor(finding.body),
                    finding=finding,
                    name="agree_plan",
                    comment="Plan and date are realistic; agreed.",
                )

    def _recommend(self, case: QualificationCase, spec: ParticipationSpec, only: tuple[str, ...] | None = None) -> None:
        """Each approving body's recommendation on the latest Final QAD (with conditions while a condition is open)."""
        for body in ch.approvals_needed(spec.role) if only is None else only:
            if rules.current_recommendation(case, body) is not None:
                continue
            conditional = bool(rules.open_conditions(case, body))
            services.recommendation_record(
                actor=self._assessor(body),
                case=case,
                body=body,
                recommendation=ch.Recommendation.APPROVE_WITH_CONDITIONS if conditional else ch.Recommendation.APPROVE,
                rationale=f"The {ch.APPROVER_NAMES[body]} sections of the Final QAD are satisfactory"
                + (" subject to the agreed work-off plan." if conditional else "."),
            )

    # --- the board calendar and decisions ---------------------------------------------------------------------

    def _calendar(self) -> None:
        """Each approving authority meets about monthly, on a working day, from before the first demo decision to a
        few months ahead."""
        first = min(self._qualified_on(w.code) for w in WAVES) - dt.timedelta(days=31)
        month = dt.date(first.year, first.month, 1)
        end = self.today + dt.timedelta(days=31 * UPCOMING_MONTHS)
        while month <= end:
            for body, day in MEETING_DAY.items():
                meets_on = workdays.on_or_after(month.replace(day=day))
                meeting = services.meeting_schedule(
                    actor=self.staff["admin"],
                    body=body,
                    meets_on=meets_on,
                    title=f"{ch.APPROVER_NAMES[body]} — {meets_on:%B %Y}",
                    papers_due_on=meets_on - dt.timedelta(days=7),
                )
                self.meetings.setdefault(body, []).append(meeting)
            month = (month + dt.timedelta(days=32)).replace(day=1)

    def _meeting_before(self, body: str, day: dt.date) -> BoardMeeting:
        return [m for m in self.meetings[body] if m.meets_on <= day][-1]

    def _meeting_after(self, body: str, day: dt.date) -> BoardMeeting:
        return next(m for m in self.meetings[body] if m.meets_on > day)

    def _table(self, case: QualificationCase, spec: ParticipationSpec) -> None:
        """A case left awaiting approval is on the next meeting of each authority still to decide."""
        if spec.state != S.AWAITING_APPROVAL:
            return
        for body in ch.approvals_needed(spec.role):
            if body in spec.decided_by:
                self._record_decision(
                    case,
                    body,
                    on=self._meeting_before(body, self.today).meets_on,
                    outcome=ch.DecisionOutcome.APPROVE,
                    minutes=f"The {ch.APPROVER_NAMES[body]} considered the recommendation and approved.",
                    effective_from=self._meeting_after(Body.BSC, self.today).meets_on + dt.timedelta(days=7),
                )
            else:
                services.agenda_add(actor=self.staff["admin"], meeting=self._meeting_after(body, self.today), case=case)

    def _decide(self, case: QualificationCase, spec: ParticipationSpec) -> QualificationCase:
        """Each authority decides at its last meeting before the effective-from date; the last approval qualifies."""
        qualified_on = self._qualified_on(spec.wave)
        # The BSC PAB's meeting is the last word where it decides: the others have given their dated decisions.
        for body in sorted(ch.approvals_needed(spec.role), key=lambda b: b in ch.DECIDES_AT_MEETINGS):
            conditions = rules.open_conditions(case, body)
            self._record_decision(
                case,
                body,
                on=self._meeting_before(body, qualified_on).meets_on,
                outcome=ch.DecisionOutcome.APPROVE_WITH_CONDITIONS if conditions else ch.DecisionOutcome.APPROVE,
                minutes=f"The {ch.APPROVER_NAMES[body]} considered the {body} recommendation and approved "
                f"qualification from {qualified_on:%d %B %Y}.",
                conditions="; ".join(f"{f.reference} closed by {f.due_date:%d %b %Y}" for f in conditions),
                effective_from=qualified_on,
            )
        return _fresh(case)

    def _record_decision(self, case: QualificationCase, body: str, *, on: dt.date, **decision: Any) -> None:
        """The body's own decision-maker records it: the BSC PAB at its meeting (tabled first), the DIP Manager and
        the REC Code Manager as a dated decision of their own (DOMAIN.md §6)."""
        actor = self.staff[DECIDER_KEYS[body]]
        if body in ch.DECIDES_AT_MEETINGS:
            meeting = self._meeting_before(body, on)
            item = services.agenda_add(actor=self.staff["admin"], meeting=meeting, case=case)
            services.decision_record(actor=actor, item=item, **decision)
        else:
            services.decision_record(actor=actor, case=_fresh(case), body=body, decided_on=on, **decision)

    # --- service activation -----------------------------------------------------------------------------------

    def _activation(self, case: QualificationCase, spec: ParticipationSpec, name: str) -> QualificationCase:
        """The checklist: DIP production starts service activation; the agreed date and the publication finish it."""
        items = (
            [ch.ActivationItem.DIP_PRODUCTION]
            if name == "start_service_activation"
            else [ch.ActivationItem.EFFECTIVE_DATE_AGREED, ch.ActivationItem.REFERENCE_DATA_PUBLISHED]
        )
        if name == "start_service_activation" and spec.state == S.SERVICE_ACTIVATION:
            items.append(ch.ActivationItem.EFFECTIVE_DATE_AGREED)
        if name == "activate":
            for finding in Finding.objects.filter(case=case).exclude(state=ch.FindingState.CLOSED).order_by("pk"):
                services.finding_transition(
                    actor=self._assessor(finding.body),
                    finding=finding,
                    name="close",
                    comment="Work-off plan delivered and evidenced before service activation.",
                )
        for item in items:
            services.activation_record(
                actor=self.staff["dip" if item == ch.ActivationItem.DIP_PRODUCTION else "admin"],
                case=_fresh(case),
                item=item,
                evidence_reference=ACTIVATION_EVIDENCE[item].format(
                    mpid=spec.mpid, organisation=case.participation.organisation.name
                ),
                effective_date=self._activated_on(spec.wave)
                if item == ch.ActivationItem.EFFECTIVE_DATE_AGREED
                else None,
            )
        return _fresh(case)

    def _registered_at(self) -> dt.datetime:
        """When the demo's organisations and their participations were registered with the Programme."""
        return min(REGISTERED_AT, timezone.now() - dt.timedelta(days=1))

    def _evidence_day(self) -> dt.date:
        """The day a submitted QAD's evidence is said to stand: a week before the load day, or the day before the
        submission when it is replayed in the past."""
        return min(self._past(self.today, days_ago=7), clock.today() - dt.timedelta(days=1))

    def _timeline(self, spec: ParticipationSpec, steps: list[str]) -> list[dt.datetime | None]:
        """When each step of a case happened: by the wave's deadlines, in order, on working days.

        A step whose day has not come yet on the load day, and the step that leaves a case still in progress where
        it stands, happen on the load day itself (None: the real clock), and so does every step after them.
        """
        if spec.wave is None:
            return [None] * len(steps)
        settled = spec.state in (S.QUALIFIED, S.SERVICE_ACTIVATION, S.ACTIVE, S.SUSPENDED)
        limit = dt.datetime.combine(self.today - dt.timedelta(days=1), dt.time(18), tzinfo=UK)
        limit = min(limit, timezone.now() - dt.timedelta(hours=1))
        times: list[dt.datetime | None] = []
        previous: dt.datetime | None = None
        for index, name in enumerate(steps):
            day = self._step_day(spec, name, previous)
            at = dt.datetime.combine(workdays.on_or_after(day), dt.time(10 + index % 7), tzinfo=UK)
            if previous is not None:
                at = max(at, previous + dt.timedelta(hours=1))
            in_progress = index == len(steps) - 1 and not settled
            if at >= limit or in_progress or (times and times[-1] is None):
                times.append(None)
                continue
            times.append(at)
            previous = at
        return times

    def _step_day(self, spec: ParticipationSpec, name: str, previous: dt.datetime | None) -> dt.date:
        if name == "approve":
            return self._qualified_on(spec.wave)
        if name == "start_service_activation":
            return self._qualified_on(spec.wave) + dt.timedelta(days=2)
        if name == "activate":
            return self._activated_on(spec.wave)
        if name == "suspend":
            return self._effective_date(spec, name) or self.today
        if name in STEP_DAYS:
            kind, offset = STEP_DAYS[name]
            return self._deadline(spec.wave, kind) + dt.timedelta(days=offset)
        # A side exit (withdrawal, deferral, non-completion) a week after the step before it.
        return (previous.date() if previous else self.today) + dt.timedelta(days=7)

    # --- dates and people -------------------------------------------------------------------------------------

    def _qualified_on(self, wave: str | None) -> dt.date:
        """A week after the wave's board, and always at least a month ago, whatever day the demo is loaded."""
        return self._past(self._deadline(wave, DeadlineKind.TARGET_BOARD) + dt.timedelta(days=7), days_ago=30)

    def _activated_on(self, wave: str | None) -> dt.date:
        qualified_on = self._qualified_on(wave)
        return max(qualified_on, self._past(qualified_on + dt.timedelta(days=21), days_ago=10))

    def _effective_date(self, spec: ParticipationSpec, name: str) -> dt.date | None:
        """When a suspension takes effect: recently, after the activation; always in the past."""
        if name != "suspend":
            return None
        return max(self._activated_on(spec.wave), self.today - dt.timedelta(days=12))

    def _actor(self, spec: ParticipationSpec, name: str, *, lead: Actor) -> Actor:
        """Who would take this step: the participant's lead, an assessor of the owning body, the board, the PMO."""
        if name in PARTICIPANT_STEPS:
            return lead
        if name == "suspend":
            return self.staff["board"]  # the BSC PAB (the demo's suspension is its decision)
        if name == "start_testing":
            return self.staff["dip"]  # DIP onboarding in the test environment comes first
        if name == "scope":
            return self.staff["rec" if spec.role == MarketRole.MEM else "bsc"]  # the Code Bodies confirm scope
        if name == "complete_testing":
            # The Programme's test manager confirms an LDSO's exit from QT; an assessor anyone else's.
            return self.staff["admin"] if spec.role == MarketRole.LDSO else self.staff["dip"]
        if name == "agree":
            return self.staff["rec" if spec.role == MarketRole.MEM else "bsc"]
        return self.staff["admin"]


def _fresh(case: QualificationCase) -> QualificationCase:
    return QualificationCase.objects.get(pk=case.pk)


def latest_submission(case: QualificationCase) -> QadSubmission:
    found: QadSubmission | None = QadSubmission.objects.filter(case=case).order_by("-pk").first()
    if found is None:
        raise RuntimeError(f"{case.reference} has no QAD submission.")
    return found
