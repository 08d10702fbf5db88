"""Pre-qualification, Annex 3 eligibility, Placing Reliance decisions and scoping by the Code Bodies."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from qualify.cases.choices import CaseState
from qualify.cases.services import case_open, case_transition
from qualify.core.actor import system_actor
from qualify.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from qualify.participants.choices import MarketRole, Route
from qualify.participants.services import participation_create
from qualify.plan.services import milestone_upsert
from qualify.testing.choices import PrequalState, ProposalState, RelianceOutcome
from qualify.testing.eligibility import new_entrant_eligibility
from qualify.testing.models import PreQualification, ScopeRecord, TestCatalogue
from qualify.testing.services.prequalification import prequalification_save, prequalification_submit
from qualify.testing.services.reliance import (
    reliance_decide,
    reliance_draft,
    reliance_evidence_add,
    reliance_propose,
    reliance_withdraw,
)
from qualify.testing.services.scope_confirm import scope_rescope
from qualify.testing.tests.helpers import lead_of, prequalify, publish_sample
from qualify.testing.workflow import combine

M10, M14 = dt.date(2025, 9, 24), dt.date(2026, 10, 28)
A, P, R = RelianceOutcome.ACCEPTED, RelianceOutcome.PARTLY_ACCEPTED, RelianceOutcome.REFUSED


# --- Annex 3 ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "route", "intended", "m10", "m14", "allowed", "says"),
    [
        (MarketRole.LDSO, Route.NEW_ENTRANT, dt.date(2026, 1, 1), M10, M14, True, ""),
        (MarketRole.LDSO, Route.NEW_ENTRANT, M10 + dt.timedelta(days=1), M10, M14, True, ""),
        (MarketRole.LDSO, Route.NEW_ENTRANT, M14 - dt.timedelta(days=1), M10, M14, True, ""),
        (MarketRole.LDSO, Route.NEW_ENTRANT, M10, M10, M14, False, "Annex 1"),
        (MarketRole.LDSO, Route.NEW_ENTRANT, dt.date(2025, 1, 1), M10, M14, False, "24 Sep 2025"),
        (MarketRole.LDSO, Route.NEW_ENTRANT, M14, M10, M14, False, "enduring"),
        (MarketRole.LDSO, Route.NEW_ENTRANT, dt.date(2027, 1, 1), M10, M14, False, "28 Oct 2026"),
        (MarketRole.LDSO, Route.NEW_ENTRANT, None, M10, M14, False, "intends to start operating"),
        (MarketRole.LDSO, Route.NEW_ENTRANT, dt.date(2026, 1, 1), None, M14, False, "M10"),
        (MarketRole.SUPPLIER, Route.NEW_ENTRANT, dt.date(2026, 1, 1), M10, M14, False, "LDSOs only"),
        (MarketRole.LDSO, Route.QT, dt.date(2025, 1, 1), M10, M14, True, ""),
        (MarketRole.LDSO, Route.SIT, None, None, None, True, ""),
    ],
)
def test_annex3_is_open_only_between_m10_and_m14(role, route, intended, m10, m14, allowed, says):
    answer = new_entrant_eligibility(role=role, route=route, intended_operation=intended, m10=m10, m14=m14)
    assert answer.allowed is allowed
    assert says in answer.reason


# --- pre-qualification -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_prequalification_is_refused_naming_what_the_form_lacks(cast):
    with pytest.raises(TransitionNotAllowed, match="preferred wave, PIT approach"):
        case_transition(actor=cast.actor("lead_a"), case=cast.case_a, name="submit_prequalification")
    prequalification_save(actor=cast.actor("lead_a"), case=cast.case_a, preferred_wave=cast.wave, pit_approach="x")
    with pytest.raises(TransitionNotAllowed, match="lacks: PIT start date") as refused:
        prequalification_submit(actor=cast.actor("lead_a"), case=cast.case_a)
    assert "preferred wave" not in refused.value.message
    cast.case_a.refresh_from_db()
    assert cast.case_a.state == CaseState.DRAFT


@pytest.mark.django_db
def test_submitting_the_form_takes_the_case_step_and_freezes_the_form(cast):
    prequal = prequalify(cast.case_a)
    assert cast.case_a.state == CaseState.PREQUAL_SUBMITTED
    assert prequal.state == PrequalState.SUBMITTED and prequal.submitted_at is not None
    with pytest.raises(ValidationFailed, match="submitted"):
        prequalification_save(actor=cast.actor("lead_a"), case=cast.case_a, pit_approach="changed")


@pytest.mark.django_db
def test_only_the_lead_edits_the_prequalification(cast):
    for key in ("contributor_a", "viewer_a", "lead_b", "admin", "bsc"):
        with pytest.raises(NotAllowed):
            prequalification_save(actor=cast.actor(key), case=cast.case_a, pit_approach="x")
    assert not PreQualification.objects.exists()


@pytest.mark.django_db
def test_optional_functions_must_be_the_catalogues_for_the_role(cast):
    catalogue()
    saved = prequalification_save(
        actor=cast.actor("lead_a"), case=cast.case_a, optional_functions_not_sought=["ums_supply"]
    )
    assert saved.optional_functions_not_sought == ["UMS_SUPPLY"]
    with pytest.raises(ValidationFailed, match="NOT_A_FUNCTION"):
        prequalification_save(
            actor=cast.actor("lead_a"), case=cast.case_a, optional_functions_not_sought=["NOT_A_FUNCTION"]
        )


def _new_entrant_ldso(cast):  # type: ignore[no-untyped-def]
    system = system_actor("test")
    milestone_upsert(actor=system, code="M10", name="Central systems ready", date=M10)
    milestone_upsert(actor=system, code="M14", name="Every Supplier qualified", date=M14)
    participation = participation_create(
        actor=system,
        organisation=cast.org_b,
        mpid="SBNE",
        role=MarketRole.LDSO,
        route=Route.NEW_ENTRANT,
        distributor_ids=["31"],
    )
    return case_open(actor=system, participation=participation, wave=cast.wave)


@pytest.mark.django_db
def test_a_new_entrant_ldso_operating_at_m10_is_refused_with_the_milestone_dates(cast):
    case = _new_entrant_ldso(cast)
    with pytest.raises(TransitionNotAllowed, match=r"Annex 1.*24 Sep 2025.*28 Oct 2026"):
        prequalify(case, intended_operation_date=M10)
    case.refresh_from_db()
    assert case.state == CaseState.DRAFT
    prequalify(case, intended_operation_date=dt.date(2026, 3, 1))
    assert case.state == CaseState.PREQUAL_SUBMITTED


@pytest.mark.django_db
def test_an_ldso_must_give_its_intended_operation_date(cast):
    case = _new_entrant_ldso(cast)
    with pytest.raises(TransitionNotAllowed, match="intended operation date"):
        prequalify(case, intended_operation_date=None)


# --- Placing Reliance ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decisions", "outcome", "accepted"),
    [
        ([(A, [])], A, ["QT-005", "QT-006"]),
        ([(P, ["QT-006"])], P, ["QT-006"]),
        ([(R, [])], R, []),
        ([(A, []), (A, [])], A, ["QT-005", "QT-006"]),
        ([(A, []), (P, ["QT-005"])], P, ["QT-005"]),
        ([(P, ["QT-005"]), (P, ["QT-005", "QT-006"])], P, ["QT-005"]),
        ([(P, ["QT-005"]), (P, ["QT-006"])], R, []),
        ([(A, []), (R, [])], R, []),
        ([(P, ["QT-005"]), (R, [])], R, []),
        ([(R, []), (R, [])], R, []),
    ],
)
def test_the_bodies_decisions_combine(decisions, outcome, accepted):
    assert combine(["QT-005", "QT-006"], decisions) == (outcome, accepted)


def catalogue():  # type: ignore[no-untyped-def]
    return TestCatalogue.objects.filter(version="1.0").first() or publish_sample()


def _proposal(cast, case=None, covers=("QT-005", "QT-006")):  # type: ignore[no-untyped-def]
    case = case or cast.case_a
    catalogue()
    return reliance_draft(
        actor=lead_of(case),
        case=case,
        relied_on_name="Acme Billing Software",
        relied_on_mpid="ACME",
        relied_on_kind="SOFTWARE_PROVIDER",
        covers=list(covers),
        description="Acme ran these cases on the release we use.",
    )


@pytest.mark.django_db
def test_a_supplier_proposal_goes_to_dip_bsc_and_rec_and_a_new_entrant_ldsos_to_bsc_and_rec(cast):
    assert _proposal(cast).bodies == ["DIP", "BSC", "REC"]
    ldso = _new_entrant_ldso(cast)
    assert _proposal(cast, ldso, covers=("QT-022",)).bodies == ["BSC", "REC"]


@pytest.mark.django_db
def test_covers_are_checked_against_the_published_catalogue(cast):
    catalogue()
    with pytest.raises(ValidationFailed, match="QT-999"):
        _proposal(cast, covers=("QT-005", "QT-999"))
    proposal = _proposal(cast, covers=("qt-005", "REQ-REG-001"))
    assert proposal.covers == ["QT-005", "REQ-REG-001"]
    with pytest.raises(ValidationFailed, match="at most"):
        _proposal(cast, covers=[f"X{i}" for i in range(201)])


@pytest.mark.django_db
def test_every_body_decides_once_and_the_last_decides_the_proposal(cast):
    proposal = reliance_propose(actor=cast.actor("lead_a"), proposal=_proposal(cast))
    reliance_decide(actor=cast.actor("dip"), proposal=proposal, outcome=A, reasons="Same release.")
    with pytest.raises(ValidationFailed, match="already decided"):
        reliance_decide(actor=cast.actor("dip"), proposal=proposal, outcome=A, reasons="Again.")
    reliance_decide(
        actor=cast.actor("bsc"), proposal=proposal, outcome=P, accepted_covers=["QT-005"], reasons="Only one."
    )
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PROPOSED and proposal.outcome == ""
    reliance_decide(actor=cast.actor("rec"), proposal=proposal, outcome=A, reasons="Fine.")
    proposal.refresh_from_db()
    assert (proposal.state, proposal.outcome, proposal.accepted_covers) == (ProposalState.DECIDED, P, ["QT-005"])


@pytest.mark.django_db
def test_one_refusal_refuses_the_proposal(cast):
    proposal = reliance_propose(actor=cast.actor("lead_a"), proposal=_proposal(cast))
    for key, outcome in (("dip", A), ("bsc", R), ("rec", A)):
        reliance_decide(actor=cast.actor(key), proposal=proposal, outcome=outcome, reasons="Reasons.")
    proposal.refresh_from_db()
    assert (proposal.outcome, proposal.accepted_covers) == (R, [])


@pytest.mark.django_db
def test_a_new_entrant_ldsos_proposal_is_decided_by_bsc_and_rec(cast):
    ldso = _new_entrant_ldso(cast)
    proposal = reliance_propose(actor=lead_of(ldso), proposal=_proposal(cast, ldso, covers=("QT-022", "QT-023")))
    with pytest.raises(NotAllowed, match="does not go to the DIP"):
        reliance_decide(actor=cast.actor("dip"), proposal=proposal, outcome=A, reasons="x")
    reliance_decide(actor=cast.actor("bsc"), proposal=proposal, outcome=A, reasons="x")
    reliance_decide(actor=cast.actor("rec"), proposal=proposal, outcome=A, reasons="x")
    proposal.refresh_from_db()
    assert (proposal.state, proposal.outcome) == (ProposalState.DECIDED, A)


@pytest.mark.django_db
def test_a_decision_needs_reasons_and_a_real_subset(cast):
    proposal = reliance_propose(actor=cast.actor("lead_a"), proposal=_proposal(cast))
    with pytest.raises(ValidationFailed, match="reasons"):
        reliance_decide(actor=cast.actor("bsc"), proposal=proposal, outcome=A, reasons="  ")
    with pytest.raises(ValidationFailed, match="not covered: QT-001"):
        reliance_decide(actor=cast.actor("bsc"), proposal=proposal, outcome=P, accepted_covers=["QT-001"], reasons="x")
    with pytest.raises(ValidationFailed, match="record it as accepted"):
        reliance_decide(
            actor=cast.actor("bsc"), proposal=proposal, outcome=P, accepted_covers=["QT-005", "QT-006"], reasons="x"
        )
    with pytest.raises(NotAllowed):
        reliance_decide(actor=cast.actor("admin"), proposal=proposal, outcome=A, reasons="x")


@pytest.mark.django_db
def test_only_a_draft_is_edited_and_a_proposal_is_withdrawn_until_decided(cast):
    proposal = reliance_propose(actor=cast.actor("lead_a"), proposal=_proposal(cast))
    with pytest.raises(ValidationFailed, match="can no longer be changed"):
        reliance_draft(
            actor=cast.actor("lead_a"),
            case=cast.case_a,
            proposal=proposal,
            relied_on_name="Other",
            relied_on_kind="OTHER",
            covers=["QT-005"],
        )
    with pytest.raises(NotAllowed):
        reliance_withdraw(actor=cast.actor("contributor_a"), proposal=proposal)
    assert reliance_withdraw(actor=cast.actor("lead_a"), proposal=proposal).state == ProposalState.WITHDRAWN
    decided = reliance_propose(actor=cast.actor("lead_a"), proposal=_proposal(cast))
    for key in ("dip", "bsc", "rec"):
        reliance_decide(actor=cast.actor(key), proposal=decided, outcome=R, reasons="No.")
    with pytest.raises(TransitionNotAllowed):
        reliance_withdraw(actor=cast.actor("lead_a"), proposal=decided)


@pytest.mark.django_db
def test_evidence_goes_through_the_qad_evidence_store(cast, settings, tmp_path):
    from qualify.qad.tests.helpers import publish_sample as publish_qad

    settings.MEDIA_ROOT = tmp_path
    publish_qad()
    proposal = _proposal(cast)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    evidence = reliance_evidence_add(
        actor=cast.actor("lead_a"),
        proposal=proposal,
        upload=io.BytesIO(pdf),
        name="acme-report.pdf",
        size=len(pdf),
        evidence_as_of=dt.date(2026, 1, 5),
    )
    assert list(proposal.evidence.all()) == [evidence]
    with pytest.raises(ValidationFailed, match="does not match"):
        reliance_evidence_add(
            actor=cast.actor("lead_a"),
            proposal=proposal,
            upload=io.BytesIO(b"plain text"),
            name="fake.pdf",
            size=10,
            evidence_as_of=dt.date(2026, 1, 5),
        )


# --- scoping by the Code Bodies ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_a_code_body_assessor_confirms_scope_and_it_freezes_the_set_with_the_body(cast):
    catalogue()
    prequalify(cast.case_a)
    with pytest.raises(NotAllowed):
        case_transition(actor=cast.actor("admin"), case=cast.case_a, name="scope", comment="x")
    case_transition(actor=cast.actor("rec"), case=cast.case_a, name="scope", comment="standard set")
    record = ScopeRecord.objects.get(case=cast.case_a)
    assert (record.sequence, record.confirmed_by_body, record.reason) == (1, "REC", "standard set")


@pytest.mark.django_db
def test_scoping_is_refused_while_a_proposal_is_undecided_then_allowed(cast):
    prequalify(cast.case_a)
    proposal = reliance_propose(actor=cast.actor("lead_a"), proposal=_proposal(cast))
    with pytest.raises(TransitionNotAllowed, match=proposal.reference):
        case_transition(actor=cast.actor("bsc"), case=cast.case_a, name="scope", comment="x")
    for key in ("dip", "bsc", "rec"):
        reliance_decide(actor=cast.actor(key), proposal=proposal, outcome=A, reasons="Same release.")
    case_transition(actor=cast.actor("bsc"), case=cast.case_a, name="scope", comment="reliance accepted")
    record = ScopeRecord.objects.get(case=cast.case_a)
    assert "QT-005" not in record.required and "QT-006" not in record.required
    assert record.inputs["reliance"][0]["reference"] == proposal.reference


@pytest.mark.django_db
def test_a_rescope_shows_what_was_added_and_removed(cast):
    catalogue()
    prequalify(cast.case_a)
    case_transition(actor=cast.actor("bsc"), case=cast.case_a, name="scope", comment="first")
    proposal = reliance_propose(actor=cast.actor("lead_a"), proposal=_proposal(cast))
    with pytest.raises(TransitionNotAllowed, match="still with the Code Bodies"):
        scope_rescope(actor=cast.actor("bsc"), case=cast.case_a, reason="reliance")
    for key in ("dip", "bsc", "rec"):
        reliance_decide(
            actor=cast.actor(key), proposal=proposal, outcome=P, accepted_covers=["QT-006"], reasons="Only QT-006."
        )
    with pytest.raises(ValidationFailed, match="why"):
        scope_rescope(actor=cast.actor("bsc"), case=cast.case_a, reason=" ")
    with pytest.raises(NotAllowed):
        scope_rescope(actor=cast.actor("lead_a"), case=cast.case_a, reason="mine")
    result = scope_rescope(actor=cast.actor("dip"), case=cast.case_a, reason="reliance on Acme decided")
    assert result.changed and result.record.sequence == 2 and result.record.confirmed_by_body == "DIP"
    assert [r["case_id"] for r in result.record.changes["removed"]] == ["QT-006"]
    again = scope_rescope(actor=cast.actor("dip"), case=cast.case_a, reason="nothing new")
    assert not again.changed and again.record.pk == result.record.pk


@pytest.mark.django_db
def test_a_case_is_not_rescoped_before_scoping_or_after_final_qad(cast):
    catalogue()
    with pytest.raises(TransitionNotAllowed, match="re-scoped"):
        scope_rescope(actor=cast.actor("bsc"), case=cast.case_a, reason="early")
