"""The document library: artefacts, their versions and files, consultations, comments and governance decisions.

DOMAIN.md §9: the Programme publishes artefacts (short name, document number ``MHHS-DEL`` + four digits or an older
``DELnnnn`` / ``DEL-nnn``, subtype, theme); each new version is consulted on (clean and red-lined copies, a closing
time in UK time); the Programme and the Code Bodies answer the comments in a consolidated comments log (itself an
artefact, one per consultation); the outcome is reported to QWG; the version is approved by QAG, then the REC and BSC
PABs, and then baselined.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from qualify.core.models import PublicIdModel, TimestampedModel, VisibleQuerySet
from qualify.library.choices import (
    PUBLISHED,
    RELEASED,
    AnsweringBody,
    CommentCategory,
    CommentOutcome,
    CommentStatus,
    ConsultationStatus,
    FileKind,
    FileType,
    GovernanceDecision,
    GoverningBody,
    VersionStatus,
)
from qualify.participants.models import Organisation

if TYPE_CHECKING:
    from qualify.core.actor import Actor

# Kept exactly as written: the older forms are other documents' real numbers, not typing mistakes to correct.
DOCUMENT_NUMBER_PATTERN = r"^(MHHS-DEL[0-9]{4}|DEL[0-9]{4}|DEL-[0-9]{3})$"
DOCUMENT_NUMBER_MESSAGE = (
    "A document number is MHHS-DEL followed by four digits (e.g. MHHS-DEL1234), or an older DEL1234 or DEL-123."
)
document_number_validator = RegexValidator(DOCUMENT_NUMBER_PATTERN, DOCUMENT_NUMBER_MESSAGE)
version_validator = RegexValidator(
    r"^[0-9]{1,3}\.[0-9]{1,3}$", "A version is a number with one point, e.g. 0.2, 3.0 or 3.01."
)


def default_required_bodies() -> list[str]:
    return list(GoverningBody.values)


def released_to(actor: Actor) -> frozenset[str]:
    """The version statuses a non-staff actor may see: the papers released to the market for a signed-in person, the
    published record for anyone else (the public, and a machine client, which reads the public library only)."""
    return RELEASED if actor.is_authenticated and not actor.is_machine else PUBLISHED


class ArtefactQuerySet(models.QuerySet["Artefact"]):
    def visible_to(self, actor: Actor) -> Self:
        """Staff see every artefact; others see the artefacts that have a version they may see."""
        if actor.is_authenticated and actor.sees_everything:
            return self.all()
        return self.filter(pk__in=ArtefactVersion.objects.filter(status__in=released_to(actor)).values("artefact_id"))


class Artefact(PublicIdModel):
    """A governed document the Programme publishes; one document number carries many versions (DOMAIN.md §9).

    ``required_bodies`` lists the governance bodies whose approval baselines a version (QAG, BSC PAB, REC PAB by
    default): which bodies approve which document is data, not code. It is empty only for a consolidated comments
    log, a supporting document the Programme publishes without governance approval.
    """

    document_number = models.CharField(max_length=16, unique=True, validators=[document_number_validator])
    short_name = models.CharField(max_length=80)
    title = models.CharField(max_length=300, blank=True)
    subtype = models.CharField(max_length=80, blank=True, help_text="e.g. Approach document, Annex, Catalogue.")
    theme = models.CharField(max_length=80, help_text="The heading it is listed under, e.g. Qualification.")
    required_bodies = models.JSONField(default=default_required_bodies)

    objects = ArtefactQuerySet.as_manager()

    class Meta:
        ordering = ["theme", "short_name"]

    def __str__(self) -> str:
        return f"{self.document_number} {self.short_name}"

    @property
    def required_body_labels(self) -> list[str]:
        labels = dict(GoverningBody.choices)
        return [str(labels.get(b, b)) for b in self.required_bodies]


class ArtefactVersionQuerySet(models.QuerySet["ArtefactVersion"]):
    def visible_to(self, actor: Actor) -> Self:
        """Anyone: baselined and superseded versions. Signed-in people: also those in consultation or approved.
        Staff: drafts as well. A machine client: the published ones, as the public."""
        if actor.is_authenticated and actor.sees_everything:
            return self.all()
        return self.filter(status__in=released_to(actor))


class ArtefactVersion(PublicIdModel):
    """One version of an artefact (e.g. 0.2, 3.0, 3.01) with its files, release notes and status.

    Version strings do not sort reliably (is 3.01 before 3.1?), so each version carries an explicit ``sequence``
    within its artefact. Status moves only through the ``artefact_version`` workflow; at most one version of an
    artefact is baselined at a time.
    """

    artefact = models.ForeignKey(Artefact, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=8, validators=[version_validator])
    sequence = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    release_notes = models.TextField(blank=True)
    created_by_name = models.CharField(max_length=200, blank=True)

    objects = ArtefactVersionQuerySet.as_manager()

    class Meta:
        ordering = ["artefact", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["artefact", "version"],
                name="artefact_version_unique_number",
                violation_error_message="This artefact already has this version.",
            ),
            models.UniqueConstraint(
                fields=["artefact", "sequence"],
                name="artefact_version_unique_sequence",
                violation_error_message="Two versions of one artefact cannot share a place in its sequence.",
            ),
            models.UniqueConstraint(
                fields=["artefact"],
                condition=models.Q(status=VersionStatus.BASELINED),
                name="artefact_version_one_baseline",
                violation_error_message="An artefact has at most one baselined version.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=VersionStatus.values), name="artefact_version_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.artefact.document_number} v{self.version}"


class VersionFile(TimestampedModel):
    """A version's clean or red-lined copy: kept under a generated name, with its SHA-256 to prove what was published.

    Only PDF, Word and Excel files are accepted, recognised by their content rather than their name.
    """

    version = models.ForeignKey(ArtefactVersion, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=8, choices=FileKind.choices)
    file = models.FileField(max_length=300)
    file_type = models.CharField(max_length=4, choices=FileType.choices)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    uploaded_by_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "kind"],
                name="version_file_one_per_kind",
                violation_error_message="A version has one clean and one red-lined copy.",
            ),
            models.CheckConstraint(condition=models.Q(kind__in=FileKind.values), name="version_file_kind_known"),
            models.CheckConstraint(condition=models.Q(file_type__in=FileType.values), name="version_file_type_allowed"),
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.get_kind_display()} ({self.file_type})"


class VersionTransition(models.Model):
    """Who moved a version, when, from what to what. Written by the workflow engine only."""

    version = models.ForeignKey(ArtefactVersion, on_delete=models.CASCADE, related_name="transitions")
    name = models.CharField(max_length=40)
    from_status = models.CharField(max_length=16, choices=VersionStatus.choices)
    to_status = models.CharField(max_length=16, choices=VersionStatus.choices)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=200)
    comment = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.version}: {self.from_status} → {self.to_status}"


class GovernanceApproval(models.Model):
    """One governance body's decision on a version (QAG, BSC PAB, REC PAB): date, decision, minutes reference.

    A body may decide more than once (defer, then approve); its latest decision counts.
    """

    version = models.ForeignKey(ArtefactVersion, on_delete=models.CASCADE, related_name="approvals")
    body = models.CharField(max_length=8, choices=GoverningBody.choices)
    decision = models.CharField(max_length=8, choices=GovernanceDecision.choices)
    decided_on = models.DateField()
    minutes_reference = models.CharField(max_length=120)
    recorded_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    recorded_by_name = models.CharField(max_length=200)

    class Meta:
        ordering = ["decided_on", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(body__in=GoverningBody.values), name="approval_body_known"),
            models.CheckConstraint(
                condition=models.Q(decision__in=GovernanceDecision.values), name="approval_decision_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.body} {self.decision} on {self.decided_on}"


class ConsultationQuerySet(models.QuerySet["Consultation"]):
    def visible_to(self, actor: Actor) -> Self:
        """Consultations are open to every signed-in participant and to staff (not to a machine client)."""
        return self.all() if actor.is_authenticated and not actor.is_machine else self.none()


class Consultation(PublicIdModel):
    """A consultation on one or more artefact versions, open from ``opens_at`` until (not including) ``closes_at``.

    Both are aware datetimes entered as UK local dates and times (closing typically 17:00 UK time, DOMAIN.md §9).
    Whether it is open is derived from the clock, never stored.
    """

    reference = models.CharField(max_length=12, unique=True, help_text="Human reference, e.g. CON-0007.")
    title = models.CharField(max_length=200)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    versions = models.ManyToManyField(ArtefactVersion, related_name="consultations")
    opened_by_name = models.CharField(max_length=200, blank=True)
    reminder_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the one-week-before-close reminder went out (sent once)."
    )
    comments_log = models.OneToOneField(
        Artefact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="logged_consultation",
        help_text="The consultation's consolidated comments log: an artefact with its own document number.",
    )

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="consultation_closes_after_it_opens",
                violation_error_message="A consultation must close after it opens.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def status_at(self, now: dt.datetime) -> ConsultationStatus:
        """Open from the opening instant up to, but not including, the closing instant."""
        if now < self.opens_at:
            return ConsultationStatus.UPCOMING
        if now < self.closes_at:
            return ConsultationStatus.OPEN
        return ConsultationStatus.CLOSED


class QwgReport(models.Model):
    """The outcome of a consultation reported to the working group (QWG): the meeting's date, its minutes reference,
    and who recorded it.

    DOMAIN.md §9: the comments are answered, the outcome is reported to QWG, and only then do QAG and the PABs decide.
    One per consultation; recording it publishes the consultation's consolidated comments log and puts the versions
    consulted on before governance.
    """

    consultation = models.OneToOneField(Consultation, on_delete=models.PROTECT, related_name="qwg_report")
    reported_on = models.DateField()
    minutes_reference = models.CharField(max_length=120)
    recorded_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    reported_by_name = models.CharField(max_length=200)

    class Meta:
        verbose_name = "QWG report"

    def __str__(self) -> str:
        return f"{self.consultation.reference} reported to QWG on {self.reported_on} ({self.minutes_reference})"


class NoCommentsQuerySet(VisibleQuerySet["NoCommentsConfirmation"]):
    organisation_path = "organisation"


class NoCommentsConfirmation(models.Model):
    """A respondent's confirmation that it reviewed the consultation's papers and has no comments (DOMAIN.md §9)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="no_comment_confirmations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    confirmed_by_name = models.CharField(max_length=200)
    confirmed_at = models.DateTimeField()

    objects = NoCommentsQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "organisation"],
                name="no_comments_once_per_organisation",
                violation_error_message="This organisation has already confirmed it has no comments.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} reviewed {self.consultation.reference}: no comments"


class CommentQuerySet(VisibleQuerySet["Comment"]):
    organisation_path = "organisation"

    def visible_to(self, actor: Actor) -> Self:
        """A participant's people see their organisation's comments, drafts included; staff see submitted ones only.

        A draft is the respondent's working paper: nobody outside the organisation sees it until it is submitted.
        """
        if actor.is_authenticated and actor.sees_everything:
            return self.filter(status=CommentStatus.SUBMITTED)
        return super().visible_to(actor)


class Comment(PublicIdModel):
    """A respondent's comment on one artefact version in a consultation, and the answer to it.

    The respondent gives the section (clause reference), the comment, a proposed change, a category, and whether it
    is content to be named in the published log. The Programme or a Code Body (DOMAIN.md §9) answers with a response,
    an outcome and the resulting change, and the answer records who gave it and for which body; together these are a
    row of the consolidated comments log. Status moves only through the ``consultation_comment`` workflow.
    """

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="comments")
    version = models.ForeignKey(ArtefactVersion, on_delete=models.PROTECT, related_name="comments")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="consultation_comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    author_name = models.CharField(max_length=200)
    clause_reference = models.CharField(max_length=80)
    text = models.TextField("comment")
    proposed_change = models.TextField(blank=True)
    category = models.CharField(max_length=16, choices=CommentCategory.choices)
    publish_with_name = models.BooleanField(
        default=False, help_text="The respondent is content for the published log to show its name."
    )
    status = models.CharField(max_length=12, choices=CommentStatus.choices, default=CommentStatus.DRAFT)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=CommentOutcome.choices, blank=True)
    resulting_change = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_by_name = models.CharField(max_length=200, blank=True)
    answered_for = models.CharField(
        max_length=12, choices=AnsweringBody.choices, blank=True, help_text="The body the answer was given for."
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=CommentStatus.values), name="comment_status_known"),
            models.CheckConstraint(
                condition=models.Q(category__in=CommentCategory.values), name="comment_category_known"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="") | models.Q(outcome__in=CommentOutcome.values),
                name="comment_outcome_known",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="") | models.Q(status=CommentStatus.SUBMITTED),
                name="comment_answered_only_when_submitted",
                violation_error_message="Only a submitted comment can be answered.",
            ),
            models.CheckConstraint(
                condition=models.Q(answered_for="") | models.Q(answered_for__in=AnsweringBody.values),
                name="comment_answered_for_known",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="") | ~models.Q(answered_for=""),
                name="comment_answer_names_its_body",
                violation_error_message="An answer records the body it was given for.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} on {self.version} §{self.clause_reference}"

    @property
    def is_answered(self) -> bool:
        return bool(self.outcome)
