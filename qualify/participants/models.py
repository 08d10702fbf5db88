"""Participant organisations, the people in them, and their market participations (DOMAIN.md §2, §3)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from qualify.core.models import PublicIdModel, TimestampedModel, VisibleQuerySet
from qualify.core.roles import MembershipRole
from qualify.participants.choices import ExemptionKind, MarketRole, Route

mpid_validator = RegexValidator(r"^[A-Z0-9]{4}$", "An MPID is four capital letters or digits, e.g. NWEN.")
distributor_id_validator = RegexValidator(r"^[0-9]{2}$", "A distributor id is two digits, e.g. 10 or 24.")


class OrganisationQuerySet(VisibleQuerySet["Organisation"]):
    organisation_path = ""


class Organisation(PublicIdModel):
    """A company that qualifies one or more market roles. Its people see only its own data."""

    name = models.CharField(max_length=200, unique=True)
    company_number = models.CharField(max_length=20, blank=True, help_text="Companies House number.")
    contact_email = models.EmailField(blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(VisibleQuerySet["Membership"]):
    organisation_path = "organisation"


class Membership(TimestampedModel):
    """A person's role inside one participant organisation: lead, contributor or viewer."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=MembershipRole.choices)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                name="membership_one_per_person_and_organisation",
                violation_error_message="This person is already a member of this organisation.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.organisation}"


class ParticipationQuerySet(VisibleQuerySet["MarketParticipation"]):
    organisation_path = "organisation"


class MarketParticipation(PublicIdModel):
    """One market role held under one MPID; each (MPID, role) qualifies separately (DOMAIN.md §2)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="participations")
    mpid = models.CharField("MPID", max_length=4, validators=[mpid_validator])
    role = models.CharField(max_length=8, choices=MarketRole.choices)
    route = models.CharField(max_length=16, choices=Route.choices, default=Route.QT)
    is_new_entrant = models.BooleanField(default=False)
    # A change the participant disclosed after qualifying, while the Code Bodies assess it or it is re-qualified:
    # the status stands meanwhile, and the register shows the disclosure beside it. Kept here, written by the changes
    # app, so the register's in-memory copy carries it from the rows it already reads (no query on the hot read).
    change_disclosed_on = models.DateField(
        null=True, blank=True, help_text="When the change still being assessed (or re-qualified) was disclosed."
    )
    change_status = models.CharField(
        max_length=60, blank=True, help_text="Where that change stands, in words (e.g. under assessment)."
    )

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        ordering = ["mpid", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["mpid", "role"],
                name="participation_unique_mpid_role",
                violation_error_message="This MPID already holds this role.",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=MarketRole.values),
                name="participation_role_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mpid} {self.get_role_display()}"


class DistributorIdQuerySet(VisibleQuerySet["DistributorId"]):
    organisation_path = "participation__organisation"


class DistributorId(models.Model):
    """A distributor id (the first two digits of an MPAN) held by an LDSO participation (DOMAIN.md §8)."""

    participation = models.ForeignKey(MarketParticipation, on_delete=models.CASCADE, related_name="distributor_ids")
    code = models.CharField(max_length=2, unique=True, validators=[distributor_id_validator])

    objects = DistributorIdQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ExemptionQuerySet(VisibleQuerySet["Exemption"]):
    organisation_path = "participation__organisation"


class Exemption(TimestampedModel):
    """An exemption is a decision (DOMAIN.md §3): the BSC PAB's, with the matching REC derogation, each recorded
    with its date and scope, e.g. an advanced-only Supplier's smart-segment exemption (BSC modification P476).

    The row exists from the BSC PAB's decision (``decided_on``, ``scope``, ``reference``, recorded by a BSC PAB
    member); from then on it scopes the case (QAD applicability, tests). The REC derogation (``derogation_*``,
    recorded by a REC decision-maker) completes it; until then it shows as awaiting the REC derogation.
    """

    participation = models.ForeignKey(MarketParticipation, on_delete=models.CASCADE, related_name="exemptions")
    kind = models.CharField(max_length=32, choices=ExemptionKind.choices)
    scope = models.TextField(help_text="What the BSC PAB's decision removes from scope.")
    decided_on = models.DateField(help_text="The date of the BSC PAB's decision.")
    reference = models.CharField(
        max_length=100, blank=True, help_text="The BSC PAB decision or modification reference."
    )
    decided_by_id = models.BigIntegerField(null=True, blank=True)
    decided_by_name = models.CharField(max_length=200, blank=True)
    derogation_on = models.DateField(null=True, blank=True, help_text="The date of the matching REC derogation.")
    derogation_scope = models.TextField(blank=True, help_text="What the REC derogation covers.")
    derogation_reference = models.CharField(max_length=100, blank=True, help_text="The REC derogation reference.")
    derogation_by_id = models.BigIntegerField(null=True, blank=True)
    derogation_by_name = models.CharField(max_length=200, blank=True)

    objects = ExemptionQuerySet.as_manager()

    class Meta:
        ordering = ["decided_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "kind"],
                name="exemption_one_per_kind",
                violation_error_message="This participation already has an exemption of this kind.",
            ),
            models.CheckConstraint(
                condition=models.Q(derogation_on__isnull=True) | ~models.Q(derogation_scope=""),
                name="exemption_derogation_has_scope",
                violation_error_message="A REC derogation states its scope.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.participation}"

    @property
    def has_derogation(self) -> bool:
        return self.derogation_on is not None
