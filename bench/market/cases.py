"""The market's volume for bench/scale.py: organisations, their people and participations, and every case's history,
written in bulk as the services would have written them.

Each method of ``CaseHistory`` mirrors one service (named in its docstring) row for row: the same rows, the same
fields, the same audit event (action, target, changes) and the same notices, in the same order. Where the project
has the function that decides something, it is called rather than copied: the case workflow's transition table
(which step leaves from which state to which), ``qad.rules.clean_answer`` (the stored form of an answer),
``qad.selectors.QadView`` and ``qad.services.snapshot_content`` with ``rules.canonical_json`` and ``sha256_text``
(the frozen snapshot and its hash), ``qad.services.SUBMISSION_STEPS``, ``assessment.rules.quote``, the demo's
``case_path`` (a real path of the workflow to a target state) and its comments and themes.

Cases are laid out in time along their wave's deadlines (the demo's waves), each step after the one before and
before now, so histories, clocks and due dates read like real ones.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_mod
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from market.assessment import AssessmentSteps
from market.common import (
    CASE_ACTION,
    EXIT_NOTES,
    UK,
    Meeting,
    Participation,
    R,
    S,
    uk_at,
)
from market.qad import QadSteps

if TYPE_CHECKING:
    from market.organisations import Market

from qualify.assessment import choices as ch
from qualify.assessment.models import (
    Finding,
    Query,
)
from qualify.assessment.services import submission_received
from qualify.cases.models import CaseTransition, QualificationCase
from qualify.cases.workflow import CASE_WORKFLOW, REGISTER_EVENTS
from qualify.core.actor import Actor
from qualify.core.workdays import add_working_days
from qualify.demo.data import APPROVING_BODIES
from qualify.demo.data import ParticipationSpec as Spec
from qualify.demo.services import COMMENTS, PARTICIPANT_STEPS, QAD_SUBMISSIONS, SIDE_EXITS, SIT_COMMENTS, case_path
from qualify.oversight.models import NonCompletionRecord, NonCompletionTrigger
from qualify.oversight.services.ladders import ladder_current
from qualify.oversight.services.records import record_opened
from qualify.participants.choices import ExemptionKind, MarketRole, Route
from qualify.participants.models import Exemption
from qualify.plan.choices import DeadlineKind as D
from qualify.qad import rules as qad_rules
from qualify.qad.models import (
    EvidenceFile,
    EvidenceLink,
    QadResponse,
)
from qualify.register.choices import RegisterEventSource
from qualify.register.models import RegisterEvent
from qualify.register.rules import is_backdated
from qualify.register.services import backdate_days, clean_reason
from qualify.testing.choices import PrequalState
from qualify.testing.models import PreQualification
from qualify.testing.selectors import latest_published_catalogue
from qualify.testing.services.prequalification import submit_form_with_case
from qualify.testing.services.scope_confirm import scope_effect


class CaseHistory(QadSteps, AssessmentSteps):
    """One case from opening to where it stands, each step as its service writes it."""

    def __init__(self, market: Market, participation: Participation) -> None:
        self.m = market
        self.p = participation
        self.rng = market.rng
        self.org = participation.org
        self.lead = participation.org.lead
        self.dates = market.wave_dates[participation.wave]
        self.shift = dt.timedelta(days=self.rng.randint(-6, 6))
        self.clock = uk_at(self.dates[D.PRE_QUALIFICATION] - dt.timedelta(days=50), 9) + self.shift
        self.case: dict[str, Any] = {}
        self.response: dict[str, Any] | None = None
        self.answers: dict[str, dict[str, Any]] = {}
        self.links: dict[str, list[SimpleNamespace]] = {}
        self.evidence: list[SimpleNamespace] = []
        self.submissions: list[SimpleNamespace] = []
        self.queries: list[dict[str, Any]] = []
        self.findings: list[dict[str, Any]] = []
        self.recommendations: list[dict[str, Any]] = []
        self.reviewers: dict[str, Actor] = {}
        self.outcomes: set[tuple[int, str]] = set()
        self.agenda: dict[str, tuple[int, Meeting]] = {}  # body -> (agenda item id, meeting)
        self.decisions: dict[str, dict[str, Any]] = {}
        self.round_id: int | None = None
        self.activation: dict[str, dict[str, Any]] = {}
        self.exemptions: list[str] = []
        self.qualified_on: dt.date | None = None
        self.target: dt.date | None = None
        self.questions = [
            q
            for q in market.questions
            if qad_rules.applies(q, role=participation.role, route=participation.route, exemptions=())
        ]

    # --- time -------------------------------------------------------------------------------------------------

    ANCHORS: dict[str, tuple[str, int]] = {
        "submit_prequalification": (D.PRE_QUALIFICATION, -6),
        "scope": (D.PRE_QUALIFICATION, 4),
        "start_pit": (D.PIT_START, 0),
        "submit_initial_qad": (D.INITIAL_QAD, -2),
        "query_initial_qad": (D.INITIAL_QAD, 6),
        "answer_initial_clarification": (D.INITIAL_QAD, 17),
        "start_testing": (D.QT_START, 0),
        "complete_testing": (D.FINAL_QAD, -6),
        "submit_final_qad": (D.FINAL_QAD, -2),
        "query_final_qad": (D.FINAL_QAD, 6),
        "answer_final_clarification": (D.FINAL_QAD, 17),
        "agree": (D.TARGET_BOARD, -26),
        "sign": (D.TARGET_BOARD, -21),
        "send_for_approval": (D.TARGET_BOARD, -16),
    }

    def _step_time(self, name: str, remaining: list[str]) -> dt.datetime:
        """When a step happens: at its anchor on the wave's plan, after the previous step, and early enough that the
        rest of the path (board meetings, activation, suspension) still lies before now."""
        reserve = dt.timedelta(hours=10 * len(remaining) + 2)
        if "approve" in remaining:
            reserve += dt.timedelta(days=45)
        if "activate" in remaining or "start_service_activation" in remaining:
            reserve += dt.timedelta(days=16)
        if "suspend" in remaining:
            reserve += dt.timedelta(days=10)
        latest = self.m.now - reserve
        anchor = self.ANCHORS.get(name)
        if anchor is not None:
            kind, days = anchor
            day = self.dates[kind] + dt.timedelta(days=days) + self.shift
            wanted = uk_at(day, self.rng.randint(9, 16), self.rng.randint(0, 59))
        else:  # side exits and suspension: some weeks after the step before
            wanted = self.clock + dt.timedelta(days=self.rng.randint(8, 40))
        chosen = min(wanted, latest)
        if chosen <= self.clock:
            return self._later(self.rng.randint(20, 240))
        self.clock = chosen
        return self.clock

    def _later(self, minutes: float = 1) -> dt.datetime:
        """A while after the last write, and always before now (the step shrinks as now comes close)."""
        step = dt.timedelta(minutes=minutes, microseconds=self.rng.randint(1, 999_999))
        room = self.m.now - dt.timedelta(minutes=1) - self.clock
        if step > room / 2:
            step = max(room / 2, dt.timedelta(microseconds=100))
        self.clock += step
        return self.clock

    def _req(self, actor: Actor) -> Actor:
        return self.m.request(actor)

    # --- the path ---------------------------------------------------------------------------------------------

    def run(self) -> None:
        p = self.p
        spec = Spec(mpid=p.mpid, role=p.role, route=p.route, wave=p.wave, state=p.state, exit_from=p.exit_from)
        steps = case_path(spec, with_queries=p.with_queries)
        self._open()
        for index, name in enumerate(steps):
            remaining = steps[index + 1 :]
            last = not remaining and p.state not in SIDE_EXITS and p.state != S.SUSPENDED
            self._step(name, remaining, last=last)
        self._finish()

    def _step(self, name: str, remaining: list[str], *, last: bool) -> None:
        """The demo's ``_Loader._step``: each step taken by the person who would take it, with its assessment."""
        p = self.p
        if name == "approve":  # at the boards' meetings
            self._decide()
            return
        if name in ("start_service_activation", "activate"):  # as the checklist fills
            self._activation(name)
            return
        start = self.clock
        at = self._step_time(name, remaining)
        if name == "send_for_approval" and not remaining:
            # A case left awaiting approval was sent recently: some boards have met on it since, some have not.
            at = self.clock = max(self.clock, self.m.now - dt.timedelta(days=self.rng.randint(3, 24), hours=2))
        if name in QAD_SUBMISSIONS:  # answered since the step before, submitted at the step's time
            self.clock = start
            self._submit_qad(QAD_SUBMISSIONS[name], at, first=True)
            if name == "submit_final_qad":
                self._findings(last=last)
            return
        if name in ("query_initial_qad", "query_final_qad"):
            self._queries(name, last=last)
            return
        if name in ("answer_initial_clarification", "answer_final_clarification"):
            self.clock = start
            self._clarify(name, at)
            return
        if name == "scope" and p.smart_exemption:
            self._exemption()
        if name == "agree":
            self._agree_plans()
        if name == "send_for_approval":
            self._recommend()
        if name == "sign":
            self._declare()
        if name in SIDE_EXITS.values():
            comment = EXIT_NOTES[p.state]
        else:
            template = (SIT_COMMENTS.get(name) if p.route == Route.SIT else None) or COMMENTS.get(name) or ""
            comment = template.format(
                wave=self.m.wave_names[p.wave],
                role=MarketRole(p.role).label,
                bodies=APPROVING_BODIES[p.role],
                target=f"{self.target:%d %b %Y}" if self.target else "to be agreed",
            )
        effective = None
        if name == "suspend":
            effective = max(
                self.activation[ch.ActivationItem.EFFECTIVE_DATE_AGREED]["effective_date"], at.astimezone(UK).date()
            )
        self._transition(name, self._req(self._actor_for(name)), comment, at=self._later(), effective_date=effective)
        if name == "agree" and last:
            self._recommend(only=ch.approvals_needed(p.role)[:1])
        if name == "sign" and last:
            self._recommend(only=ch.approvals_needed(p.role)[:-1])
        if name == "send_for_approval":
            self._table(decide_now=not remaining)

    def _actor_for(self, name: str) -> Actor:
        """Who takes a plain step (the demo's ``_actor``): the lead, the board, an assessor or the Programme."""
        if name in PARTICIPANT_STEPS:
            return self.lead.actor
        if name == "suspend":  # a decision of a body that approves the role: the BSC PAB where it does
            needed = ch.approvals_needed(self.p.role)
            return self.rng.choice(self.m.cast.board["BSC" if "BSC" in needed else needed[-1]])
        if name == "start_testing":
            return self._reviewer("DIP")  # DIP onboarding in the test environment comes first
        if name == "complete_testing":  # the Programme's test manager for an LDSO, an assessor for anyone else
            return self.rng.choice(self.m.cast.admins) if self.p.role == R.LDSO else self._reviewer("DIP")
        if name == "agree":
            return self._reviewer("REC" if self.p.role == R.MEM else "BSC")
        return self.rng.choice(self.m.cast.admins)

    def _reviewer(self, body: str) -> Actor:
        actor = self.reviewers.get(body)
        return actor if actor is not None else self.m.cast.assessors[body][0]

    # --- cases --------------------------------------------------------------------------------------------------

    def _open(self) -> None:
        """``cases.services.case_open`` by the Programme (Suppliers with a target migration date)."""
        p = self.p
        if p.role == R.SUPPLIER:
            self.target = self.dates[D.TARGET_BOARD] + dt.timedelta(days=56)
        at = self.clock
        table = self.m.tables[QualificationCase]
        pk = table.new_id()
        self.case = {
            "id": pk,
            "uuid": self.m.uuid(),
            "reference": f"QC-{pk:06d}",
            "participation_id": p.id,
            "wave_id": self.m.wave_ids[p.wave],
            "state": S.DRAFT,
            "state_changed_at": None,
            "target_migration_date": self.target,
            "created_at": at,
            "updated_at": at,
        }
        self.m.audit.record(
            at=self._later(0),
            actor=self._req(self.rng.choice(self.m.cast.admins)),
            action="cases.case.open",
            target=QualificationCase,
            object_id=self.case["uuid"],
            object_repr=self._case_repr(),
            organisation_id=self.org.id,
            changes={"reference": self.case["reference"], "wave": p.wave},
        )

    def _case_repr(self) -> str:
        return f"{self.case['reference']} {self.p.mpid} {MarketRole(self.p.role).label}"

    def _transition(
        self,
        name: str,
        actor: Actor,
        comment: str,
        *,
        at: dt.datetime,
        effective_date: dt.date | None = None,
    ) -> None:
        """``core.workflow.apply_transition`` over the case workflow: the transition row, the register event for
        steps that take effect in the market, the workflow's effects (a QAD arriving for review), the audit event."""
        transition = CASE_WORKFLOW.get(name)
        source = self.case["state"]
        if source not in transition.sources:
            raise AssertionError(f"{self.case['reference']}: {name} cannot leave {source}")
        target = transition.target
        if not isinstance(target, str):  # e.g. resume, whose target the engine reads from the case's history
            raise NotImplementedError(f"bench/market does not take {name}, whose target depends on the history")
        self.clock = max(self.clock, at + dt.timedelta(microseconds=900))
        pk = self.m.tables[CaseTransition].add(
            case_id=self.case["id"],
            name=name,
            from_state=source,
            to_state=target,
            at=at,
            actor_id=actor.user_id,
            actor_name=actor.display_name,
            comment=comment.strip(),
            effective_date=effective_date,
            request_id=actor.request_id,
            wave_id=self.case["wave_id"],  # the engine records the case's wave on every step
        )
        if name == "send_for_approval":
            self.round_id = pk
        self.case.update(state=target, state_changed_at=at, updated_at=at)
        kind = REGISTER_EVENTS.get(name)
        if kind is not None and effective_date is not None:
            self._register_event(actor, kind, effective_date, comment, at=at + dt.timedelta(microseconds=300))
        for effect in CASE_WORKFLOW.effects_for(transition):
            # The effects higher apps add to case steps (AppConfig.ready); a new one must be mirrored here too.
            if effect is submission_received:
                self._submission_received(at + dt.timedelta(microseconds=500))
            elif effect is submit_form_with_case:
                self._prequalification(actor, at)
            elif effect is scope_effect:
                # The bench publishes no test catalogue, so (as on such a platform) scoping freezes no required set.
                if latest_published_catalogue() is not None:
                    raise NotImplementedError("bench/market does not freeze required sets against a catalogue")
            elif effect is record_opened:
                self._non_completion_opened(source, comment, at)
            else:
                raise NotImplementedError(f"bench/market does not write the effect {effect.__qualname__}")
        self.m.audit.record(
            at=at + dt.timedelta(microseconds=900),
            actor=actor,
            action=f"{CASE_ACTION}.{name}",
            target=QualificationCase,
            object_id=self.case["uuid"],
            object_repr=self._case_repr(),
            organisation_id=self.org.id,
            changes={
                "state": {"before": source, "after": target},
                **({"comment": comment} if comment else {}),
                **({"effective_date": effective_date.isoformat()} if effective_date is not None else {}),
                "case": self.case["reference"],
            },
        )

    def _prequalification(self, actor: Actor, at: dt.datetime) -> None:
        """The pre-qualification form the lead submits with the step, frozen with it (testing's effect)."""
        day = at.astimezone(UK).date()
        self.m.tables[PreQualification].add(
            case_id=self.case["id"],
            preferred_wave_id=self.case["wave_id"],
            pit_approach="PIT on our own test environment against the Programme's PIT exit criteria.",
            pit_start=day + dt.timedelta(days=14),
            pit_completion=day + dt.timedelta(days=70),
            qt_ready=day + dt.timedelta(days=84),
            target_migration_date=day + dt.timedelta(days=240),
            state=PrequalState.SUBMITTED,
            submitted_at=at,
            submitted_by_name=actor.display_name,
            created_at=at,
            updated_at=at,
        )

    def _non_completion_opened(self, source: str, comment: str, at: dt.datetime) -> None:
        """The Annex 4 record the oversight app opens on ``record_non_completion``, at its ladder's first step, with
        the Programme's manual trigger."""
        ladder = ladder_current()
        first = ladder.spec.first_step
        day = at.astimezone(UK).date()
        record_id = self.m.tables[NonCompletionRecord].new_id()
        self.m.tables[NonCompletionRecord].add(
            id=record_id,
            uuid=uuid_mod.uuid4(),
            reference=f"NC-{record_id:06d}",
            case_id=self.case["id"],
            ladder_id=ladder.pk,
            state="OPEN",
            state_changed_at=at,
            step=first.code,
            step_due=add_working_days(day, first.due_working_days),
            case_state_before=source,
            opened_on=day,
            closed_on=None,
            sanction="",
            sanction_label="",
            created_at=at,
            updated_at=at,
        )
        self.m.tables[NonCompletionTrigger].add(
            case_id=self.case["id"],
            record_id=record_id,
            kind="MANUAL",
            key=f"manual:{at.isoformat()}",
            due_on=None,
            detail=(comment.strip() or "Recorded by the Programme")[:300],
            detected_on=day,
        )

    def _register_event(self, actor: Actor, kind: str, effective: dt.date, note: str, *, at: dt.datetime) -> None:
        """``register.services.register_event_record`` from a case step (the step's reason is a back-dated event's)."""
        backdated = is_backdated(effective, at.astimezone(UK).date(), backdate_days())
        reason = clean_reason(note) if backdated else ""
        pk = self.m.register.add(
            at=at,
            participation_id=self.p.id,
            kind=kind,
            effective_date=effective,
            source=RegisterEventSource.CASE,
            reference=self.case["reference"][:100],
            note=note,
            recorded_by_name=actor.display_name,
            backdated=backdated,
            reason=reason,
        )
        self.m.audit.record(
            at=at,
            actor=actor,
            action="register.event.record",
            target=RegisterEvent,
            object_id=pk,
            object_repr=f"{self.p.mpid} {MarketRole(self.p.role).label} {kind} from {effective}",
            organisation_id=self.org.id,
            changes={
                "mpid": self.p.mpid,
                "role": self.p.role,
                "kind": kind,
                "effective_date": effective,
                "source": RegisterEventSource.CASE,
                **({"backdated": True, "reason": reason} if backdated else {}),
            },
        )

    def _exemption(self) -> None:
        """``participants.services.exemption_decide`` (a BSC PAB member) with the pre-qualification, before scoping,
        and ``exemption_record_derogation`` (a REC decision-maker) the same day."""
        at = self._later(30)
        decided_on = at.astimezone(UK).date()
        reference = f"P476-{self.p.mpid}"
        pab = self._req(self.rng.choice(self.m.cast.board["BSC"]))
        rec = self._req(self.rng.choice(self.m.cast.board["REC"]))
        pk = self.m.tables[Exemption].add(
            created_at=at,
            updated_at=at,
            participation_id=self.p.id,
            kind=ExemptionKind.SMART_SEGMENT,
            scope="Smart-segment tests and QAD questions; the Supplier serves advanced metering points only.",
            decided_on=decided_on,
            reference=reference,
            decided_by_id=pab.user_id,
            decided_by_name=pab.display_name[:200],
            derogation_on=decided_on,
            derogation_scope="REC smart-segment obligations, matching the BSC PAB's P476 exemption.",
            derogation_reference=f"REC-DEROG-{self.p.mpid}",
            derogation_by_id=rec.user_id,
            derogation_by_name=rec.display_name[:200],
        )
        repr_ = f"{ExemptionKind.SMART_SEGMENT.label} for {self.p.mpid} {MarketRole(self.p.role).label}"
        self.m.audit.record(
            at=at,
            actor=pab,
            action="participants.exemption.decide",
            target=Exemption,
            object_id=pk,
            object_repr=repr_,
            organisation_id=self.org.id,
            changes={"kind": ExemptionKind.SMART_SEGMENT, "decided_on": decided_on.isoformat(), "reference": reference},
        )
        self.m.audit.record(
            at=at,
            actor=rec,
            action="participants.exemption.derogation",
            target=Exemption,
            object_id=pk,
            object_repr=repr_,
            organisation_id=self.org.id,
            changes={
                "kind": ExemptionKind.SMART_SEGMENT,
                "derogation_on": decided_on.isoformat(),
                "reference": f"REC-DEROG-{self.p.mpid}",
            },
        )
        self.exemptions = [ExemptionKind.SMART_SEGMENT]
        self.questions = [
            q
            for q in self.m.questions
            if qad_rules.applies(q, role=self.p.role, route=self.p.route, exemptions=self.exemptions)
        ]

    # --- the rows that changed along the way ------------------------------------------------------------------

    def _finish(self) -> None:
        """Write the rows whose fields moved with the history (case, response, answers, queries, findings)."""
        m = self.m
        if self.p.state == S.PIT and self.response is None:
            # A case in PIT has started its QAD: part of it answered, nothing submitted yet.
            self._response_open(self._later(60 * 24))
            self._fill(
                max(self.clock + dt.timedelta(hours=2), m.now - dt.timedelta(days=1)),
                share=self.rng.uniform(0.15, 0.85),
            )
        if self.case["state"] != self.p.state:
            raise AssertionError(f"{self.case['reference']} ended {self.case['state']}, wanted {self.p.state}")
        m.tables[QualificationCase].add(**self.case)
        if self.response is not None:
            m.tables[QadResponse].add(
                id=self.response["id"],
                uuid=self.response["uuid"],
                created_at=self.response["created_at"],
                updated_at=self.response["updated_at"],
                case_id=self.case["id"],
                version_id=m.version.id,
                revision=self.response["revision"],
            )
            add_answer = m.answer_row
            response_id = self.response["id"]
            for qid, a in self.answers.items():
                add_answer(
                    a["created_at"], a["updated_at"], response_id, qid, a["value"], a["version"], a["updated_by_name"]
                )
            for e in self.evidence:
                m.tables[EvidenceFile].add(
                    id=e.id,
                    uuid=e.uuid,
                    created_at=e.created_at,
                    updated_at=e.created_at,
                    response_id=self.response["id"],
                    original_name=e.original_name,
                    storage_name=e.storage_name,
                    size=e.size,
                    sha256=e.sha256,
                    content_kind=e.content_kind,
                    evidence_as_of=e.evidence_as_of,
                    uploaded_by_id=e.uploaded_by_id,
                    uploaded_by_name=e.uploaded_by_name,
                )
            for qid, links in self.links.items():
                for link in links:
                    m.tables[EvidenceLink].add(
                        created_at=link.at,
                        updated_at=link.at,
                        response_id=self.response["id"],
                        question_id=qid,
                        evidence_id=link.evidence.id,
                    )
        for q in self.queries:
            m.tables[Query].add(
                id=q["id"],
                uuid=q["uuid"],
                created_at=q["created_at"],
                updated_at=q["updated_at"],
                reference=q["reference"],
                case_id=self.case["id"],
                submission_id=q["submission"].id,
                question_id=q["question_id"],
                section_number=q["section_number"],
                question_number=q["question_number"],
                body=q["body"],
                state=q["state"],
                state_changed_at=q["state_changed_at"],
                response_due=q["response_due"],
                reviewer_due=q["reviewer_due"],
                raised_by_id=q["raised_by"].user_id,
                raised_by_name=q["raised_by"].display_name[:200],
                internal_note="",
            )
        for f in self.findings:
            m.tables[Finding].add(**{k: v for k, v in f.items() if k != "theme"})
