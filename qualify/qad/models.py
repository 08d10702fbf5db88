"""The Qualification Assessment Document as data (DOMAIN.md §5).

A ``QadVersion`` is one published questionnaire (sections and questions with stable ids), loaded from a file and
never changed once published. A case's ``QadResponse`` binds it to one published version; its answers and evidence
make up the working draft. A ``QadSubmission`` (Initial or Final) is a frozen, content-hashed snapshot of that draft,
its ``SubmissionBody`` rows say which bodies own its questions and how many, a ``DeclarationInvitation`` names the
director (or delegate) who is to declare, and a ``QadDeclaration`` is that person's own statement, made with their own
account, bound to one Final snapshot's hash.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from qualify.cases.models import QualificationCase
from qualify.core.models import PublicIdModel, TimestampedModel, VisibleQuerySet
from qualify.qad.choices import AnswerType, Body, DeclarationCapacity, SubmissionKind


class ImmutableError(RuntimeError):
    """Raised when code tries to change or remove something the QAD rules freeze."""


# --- the questionnaire -------------------------------------------------------------------------------------------


class QadVersionQuerySet(models.QuerySet["QadVersion"]):
    def published(self) -> QadVersionQuerySet:
        return self.filter(published_at__isnull=False)

    def update(self, **kwargs: Any) -> int:
        if self.filter(published_at__isnull=False).exists():
            raise ImmutableError("A published QAD version never changes.")
        return super().update(**kwargs)


class QadVersion(PublicIdModel):
    """One version of the QAD as the Code Bodies publish it (DOMAIN.md §5: "a versioned questionnaire").

    Loaded from a file (docs/qad-format.md) as a draft; once published it never changes: the model refuses updates
    and deletes of a published row, so what participants answered and directors signed keeps its wording.
    """

    version = models.CharField(max_length=20, unique=True, help_text='The published version id, e.g. "3.2".')
    title = models.CharField(max_length=200)
    document_status = models.CharField(max_length=40, blank=True, help_text="The status the file states.")
    source_name = models.CharField(max_length=200, blank=True)
    source_sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField(null=True, blank=True)
    loaded_by_name = models.CharField(max_length=200, blank=True)
    # The QAD is a governed artefact (DOMAIN.md §9): the library version it was consulted on and baselined as.
    artefact_version = models.ForeignKey(
        "library.ArtefactVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="qad_versions",
        help_text="The library version (same version id) this questionnaire was consulted on and baselined as.",
    )

    objects = QadVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "version"]

    def __str__(self) -> str:
        return f"QAD v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and QadVersion.objects.filter(pk=self.pk, published_at__isnull=False).exists():
            raise ImmutableError("A published QAD version never changes.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if QadVersion.objects.filter(pk=self.pk, published_at__isnull=False).exists():
            raise ImmutableError("A published QAD version cannot be removed.")
        return super().delete(*args, **kwargs)


class QadSection(models.Model):
    """A numbered section of a version, owned by one body (e.g. 4.5 belongs to the DIP Manager)."""

    version = models.ForeignKey(QadVersion, on_delete=models.CASCADE, related_name="sections")
    number = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    owner = models.CharField(max_length=8, choices=Body.choices)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "number"],
                name="qad_section_number_unique_in_version",
                violation_error_message="A section number appears once in a version.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("QAD sections are written once, when their version is loaded.")
        super().save(*args, **kwargs)


class QadQuestion(models.Model):
    """One question with its stable id (``Q-4.5.2``), answer type, evidence needs, owner and applicability.

    Applicability (DOMAIN.md §3, §5): the question applies to a case when the case's role is in ``roles``, its route
    in ``routes``, and none of its recorded exemptions is in ``excluded_by_exemptions``.
    """

    version = models.ForeignKey(QadVersion, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(QadSection, on_delete=models.CASCADE, related_name="questions")
    qid = models.CharField("question id", max_length=40)
    number = models.CharField(max_length=20)
    text = models.TextField()
    guidance = models.TextField(blank=True)
    answer_type = models.CharField(max_length=20, choices=AnswerType.choices)
    choices = models.JSONField(default=list, blank=True)
    columns = models.JSONField(default=list, blank=True)
    mandatory = models.BooleanField(default=True)
    evidence_required = models.BooleanField(default=False)
    evidence_kinds = models.JSONField(default=list, blank=True)
    owner = models.CharField(max_length=8, choices=Body.choices)
    roles = models.JSONField(default=list)
    routes = models.JSONField(default=list)
    excluded_by_exemptions = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "qid"],
                name="qad_question_id_unique_in_version",
                violation_error_message="A question id appears once in a version.",
            ),
            models.UniqueConstraint(
                fields=["version", "number"],
                name="qad_question_number_unique_in_version",
                violation_error_message="A question number appears once in a version.",
            ),
            models.CheckConstraint(
                condition=models.Q(answer_type__in=AnswerType.values), name="qad_question_answer_type_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.qid})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("QAD questions are written once, when their version is loaded.")
        super().save(*args, **kwargs)


# --- the working draft ---------------------------------------------------------------------------------------------


class ResponseQuerySet(VisibleQuerySet["QadResponse"]):
    organisation_path = "case__participation__organisation"


class QadResponse(PublicIdModel):
    """A case's QAD: bound to one published version, created when the case's QAD is first opened.

    ``revision`` goes up on every change to answers or evidence links, so a submission records exactly which draft
    it froze and a later change is visible as "changed since submission" (DOMAIN.md §5).
    """

    case = models.OneToOneField(QualificationCase, on_delete=models.PROTECT, related_name="qad_response")
    version = models.ForeignKey(QadVersion, on_delete=models.PROTECT, related_name="responses")
    revision = models.PositiveIntegerField(default=0)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["case"]

    def __str__(self) -> str:
        return f"QAD of {self.case.reference}"


class AnswerQuerySet(VisibleQuerySet["Answer"]):
    organisation_path = "response__case__participation__organisation"


class Answer(TimestampedModel):
    """The current answer to one question, keyed by the stable question id so it survives a version move.

    ``version`` counts saves: a save names the version it started from, and a save from a stale copy is refused
    instead of silently overwriting someone else's words.
    """

    response = models.ForeignKey(QadResponse, on_delete=models.CASCADE, related_name="answers")
    question_id = models.CharField(max_length=40)
    value = models.JSONField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by_name = models.CharField(max_length=200, blank=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        ordering = ["question_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question_id"],
                name="qad_answer_one_per_question",
                violation_error_message="A question has one current answer.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.question_id} v{self.version}"


class EvidenceQuerySet(VisibleQuerySet["EvidenceFile"]):
    organisation_path = "response__case__participation__organisation"


class EvidenceFile(PublicIdModel):
    """A file uploaded once as evidence and linkable to several questions (DOMAIN.md §5).

    Stored under a generated name, never served from MEDIA_URL; ``sha256`` is computed while it is copied to
    storage; ``evidence_as_of`` is the date the evidence speaks for, besides the upload time.
    """

    response = models.ForeignKey(QadResponse, on_delete=models.PROTECT, related_name="evidence")
    original_name = models.CharField(max_length=160)
    storage_name = models.CharField(max_length=300, unique=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_kind = models.CharField(max_length=10)
    evidence_as_of = models.DateField()
    uploaded_by_id = models.BigIntegerField(null=True, blank=True)
    uploaded_by_name = models.CharField(max_length=200)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gt=0), name="qad_evidence_not_empty"),
        ]

    def __str__(self) -> str:
        return self.original_name


class EvidenceLinkQuerySet(VisibleQuerySet["EvidenceLink"]):
    organisation_path = "response__case__participation__organisation"


class EvidenceLink(TimestampedModel):
    """One evidence file attached to one question of a response."""

    response = models.ForeignKey(QadResponse, on_delete=models.CASCADE, related_name="evidence_links")
    question_id = models.CharField(max_length=40)
    evidence = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="links")

    objects = EvidenceLinkQuerySet.as_manager()

    class Meta:
        ordering = ["question_id", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question_id", "evidence"],
                name="qad_evidence_linked_once_per_question",
                violation_error_message="This evidence is already attached to this question.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.evidence} → {self.question_id}"


# --- what was submitted and signed ----------------------------------------------------------------------------------


class FrozenQuerySet(VisibleQuerySet[Any]):
    organisation_path = "case__participation__organisation"

    def update(self, **kwargs: Any) -> NoReturn:
        raise ImmutableError("A submitted QAD and its declaration never change.")

    def delete(self) -> NoReturn:
        raise ImmutableError("A submitted QAD and its declaration are never removed.")


class SubmissionQuerySet(FrozenQuerySet):
    organisation_path = "case__participation__organisation"


class QadSubmission(PublicIdModel):
    """An Initial or Final QAD submission: a frozen snapshot of answers and evidence hashes (DOMAIN.md §5).

    ``content`` is the canonical JSON text that was hashed (kept as text, so the hash can be checked byte for byte
    whatever the database does to JSON); ``sha256`` is its hash. Nobody can edit or remove it: the model and its
    queryset refuse, and on PostgreSQL and SQLite a trigger refuses updates in the database too.
    """

    reference = models.CharField(max_length=16, unique=True, help_text="Human reference, e.g. QAD-000123.")
    case = models.ForeignKey(QualificationCase, on_delete=models.PROTECT, related_name="qad_submissions")
    response = models.ForeignKey(QadResponse, on_delete=models.PROTECT, related_name="submissions")
    kind = models.CharField(max_length=8, choices=SubmissionKind.choices)
    qad_version = models.CharField(max_length=20)
    response_revision = models.PositiveIntegerField()
    content = models.TextField()
    sha256 = models.CharField(max_length=64)
    submitted_by_id = models.BigIntegerField(null=True, blank=True)
    submitted_by_name = models.CharField(max_length=200)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=SubmissionKind.values), name="qad_submission_kind_known")
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()} of {self.case.reference}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("A submitted QAD never changes; submit again to change it.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ImmutableError("A submitted QAD is never removed.")


class SubmissionBodyQuerySet(VisibleQuerySet["SubmissionBody"]):
    organisation_path = "submission__case__participation__organisation"


class SubmissionBody(models.Model):
    """One body's share of a submission: the body owns ``questions`` of the questions frozen in it (DOMAIN.md §5, §6).

    Written with its submission, in the same transaction, from the same snapshot, and never changed: it is what the
    snapshot says about ownership, kept as rows so the Code Bodies' review queue, clocks and notices read who owns
    a submission without parsing every snapshot. A body that owns no submitted question has no row.
    """

    submission = models.ForeignKey(QadSubmission, on_delete=models.CASCADE, related_name="bodies")
    body = models.CharField(max_length=8, choices=Body.choices)
    questions = models.PositiveIntegerField(help_text="How many of the submitted questions the body owns.")

    objects = SubmissionBodyQuerySet.as_manager()

    class Meta:
        ordering = ["submission_id", "body"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "body"],
                name="qad_submission_body_once",
                violation_error_message="A body's share of a submission is recorded once.",
            ),
            models.CheckConstraint(
                condition=models.Q(questions__gt=0),
                name="qad_submission_body_owns_questions",
                violation_error_message="A body is recorded on a submission only if it owns one of its questions.",
            ),
            models.CheckConstraint(condition=models.Q(body__in=Body.values), name="qad_submission_body_known"),
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.questions} question(s) of submission {self.submission_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("A submission's owning bodies are written once, with the submission.")
        super().save(*args, **kwargs)


class InvitationQuerySet(VisibleQuerySet["DeclarationInvitation"]):
    organisation_path = "case__participation__organisation"


class DeclarationInvitation(PublicIdModel):
    """The lead's invitation to a named director (or, for roles governed by the REC alone, a delegate) to declare.

    DOMAIN.md §4 "signed": a company director declares in person, with their own account. Once the case's content is
    agreed the lead names the person by e-mail and capacity; the invitation names the Final snapshot to be declared
    on. Its link carries a secret of which only the SHA-256 is kept (``token_sha256``): single-use (the first account
    to accept it is bound to it), expiring (``expires_at``), and dead once cancelled, declared on, or once a newer
    Final submission supersedes the snapshot it names. Re-sending issues a new secret and a new expiry.
    """

    case = models.ForeignKey(QualificationCase, on_delete=models.PROTECT, related_name="declaration_invitations")
    submission = models.ForeignKey(QadSubmission, on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField(help_text="Where the invitation goes; the declarant's account has this address.")
    invitee_name = models.CharField(max_length=200, blank=True)
    capacity = models.CharField(max_length=10, choices=DeclarationCapacity.choices)
    token_sha256 = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    sent_count = models.PositiveIntegerField(default=1)
    invited_by_id = models.BigIntegerField(null=True, blank=True)
    invited_by_name = models.CharField(max_length=200)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by_name = models.CharField(max_length=200, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__in=DeclarationCapacity.values), name="qad_invitation_capacity_known"
            ),
            models.CheckConstraint(
                condition=~(models.Q(declared_at__isnull=False) & models.Q(cancelled_at__isnull=False)),
                name="qad_invitation_not_both_declared_and_cancelled",
                violation_error_message="An invitation is either declared on or cancelled, not both.",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation to {self.email} to declare on {self.submission.reference}"


class DeclarationQuerySet(FrozenQuerySet):
    organisation_path = "submission__case__participation__organisation"


class QadDeclaration(TimestampedModel):
    """A director's (or, for REC-only roles, a delegate's) own declaration on one Final QAD snapshot.

    Made in person by the invited ``signatory`` with their own account (DOMAIN.md §4 "signed"): it records that
    account, the capacity, the time (``created_at``) and the snapshot's hash (``snapshot_sha256``, equal to the
    submission's ``sha256``). It is void once a newer Final submission supersedes the snapshot it names (DOMAIN.md
    §5): it stays on record, shown as void, and no step counts it. ``name``, ``position`` and ``email`` are the
    signatory's as they stood when declaring.
    """

    submission = models.OneToOneField(QadSubmission, on_delete=models.PROTECT, related_name="declaration")
    snapshot_sha256 = models.CharField(max_length=64)
    capacity = models.CharField(max_length=10, choices=DeclarationCapacity.choices)
    name = models.CharField(max_length=200)
    position = models.CharField(max_length=200)
    email = models.EmailField()
    statement = models.TextField()
    recorded_by_id = models.BigIntegerField(null=True, blank=True)
    recorded_by_name = models.CharField(max_length=200)
    signatory = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The account that declared (empty only on declarations recorded before declarants signed in).",
    )
    invitation = models.ForeignKey(
        "DeclarationInvitation", on_delete=models.PROTECT, null=True, blank=True, related_name="declarations"
    )

    objects = DeclarationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__in=DeclarationCapacity.values), name="qad_declaration_capacity_known"
            )
        ]

    def __str__(self) -> str:
        return f"Declaration by {self.name} on {self.submission.reference}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("A declaration never changes; a new submission needs a new declaration.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ImmutableError("A declaration is never removed.")
