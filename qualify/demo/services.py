"""Loading the demo market (issue 2) through the same services a person would use.

Nothing here writes a model directly: organisations, people, the plan and every case step go through the domain
services, so case histories, register events and the audit chain are exactly what real use would leave. Cases are
driven along real paths of the case workflow by the people who would take each step (the organisation's lead, a
Code Body assessor, a board member, the programme administrator), so the histories read like real ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from qualify.accounts.models import User
from qualify.accounts.services import api_token_create, user_create
from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.cases.services import case_assign_wave, case_open, case_transition
from qualify.core.actor import Actor, actor_for_user, system_actor
from qualify.core.errors import ValidationFailed
from qualify.core.roles import MembershipRole, StaffRole
from qualify.demo.data import (
    APPROVING_BODIES,
    LOGIN_ORGANISATIONS,
    MACHINE,
    MACHINE_TOKEN_NAME,
    MARKER_EMAIL,
    MILESTONES,
    ORGANISATIONS,
    STAFF,
    WAVES,
    OrganisationSpec,
    ParticipationSpec,
)
from qualify.demo.qad import declare, publish_sample_qad, submit_qad
from qualify.participants.choices import MarketRole, Route
from qualify.participants.models import MarketParticipation, Organisation
from qualify.participants.services import (
    exemption_record,
    membership_add,
    organisation_create,
    participation_create,
)
from qualify.plan.choices import DeadlineKind
from qualify.plan.models import Wave
from qualify.plan.services import milestone_move, milestone_upsert, wave_upsert

S = CaseState

# The main line of the case lifecycle (qualify/cases/workflow.py), with the state each step reaches.
MAIN_LINE: tuple[tuple[str, str], ...] = (
    ("submit_prequalification", S.PREQUAL_SUBMITTED),
    ("scope", S.SCOPED),
    ("start_pit", S.PIT),
    ("submit_initial_qad", S.INITIAL_QAD_SUBMITTED),
    ("query_initial_qad", S.INITIAL_CLARIFICATION),
    ("answer_initial_clarification", S.INITIAL_QAD_SUBMITTED),
    ("start_testing", S.TESTING),
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

# These steps stand behind a QAD snapshot: the demo fills and submits the QAD, which moves the case.
QAD_SUBMISSIONS = {"submit_initial_qad": "INITIAL", "submit_final_qad": "FINAL"}

PARTICIPANT_STEPS = frozenset(
    {
        "submit_prequalification",
        "start_pit",
        "submit_initial_qad",
        "answer_initial_clarification",
        "submit_final_qad",
        "answer_final_clarification",
        "sign",
        "withdraw",
    }
)
BOARD_STEPS = frozenset({"approve", "suspend"})
DATA_SERVICES = frozenset({MarketRole.SDS, MarketRole.ADS, MarketRole.UMSDS})

# What each person writes when taking a step. {wave}, {role}, {bodies} and {target} are filled in per case.
COMMENTS: dict[str, str] = {
    "submit_prequalification": "Pre-qualification: preferred wave {wave}; PIT on our own test environment; "
    "target migration date {target}.",
    "scope": "Scope confirmed for {wave}: the standard {role} test set and QAD questions apply.",
    "start_pit": "Pre-Integration Testing under way; RTTM submitted at PIT entry.",
    "submit_initial_qad": "Initial QAD submitted with the PIT exit evidence and the RTTM.",
    "query_initial_qad": "QAD 4.5: please evidence how DIP connection failures are monitored and escalated.",
    "answer_initial_clarification": "Monitoring runbook and escalation procedure uploaded against 4.5.",
    "start_testing": "DIP and test-framework onboarding confirmed and test data loaded: testing may start.",
    "submit_final_qad": "Final QAD submitted with the Test Completion Report and work-off plans for open defects.",
    "query_final_qad": "The work-off plan for the open defect on message retries needs an owner and a date.",
    "answer_final_clarification": "Owner and target date added to the work-off plan.",
    "agree": "Final QAD and work-off plans agreed.",
    "sign": "Signed by a company director.",
    "send_for_approval": "Sent for decision to the {bodies}.",
    "approve": "Approved by the {bodies}; qualified from the effective date.",
    "start_service_activation": "DIP promotion to production scheduled; effective date being agreed.",
    "activate": "Service activated on the DIP and published in the industry reference data.",
    "suspend": "Suspended by the BSC PAB after repeated settlement performance failures; remediation plan due.",
}
SIT_COMMENTS: dict[str, str] = {
    "scope": "SIT-route participant: SIT evidence stands in for Qualification Testing; scoped for {wave}.",
    "start_testing": "SIT evidence accepted for the testing stage.",
}
MEM_COMMENTS: dict[str, str] = {
    "query_initial_qad": "QAD 6.2: the meter asset procedure referenced is a draft; please supply the approved one.",
    "answer_initial_clarification": "Approved meter asset procedure uploaded against 6.2.",
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


class _Loader:
    def __init__(self, *, password: str, today: dt.date) -> None:
        self.password = password
        self.today = today
        self.system = system_actor("load_demo (demo data)")
        self.staff: dict[str, Actor] = {}
        self.waves: dict[str, Wave] = {}
        self.wave_dates: dict[str, dict[str, dt.date]] = {}
        self.token_secret = ""

    def load(self) -> DemoLoad:
        self._plan()
        publish_sample_qad(self.system)
        self._staff()
        cases = 0
        for organisation_spec in ORGANISATIONS:
            organisation, lead = self._organisation(organisation_spec)
            for spec in organisation_spec.participations:
                participation = self._participation(organisation, spec)
                for exemption in organisation_spec.exemptions:
                    if (exemption.mpid, exemption.role) == (spec.mpid, spec.role):
                        # Decided with the pre-qualification, before the case is scoped (DOMAIN.md §3, §4).
                        exemption_record(
                            actor=self.system,
                            participation=participation,
                            kind=exemption.kind,
                            scope=exemption.scope,
                            decided_on=self._past(self._deadline(spec.wave, DeadlineKind.PRE_QUALIFICATION)),
                            reference=exemption.reference,
                        )
                self._case(participation, spec, lead=lead, with_queries=cases % 2 == 0)
                cases += 1
        return DemoLoad(
            loaded_now=True,
            logins=demo_logins(),
            password_matches=True,
            token_secret=self.token_secret,
            counts={"organisations": len(ORGANISATIONS), "cases": cases},
        )

    # --- the plan ---------------------------------------------------------------------------------------------

    def _plan(self) -> None:
        for m in MILESTONES:
            milestone = milestone_upsert(
                actor=self.system,
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
                    actor=self.system,
                    milestone=milestone,
                    new_date=m.move.new_date,
                    change_request=m.move.change_request,
                    approved_on=m.move.approved_on,
                    reason=m.move.reason,
                )
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
        case = case_open(
            actor=self.staff["admin"],
            participation=participation,
            wave=self.waves[spec.wave] if spec.wave else None,
            target_migration_date=target,
        )
        for name in case_path(spec, with_queries=with_queries):
            case = self._step(case, spec, name, lead=lead, target=target)
        if spec.deferred_to is not None:
            case_assign_wave(actor=self.staff["admin"], case=case, wave=self.waves[spec.deferred_to], reason=spec.note)

    def _step(
        self, case: QualificationCase, spec: ParticipationSpec, name: str, *, lead: Actor, target: dt.date | None
    ) -> QualificationCase:
        effective = self._effective_date(spec, name)
        template = (
            (SIT_COMMENTS.get(name) if spec.route == Route.SIT else None)
            or (MEM_COMMENTS.get(name) if spec.role == MarketRole.MEM else None)
            or COMMENTS.get(name)
            or spec.note
        )
        comment = template.format(
            wave=self.waves[spec.wave].name if spec.wave else "to be assigned",
            role=MarketRole(spec.role).label,
            bodies=APPROVING_BODIES[spec.role],
            target=f"{target:%d %b %Y}" if target else "to be agreed",
        )
        if name in QAD_SUBMISSIONS:
            return submit_qad(case, lead, kind=QAD_SUBMISSIONS[name], as_of=self._past(self.today, days_ago=7))
        if name == "sign":
            declare(case, lead, director=f"{lead.display_name.split()[0]} Director")
        return case_transition(
            actor=self._actor(spec, name, lead=lead), case=case, name=name, comment=comment, effective_date=effective
        )

    def _effective_date(self, spec: ParticipationSpec, name: str) -> dt.date | None:
        """When an approval, activation or suspension takes effect: a week after the wave's board, activation
        three weeks later, a recent suspension; always in the past, whatever day the demo is loaded."""
        if name not in ("approve", "activate", "suspend"):
            return None
        board = self._deadline(spec.wave, DeadlineKind.TARGET_BOARD)
        qualified_on = self._past(board + dt.timedelta(days=7), days_ago=30)
        activated_on = max(qualified_on, self._past(qualified_on + dt.timedelta(days=21), days_ago=10))
        if name == "approve":
            return qualified_on
        if name == "activate":
            return activated_on
        return max(activated_on, self.today - dt.timedelta(days=12))

    def _actor(self, spec: ParticipationSpec, name: str, *, lead: Actor) -> Actor:
        """Who would take this step: the participant's lead, an assessor of the owning body, the board, the PMO."""
        if name in PARTICIPANT_STEPS:
            return lead
        if name in BOARD_STEPS:
            return self.staff["board"]
        if name == "start_testing":
            return self.staff["dip"]  # DIP onboarding in the test environment comes first
        if name in ("query_initial_qad", "agree"):
            return self.staff["rec" if spec.role == MarketRole.MEM else "bsc"]
        if name == "query_final_qad":
            return self.staff["bsc" if spec.role in DATA_SERVICES else "rec"]
        return self.staff["admin"]
