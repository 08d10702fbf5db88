"""Freezing a case's required test set (DOMAIN.md §4 "scoped", §10a "Scope").

``scope_inputs`` gathers what decides the set from the records (role, route, recorded exemptions, the optional
functions the pre-qualification says are not sought, decided reliance proposals); ``scope_freeze`` computes the set
with the pure ``scope.required_set`` against the latest published catalogue and appends a ``ScopeRecord`` holding the
inputs, every verdict, the hash and, for a re-scope, what changed since the previous record.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from qualify.audit.services import audit_record
from qualify.cases.models import QualificationCase
from qualify.core.actor import Actor
from qualify.core.errors import ValidationFailed
from qualify.participants.models import Exemption
from qualify.testing.choices import ProposalState, ScopeReason
from qualify.testing.models import CatalogueCase, PreQualification, RelianceProposal, ScopeRecord, TestCatalogue
from qualify.testing.scope import RelianceDecision, RequiredSet, ScopeInput, required_set, set_sha256
from qualify.testing.selectors.catalogue import case_rules, latest_published_catalogue


def scope_inputs(case: QualificationCase) -> ScopeInput:
    """What decides the case's required set, read from its records."""
    participation = case.participation
    exemptions = frozenset(Exemption.objects.filter(participation=participation).values_list("kind", flat=True))
    prequal = PreQualification.objects.filter(case=case).first()
    not_sought = frozenset(prequal.optional_functions_not_sought) if prequal is not None else frozenset()
    reliance = tuple(
        RelianceDecision(
            reference=p.reference,
            outcome=p.outcome,
            relied_on=p.relied_on_name,
            covers=frozenset(p.accepted_covers),
        )
        for p in RelianceProposal.objects.filter(case=case, state=ProposalState.DECIDED).exclude(outcome="")
    )
    return ScopeInput(
        role=participation.role,
        route=participation.route,
        exemptions=exemptions,
        optional_functions_not_sought=not_sought,
        reliance=reliance,
    )


def scope_compute(case: QualificationCase, catalogue: TestCatalogue | None = None) -> tuple[TestCatalogue, RequiredSet]:
    """The set the case would be scoped to now (nothing stored); refused when no catalogue is published."""
    catalogue = catalogue or latest_published_catalogue()
    if catalogue is None:
        raise ValidationFailed(
            "No test catalogue is published yet, so there is no required test set to compute.",
            details={"catalogue": "none published"},
            code="no_published_catalogue",
        )
    return catalogue, required_set(catalogue.version, case_rules(catalogue), scope_inputs(case))


def _inputs_json(given: ScopeInput) -> dict[str, Any]:
    return {
        "role": given.role,
        "route": given.route,
        "exemptions": sorted(given.exemptions),
        "optional_functions_not_sought": sorted(given.optional_functions_not_sought),
        "reliance": [
            {"reference": d.reference, "outcome": d.outcome, "relied_on": d.relied_on, "covers": sorted(d.covers)}
            for d in given.reliance
        ],
    }


def _changes(previous: ScopeRecord | None, computed: RequiredSet, catalogue: TestCatalogue) -> dict[str, Any]:
    if previous is None:
        return {}
    before, after = set(previous.required), set(computed.required)
    reasons = {v.case_id: v.explanation for v in computed.verdicts}
    was = {v["case_id"]: v["explanation"] for v in previous.verdicts}
    return {
        "previous_sequence": previous.sequence,
        "previous_sha256": previous.sha256,
        "catalogue_changed": previous.catalogue_id != catalogue.pk,
        "added": [{"case_id": c, "why": reasons.get(c, "")} for c in sorted(after - before)],
        "removed": [{"case_id": c, "why": reasons.get(c, ""), "was": was.get(c, "")} for c in sorted(before - after)],
    }


def current_scope(case: QualificationCase) -> ScopeRecord | None:
    """The case's latest frozen scope, or None if it was never scoped (the case was fetched within scope)."""
    found: ScopeRecord | None = (
        ScopeRecord.objects.filter(case=case).select_related("catalogue").order_by("-sequence").first()
    )
    return found


@transaction.atomic
def scope_freeze(
    *, actor: Actor, case: QualificationCase, reason: str = "", body: str = "", catalogue: TestCatalogue | None = None
) -> ScopeRecord:
    """Compute and freeze the required set. The caller has checked the actor may confirm scope (the case step
    ``scope`` does); a re-scope records what moved and why. Idempotent in effect: freezing an unchanged set against
    the same catalogue returns the current record instead of adding one."""
    case = QualificationCase.objects.select_for_update().select_related("participation").get(pk=case.pk)
    catalogue, computed = scope_compute(case, catalogue)
    previous = current_scope(case)
    if previous is not None and previous.sha256 == computed.sha256 and previous.catalogue_id == catalogue.pk:
        return previous
    changes = _changes(previous, computed, catalogue)
    return _scope_record_save(
        actor=actor,
        case=case,
        previous=previous,
        catalogue=catalogue,
        required=list(computed.required),
        verdicts=[{**asdict(v), "minimum_sets": list(v.minimum_sets)} for v in computed.verdicts],
        inputs=_inputs_json(scope_inputs(case)),
        changes=changes,
        sha256=computed.sha256,
        reason=reason,
        body=body,
        audited={"added": len(changes.get("added", [])), "removed": len(changes.get("removed", []))},
    )


def _scope_record_save(
    *,
    actor: Actor,
    case: QualificationCase,
    previous: ScopeRecord | None,
    catalogue: TestCatalogue,
    required: list[str],
    verdicts: list[dict[str, Any]],
    inputs: dict[str, Any],
    sha256: str,
    reason: str,
    body: str,
    audited: dict[str, Any],
    changes: dict[str, Any] | None = None,
) -> ScopeRecord:
    """Record the next frozen scope of ``case`` after ``previous`` and audit it (``audited``: what the kind of
    freezing adds to the audit event's counts)."""
    record = ScopeRecord.objects.create(
        case=case,
        sequence=(previous.sequence + 1) if previous is not None else 1,
        catalogue=catalogue,
        required=required,
        verdicts=verdicts,
        inputs=inputs,
        changes=changes or {},
        sha256=sha256,
        reason=reason.strip()[:2000],
        confirmed_at=timezone.now(),
        confirmed_by_name=actor.display_name,
        confirmed_by_body=body,
    )
    audit_record(
        actor=actor,
        action="testing.scope_frozen",
        target=case,
        organisation_id=int(case.participation.organisation_id),
        changes={
            "sequence": record.sequence,
            "catalogue": catalogue.version,
            "sha256": record.sha256,
            "required": len(required),
            **audited,
        },
    )
    return record


def requalification_catalogue(first: QualificationCase) -> TestCatalogue | None:
    """The catalogue a re-qualification of ``first`` names its test cases from: the one the qualified case was scoped
    against, else the latest published."""
    scope = current_scope(first)
    return scope.catalogue if scope is not None else latest_published_catalogue()


@transaction.atomic
def scope_freeze_requalification(
    *, actor: Actor, case: QualificationCase, first: QualificationCase, named: list[str], reason: str, body: str = ""
) -> ScopeRecord | None:
    """Freeze a re-qualification case's required set: only the test cases the Code Bodies named after a disclosed
    change are in; every other case of the catalogue is out, carried over from the qualified case ``first``.

    The caller (the changes app, taking the case step ``open_requalification``) checked who may do it and that each
    named id is a case of ``requalification_catalogue(first)``. Nothing is frozen when no catalogue exists.
    """
    catalogue = requalification_catalogue(first)
    if catalogue is None:
        return None
    wanted = set(named)
    ids = list(
        CatalogueCase.objects.filter(catalogue=catalogue)
        .order_by("batch_position", "case_id")
        .values_list("case_id", flat=True)
    )
    verdicts: list[dict[str, Any]] = [
        {
            "case_id": case_id,
            "included": case_id in wanted,
            "reason": ScopeReason.REQUALIFICATION if case_id in wanted else ScopeReason.CARRIED_OVER,
            "explanation": (
                "In: named by the Code Bodies for re-qualification after a disclosed change."
                if case_id in wanted
                else f"Out: carried over from {first.reference}, which is qualified."
            ),
            "minimum_sets": [],
        }
        for case_id in ids
    ]
    required = sorted(case_id for case_id in ids if case_id in wanted)
    return _scope_record_save(
        actor=actor,
        case=case,
        previous=current_scope(case),
        catalogue=catalogue,
        required=required,
        verdicts=verdicts,
        inputs={"requalifies": first.reference, "named": sorted(wanted)},
        sha256=set_sha256(catalogue.version, required),
        reason=reason,
        body=body,
        audited={"requalifies": first.reference},
    )
