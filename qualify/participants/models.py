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
    """A recorded exemption decision and its scope, e.g. an advanced-only Supplier's smart-segment exemption."""

    participation = models.ForeignKey(MarketParticipation, on_delete=models.CASCADE, related_name="exemptions")
    kind = models.CharField(max_length=32, choices=ExemptionKind.choices)
    scope = models.TextField(help_text="What the exemption removes from scope.")
    decided_on = models.DateField()
    reference = models.CharField(max_length=100, blank=True, help_text="Decision or modification reference.")

    objects = ExemptionQuerySet.as_manager()

    class Meta:
        ordering = ["decided_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "kind"],
                name="exemption_one_per_kind",
                violation_error_message="This participation already has an exemption of this kind.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.participation}"
