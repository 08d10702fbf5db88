"""Pre-qualification, Placing Reliance and the frozen scope of a case (DOMAIN.md §3, §4, §10a; QA&P Annexes 1 to 3).

Every row reaches its organisation through its case, so ``visible_to(actor)`` scopes it like the case itself.
"""

from __future__ import annotations

from django.db import models

from qualify.cases.models import QualificationCase
from qualify.core.models import PublicIdModel, TimestampedModel, VisibleQuerySet
from qualify.plan.models import Wave
from qualify.qad.choices import Body
from qualify.qad.models import EvidenceFile
from qualify.testing.choices import PrequalState, ProposalState, RelianceOutcome, ReliedOnKind
from qualify.testing.models.catalogue import TestCatalogue

CASE_ORG = "case__participation__organisation"


class PreQualificationQuerySet(VisibleQuerySet["PreQualification"]):
    organisation_path = CASE_ORG


class PreQualification(TimestampedModel):
    """What the published pre-qualification form asks a non-SIT participant (DOMAIN.md §10a).

    One per case, edited by the participant's lead while a draft and frozen when submitted with the case step
    ``submit_prequalification``. ``intended_operation_date`` is when a new-entrant LDSO means to start operating;
    Annex 3 is open only between M10 and M14 (testing/eligibility.py).
    """

    case = models.OneToOneField(QualificationCase, on_delete=models.CASCADE, related_name="prequalification")
    preferred_wave = models.ForeignKey(Wave, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    pit_approach = models.TextField(blank=True, help_text="How the participant will run Pre-Integration Testing.")
    pit_start = models.DateField(null=True, blank=True)
    pit_completion = models.DateField(null=True, blank=True)
    qt_ready = models.DateField(null=True, blank=True, help_text="When it expects to be ready to enter QT.")
    target_migration_date = models.DateField(null=True, blank=True)
    intended_operation_date = models.DateField(null=True, blank=True)
    optional_functions_not_sought = models.JSONField(default=list, blank=True, help_text="Catalogue codes.")
    state = models.CharField(max_length=12, choices=PrequalState.choices, default=PrequalState.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by_name = models.CharField(max_length=200, blank=True)

    objects = PreQualificationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=PrequalState.values), name="prequal_state_known"),
            models.CheckConstraint(
                condition=models.Q(pit_completion__isnull=True)
                | models.Q(pit_start__isnull=True)
                | models.Q(pit_completion__gte=models.F("pit_start")),
                name="prequal_pit_ends_after_it_starts",
                violation_error_message="PIT cannot complete before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"Pre-qualification of {self.case.reference}"


class RelianceProposalQuerySet(VisibleQuerySet["RelianceProposal"]):
    organisation_path = CASE_ORG


class RelianceProposal(PublicIdModel):
    """A Placing Reliance proposal: the party relied on, what it covers, and the evidence (DOMAIN.md §3).

    ``covers`` holds test case ids (``QT-093``) and requirement references. ``bodies`` are the Code Bodies it goes
    to (both BSC and REC for a new-entrant LDSO); once each has decided, ``outcome`` and ``accepted_covers`` hold the
    combined result the required set uses.
    """

    reference = models.CharField(max_length=16, unique=True, help_text="Human reference, e.g. PRP-000123.")
    case = models.ForeignKey(QualificationCase, on_delete=models.PROTECT, related_name="reliance_proposals")
    relied_on_name = models.CharField(max_length=200)
    relied_on_mpid = models.CharField(max_length=4, blank=True, help_text="Where the party relied on has one.")
    relied_on_kind = models.CharField(max_length=20, choices=ReliedOnKind.choices)
    covers = models.JSONField(default=list)
    description = models.TextField(blank=True)
    evidence = models.ManyToManyField(EvidenceFile, blank=True, related_name="+")
    bodies = models.JSONField(default=list, help_text="The Code Bodies that decide it.")
    state = models.CharField(max_length=12, choices=ProposalState.choices, default=ProposalState.DRAFT)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=RelianceOutcome.choices, blank=True)
    accepted_covers = models.JSONField(default=list, blank=True)
    proposed_by_name = models.CharField(max_length=200, blank=True)

    objects = RelianceProposalQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=ProposalState.values), name="proposal_state_known"),
        ]
        indexes = [models.Index(fields=["relied_on_name"], name="proposal_relied_on")]

    def __str__(self) -> str:
        return f"{self.reference} reliance on {self.relied_on_name}"


class RelianceDecisionQuerySet(VisibleQuerySet["RelianceDecisionRecord"]):
    organisation_path = "proposal__case__participation__organisation"


class RelianceDecisionRecord(models.Model):
    """One Code Body's decision on a proposal: accepted, partly accepted (naming what) or refused, with reasons."""

    proposal = models.ForeignKey(RelianceProposal, on_delete=models.CASCADE, related_name="decisions")
    body = models.CharField(max_length=8, choices=Body.choices)
    outcome = models.CharField(max_length=16, choices=RelianceOutcome.choices)
    accepted_covers = models.JSONField(default=list, blank=True)
    reasons = models.TextField()
    decided_at = models.DateTimeField()
    decided_by_name = models.CharField(max_length=200)

    objects = RelianceDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "body"],
                name="reliance_decided_once_per_body",
                violation_error_message="Each Code Body decides a reliance proposal once.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.body} {self.outcome} on {self.proposal.reference}"


class ScopeRecordQuerySet(VisibleQuerySet["ScopeRecord"]):
    organisation_path = CASE_ORG


class ScopeRecord(models.Model):
    """The required test set frozen when the Code Bodies confirm scope (DOMAIN.md §4 "scoped").

    Append-only: each scoping (and re-scope) adds a row with the next ``sequence``; the latest is the case's scope.
    ``inputs`` are what decided it (role, route, exemptions, optional functions not sought, reliance decisions),
    ``verdicts`` every catalogue case with why it is in or out (testing/scope.py), ``changes`` what moved since the
    previous record.
    """

    case = models.ForeignKey(QualificationCase, on_delete=models.PROTECT, related_name="scope_records")
    sequence = models.PositiveIntegerField()
    catalogue = models.ForeignKey(TestCatalogue, on_delete=models.PROTECT, related_name="scope_records")
    required = models.JSONField(default=list)
    verdicts = models.JSONField(default=list)
    inputs = models.JSONField(default=dict)
    changes = models.JSONField(default=dict, blank=True)
    sha256 = models.CharField(max_length=64)
    reason = models.TextField(blank=True)
    confirmed_at = models.DateTimeField()
    confirmed_by_name = models.CharField(max_length=200)
    confirmed_by_body = models.CharField(max_length=8, choices=Body.choices, blank=True)

    objects = ScopeRecordQuerySet.as_manager()

    class Meta:
        ordering = ["case", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "sequence"],
                name="scope_record_sequence_unique",
                violation_error_message="A case's scope records are numbered once each.",
            )
        ]

    def __str__(self) -> str:
        return f"Scope {self.sequence} of {self.case.reference}"
