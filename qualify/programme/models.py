"""Invitations into a participant organisation, and the record of wave-deadline notices sent (issue 13)."""

from __future__ import annotations

from django.db import models

from qualify.cases.models import QualificationCase
from qualify.core import clock
from qualify.core.models import PublicIdModel, VisibleQuerySet
from qualify.core.roles import MembershipRole
from qualify.participants.models import Organisation
from qualify.plan.choices import DeadlineKind
from qualify.programme.choices import DeadlineNotice


class MembershipInvitationQuerySet(VisibleQuerySet["Invitation"]):
    organisation_path = "organisation"


class Invitation(PublicIdModel):
    """A one-time link, sent by e-mail, that lets a person set a password and join an organisation with a role.

    Only the SHA-256 digest of the secret is kept (the link is shown nowhere but in the e-mail); it expires, and it
    works once: accepting it stamps ``accepted_at`` under a row lock. A newer invitation to the same address and
    organisation withdraws the older one, so at most one link per person and organisation works at a time.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    full_name = models.CharField(max_length=200)
    role = models.CharField(max_length=16, choices=MembershipRole.choices)
    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    invited_by_id = models.BigIntegerField(null=True, blank=True)
    invited_by_name = models.CharField(max_length=200)

    objects = MembershipInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=MembershipRole.values),
                name="invitation_role_known",
                violation_error_message="An invitation names a known membership role.",
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True) | models.Q(withdrawn_at__isnull=True),
                name="invitation_accepted_or_withdrawn_not_both",
                violation_error_message="An invitation is either accepted or withdrawn, not both.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation} ({self.get_role_display()})"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.withdrawn_at:
            return "withdrawn"
        if self.expires_at <= clock.now():
            return "expired"
        return "pending"


class DeadlineNoticeSentQuerySet(VisibleQuerySet["DeadlineNoticeSent"]):
    organisation_path = "case__participation__organisation"


class DeadlineNoticeSent(models.Model):
    """One notice about one wave deadline of one case, recorded so the daily job sends it once.

    The due date is part of the key: a deadline that moves (or a case moved to another wave) earns new notices.
    """

    case = models.ForeignKey(QualificationCase, on_delete=models.CASCADE, related_name="deadline_notices")
    kind = models.CharField(max_length=32, choices=DeadlineKind.choices)
    due_on = models.DateField()
    notice = models.CharField(max_length=16, choices=DeadlineNotice.choices)
    sent_on = models.DateField()
    recipients = models.PositiveIntegerField(default=0)

    objects = DeadlineNoticeSentQuerySet.as_manager()

    class Meta:
        ordering = ["sent_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "due_on", "notice"],
                name="deadline_notice_once",
                violation_error_message="This notice was already sent for this deadline.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.kind} {self.due_on}: {self.notice}"
