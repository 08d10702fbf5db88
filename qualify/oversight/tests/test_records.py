"""Non-completion records: detection from the plan, every ladder step and outcome, resuming, sanctions, reminders."""

from __future__ import annotations

import datetime as dt

import pytest

from qualify.audit.models import AuditEvent
from qualify.cases.models import QualificationCase
from qualify.cases.services import case_transition
from qualify.core import clock
from qualify.core.actor import system_actor
from qualify.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from qualify.notifications.models import Notification
from qualify.oversight import choices as ch
from qualify.oversight.models import NonCompletionRecord, NonCompletionTrigger, StepDecision, StepReminder
from qualify.oversight.services import PlanInput, records_detect, reminders_send
from qualify.oversight.tests.helpers import decide, force_state, open_record
from qualify.plan.choices import MilestoneMeaning
from qualify.plan.services import milestone_upsert
from qualify.register.models import RegisterEvent

PREQUAL = dt.date(2026, 12, 1)  # the cast's wave 1 pre-qualification deadline
DAY = dt.timedelta(days=1)


# --- detection -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("offset", "opened"), [(-1, False), (0, False), (1, True)])
def test_a_missed_prequalification_opens_a_record_only_after_its_day(cast, offset, opened):
    result = records_detect(today=PREQUAL + offset * DAY)
    records = NonCompletionRecord.objects.filter(case=cast.case_a)
    assert records.exists() is opened
    # Both QT Suppliers miss it (the SIT MEM submits no pre-qualification).
    assert len(result.opened) == (2 if opened else 0)
    assert not NonCompletionRecord.objects.filter(case=cast.case_a_mem).exists()
    if opened:
        record = records.get()
        assert record.step == "NOTICE" and record.case_state_before == "DRAFT"
        assert QualificationCase.objects.get(pk=cast.case_a.pk).state == "NON_COMPLETION"
        assert list(record.triggers.values_list("kind", "key")) == [
            ("WAVE_DEADLINE", "W1:PRE_QUALIFICATION:2026-12-01")
        ]


def test_detection_is_idempotent(cast):
    first = records_detect(today=PREQUAL + DAY)
    again = records_detect(today=PREQUAL + DAY)
    later = records_detect(today=PREQUAL + 5 * DAY)
    assert len(first.opened) == 2 and again.opened == [] and later.opened == [] and later.added == 0
    assert NonCompletionRecord.objects.filter(case=cast.case_a).count() == 1
    assert NonCompletionTrigger.objects.filter(case=cast.case_a).count() == 1


def test_a_further_miss_joins_the_open_record(cast):
    records_detect(today=PREQUAL + DAY)
    result = records_detect(today=dt.date(2027, 2, 2))  # the Initial QAD deadline has passed too
    # Both Suppliers' open records gain the Initial QAD miss; the SIT MEM, which missed nothing before, gets its own.
    assert result.added == 2
    assert result.opened == [NonCompletionRecord.objects.get(case=cast.case_a_mem).reference]
    record = NonCompletionRecord.objects.get(case=cast.case_a)
    assert sorted(record.triggers.values_list("kind", flat=True)) == ["SUBMISSION", "WAVE_DEADLINE"]


def test_a_resolved_miss_is_not_triggered_again(cast):
    records_detect(today=PREQUAL + DAY)
    record = NonCompletionRecord.objects.get(case=cast.case_a)
    for outcome in ("NOTICE_SENT", "PLAN_SUBMITTED", "PLAN_ACCEPTED"):
        record = decide(cast, record, outcome)
    assert record.state == "RESOLVED"
    assert QualificationCase.objects.get(pk=cast.case_a.pk).state == "DRAFT"
    assert records_detect(today=PREQUAL + 2 * DAY).opened == []
    assert NonCompletionRecord.objects.filter(case=cast.case_a).count() == 1


def test_a_supplier_not_qualified_on_m14_is_detected_the_day_after(cast):
    m14 = dt.date(2026, 10, 28)
    milestone_upsert(
        actor=system_actor(),
        code="M14",
        name="Suppliers qualified",
        date=m14,
        meaning=MilestoneMeaning.ALL_SUPPLIERS_QUALIFIED,
    )
    force_state(cast.case_b, "AWAITING_APPROVAL")
    assert records_detect(today=m14).opened == []
    opened = records_detect(today=m14 + DAY).opened
    record = NonCompletionRecord.objects.get(case=cast.case_b)
    assert record.reference in opened
    assert list(record.triggers.values_list("kind", flat=True)) == ["M14"]
    assert not NonCompletionRecord.objects.filter(case=cast.case_a_mem).exists()


def test_opening_tells_the_participant(cast):
    record = open_record(cast, cast.case_a)
    lead = cast.user("lead_a")
    assert Notification.objects.filter(recipient=lead, kind=ch.NOTICE_OPENED, title__contains=record.reference).exists()
    assert AuditEvent.objects.filter(action="oversight.record.open").exists()


# --- every step and outcome ------------------------------------------------------------------------------------------

# path of outcomes -> (record state, sanction, case state after, register event)
PATHS = [
    (["NOTICE_SENT", "PLAN_SUBMITTED", "PLAN_ACCEPTED"], "RESOLVED", "", "TESTING", None),
    (
        ["NOTICE_SENT", "PLAN_SUBMITTED", "PLAN_REVISE", "PLAN_SUBMITTED", "PLAN_ACCEPTED"],
        "RESOLVED",
        "",
        "TESTING",
        None,
    ),
    (["NOTICE_SENT", "PLAN_SUBMITTED", "REFER", "REFERRED", "PLAN_ACCEPTED"], "RESOLVED", "", "TESTING", None),
    (
        ["NOTICE_SENT", "NO_RESPONSE", "REFERRED", ("SANCTION", "BSC_BREACH")],
        "SANCTIONED",
        "BSC_BREACH",
        "TESTING",
        None,
    ),
    (
        ["NOTICE_SENT", "NO_RESPONSE", "REFERRED", ("SANCTION", "BSC_DEFAULT")],
        "SANCTIONED",
        "BSC_DEFAULT",
        "NON_COMPLETION",
        "SUSPENDED",
    ),
    (["NOTICE_SENT", "NO_RESPONSE", "REFERRED", "ESCALATE", "PLAN_ACCEPTED"], "RESOLVED", "", "TESTING", None),
    (
        ["NOTICE_SENT", "NO_RESPONSE", "REFERRED", "ESCALATE", ("SANCTION", "BSC_BREACH")],
        "SANCTIONED",
        "BSC_BREACH",
        "TESTING",
        None,
    ),
]


@pytest.mark.parametrize(
    ("path", "state", "sanction", "case_state", "event"),
    PATHS,
    ids=[f"path{i}" for i in range(len(PATHS))],
)
def test_every_path_through_the_default_ladder(cast, path, state, sanction, case_state, event):  # type: ignore[no-untyped-def]
    record = open_record(cast, cast.case_a, "TESTING")
    for step in path:
        outcome, chosen = (step, "") if isinstance(step, str) else step
        assert record.state == "OPEN" and record.step_due is not None
        record = decide(cast, record, outcome, sanction=chosen)
    assert (record.state, record.sanction, record.step) == (state, sanction, "")
    assert QualificationCase.objects.get(pk=cast.case_a.pk).state == case_state
    assert list(StepDecision.objects.filter(record=record).values_list("position", flat=True)) == list(
        range(1, len(path) + 1)
    )
    events = list(RegisterEvent.objects.filter(participation=cast.supplier_a).values_list("kind", flat=True))
    assert events == ([event] if event else [])


@pytest.mark.parametrize(("sanction", "event"), [("AGENT_REMOVAL", "REVOKED"), ("AGENT_REFUSAL", None)])
def test_an_agent_faces_removal_or_refusal_of_qualification(cast, sanction, event):  # type: ignore[no-untyped-def]
    record = open_record(cast, cast.case_a_mem, "PIT")
    for outcome in ("NOTICE_SENT", "NO_RESPONSE", "REFERRED"):
        record = decide(cast, record, outcome)
    with pytest.raises(TransitionNotAllowed, match="sanction that applies"):
        decide(cast, record, "SANCTION", sanction="BSC_BREACH")
    record = decide(cast, record, "SANCTION", sanction=sanction, effective_date=clock.today())
    assert record.sanction == sanction
    events = list(RegisterEvent.objects.filter(participation=cast.mem_a).values_list("kind", "reference"))
    assert events == ([(event, record.reference)] if event else [])


def test_a_bsc_party_cannot_be_given_an_agents_sanction(cast):
    record = open_record(cast, cast.case_a)
    for outcome in ("NOTICE_SENT", "NO_RESPONSE", "REFERRED"):
        record = decide(cast, record, outcome)
    with pytest.raises(TransitionNotAllowed):
        decide(cast, record, "SANCTION", sanction="AGENT_REMOVAL")


@pytest.mark.parametrize("state", ["PREQUAL_SUBMITTED", "PIT", "INITIAL_CLARIFICATION", "TESTING", "AWAITING_APPROVAL"])
def test_resolving_returns_the_case_to_the_state_it_was_in(cast, state):
    record = open_record(cast, cast.case_a, state)
    for outcome in ("NOTICE_SENT", "PLAN_SUBMITTED", "PLAN_ACCEPTED"):
        record = decide(cast, record, outcome)
    assert QualificationCase.objects.get(pk=cast.case_a.pk).state == state


def test_the_case_cannot_be_resumed_by_hand_while_its_record_is_open(cast):
    record = open_record(cast, cast.case_a)
    case = QualificationCase.objects.get(pk=cast.case_a.pk)
    with pytest.raises(TransitionNotAllowed, match=record.reference):
        case_transition(actor=cast.actor("admin"), case=case, name="accept_remediation", comment="by hand")


# step -> people who may not take it
REFUSED = {
    "NOTICE": ["lead_a", "bsc", "board", "lead_b"],
    "RESPONSE": ["contributor_a", "viewer_a", "lead_b", "bsc", "board"],
    "REVIEW": ["lead_a", "admin", "board"],
    "REFERRAL": ["lead_a", "bsc", "board"],
    "PAB_DECISION": ["admin", "bsc", "rec_decider", "lead_a"],
}
TO_REACH = {
    "NOTICE": [],
    "RESPONSE": ["NOTICE_SENT"],
    "REVIEW": ["NOTICE_SENT", "PLAN_SUBMITTED"],
    "REFERRAL": ["NOTICE_SENT", "NO_RESPONSE"],
    "PAB_DECISION": ["NOTICE_SENT", "NO_RESPONSE", "REFERRED"],
}
FIRST_OUTCOME = {
    "NOTICE": "NOTICE_SENT",
    "RESPONSE": "PLAN_SUBMITTED",
    "REVIEW": "PLAN_ACCEPTED",
    "REFERRAL": "REFERRED",
    "PAB_DECISION": "PLAN_ACCEPTED",
}


@pytest.mark.parametrize("step", sorted(REFUSED))
def test_each_step_is_its_own_actors(cast, step):  # type: ignore[no-untyped-def]
    record = open_record(cast, cast.case_a)
    for outcome in TO_REACH[step]:
        record = decide(cast, record, outcome)
    for who in REFUSED[step]:
        with pytest.raises(NotAllowed):
            decide(cast, record, FIRST_OUTCOME[step], who=who)
    assert NonCompletionRecord.objects.get(pk=record.pk).step == step


def test_only_the_programme_records_that_no_response_came(cast):
    record = decide(cast, open_record(cast, cast.case_a), "NOTICE_SENT")
    with pytest.raises(NotAllowed):
        decide(cast, record, "NO_RESPONSE", who="lead_a")
    assert decide(cast, record, "NO_RESPONSE").step == "REFERRAL"


def test_a_response_needs_a_complete_plan(cast):
    record = decide(cast, open_record(cast, cast.case_a), "NOTICE_SENT")
    with pytest.raises(ValidationFailed):
        decide(cast, record, "PLAN_SUBMITTED", plan=None) if False else decide(
            cast, record, "PLAN_SUBMITTED", plan=PlanInput(summary="", owner="", milestones=[])
        )
    with pytest.raises(ValidationFailed):
        decide(cast, record, "PLAN_SUBMITTED", plan=PlanInput("s", "o", [{"title": "t", "due": "2020-01-01"}]))
    record = decide(cast, record, "PLAN_SUBMITTED")
    plan = record.plans.get()
    assert plan.owner == "Ada Lead" and plan.milestones[0]["title"] == "Test Completion Report"


def test_a_decision_on_a_step_already_decided_is_refused(cast):
    record = open_record(cast, cast.case_a)
    decide(cast, record, "NOTICE_SENT", step="NOTICE")
    with pytest.raises(TransitionNotAllowed, match="already been decided"):
        decide(cast, record, "NOTICE_SENT", step="NOTICE")
    assert StepDecision.objects.filter(record=record).count() == 1


def test_an_unknown_outcome_is_refused(cast):
    record = open_record(cast, cast.case_a)
    with pytest.raises(TransitionNotAllowed, match="no such outcome"):
        decide(cast, record, "PLAN_ACCEPTED")


# --- reminders -------------------------------------------------------------------------------------------------------


def test_reminders_are_sent_once_for_due_soon_and_once_when_overdue(cast):
    record = open_record(cast, cast.case_a)
    due = record.step_due
    assert reminders_send(today=due - 10 * DAY) == {ch.NOTICE_DUE_SOON: 0, ch.NOTICE_OVERDUE: 0}
    assert reminders_send(today=due - DAY)[ch.NOTICE_DUE_SOON] == 1
    assert reminders_send(today=due)[ch.NOTICE_DUE_SOON] == 0
    assert reminders_send(today=due + DAY)[ch.NOTICE_OVERDUE] == 1
    assert reminders_send(today=due + 2 * DAY)[ch.NOTICE_OVERDUE] == 0
    assert StepReminder.objects.filter(record=record).count() == 2
    # The NOTICE step is the Programme's: its administrator is reminded, not the participant.
    reminded = Notification.objects.filter(kind=ch.NOTICE_OVERDUE)
    assert set(reminded.values_list("recipient_id", flat=True)) == {cast.user("admin").pk}
