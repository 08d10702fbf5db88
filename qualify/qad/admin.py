"""Read-only admin for the QAD: staff look things up here; every change goes through services."""

from django.contrib import admin

from qualify.core.admin import ReadOnlyAdmin
from qualify.qad.models import (
    Answer,
    DeclarationInvitation,
    EvidenceFile,
    QadDeclaration,
    QadQuestion,
    QadResponse,
    QadSubmission,
    QadVersion,
    SubmissionBody,
)


@admin.register(QadVersion)
class QadVersionAdmin(ReadOnlyAdmin):
    list_display = ["version", "title", "document_status", "published_at"]


@admin.register(QadQuestion)
class QadQuestionAdmin(ReadOnlyAdmin):
    list_display = ["qid", "number", "version", "answer_type", "owner", "mandatory", "evidence_required"]
    list_filter = ["version", "owner", "answer_type"]
    list_select_related = ["version"]


@admin.register(QadResponse)
class QadResponseAdmin(ReadOnlyAdmin):
    list_display = ["case", "version", "revision"]
    list_select_related = ["case__participation", "version"]


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ["response", "question_id", "version", "updated_by_name", "updated_at"]
    list_select_related = ["response__case__participation"]


@admin.register(EvidenceFile)
class EvidenceFileAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "response", "size", "evidence_as_of", "uploaded_by_name", "created_at"]
    exclude = ["storage_name"]
    list_select_related = ["response__case__participation"]


@admin.register(QadSubmission)
class QadSubmissionAdmin(ReadOnlyAdmin):
    list_display = ["reference", "kind", "case", "qad_version", "sha256", "submitted_by_name", "created_at"]
    list_select_related = ["case__participation"]


@admin.register(SubmissionBody)
class SubmissionBodyAdmin(ReadOnlyAdmin):
    list_display = ["submission", "body", "questions"]
    list_filter = ["body"]
    list_select_related = ["submission__case"]


@admin.register(QadDeclaration)
class QadDeclarationAdmin(ReadOnlyAdmin):
    list_display = ["submission", "name", "position", "capacity", "signatory", "created_at"]
    list_select_related = ["submission__case__participation", "signatory"]


@admin.register(DeclarationInvitation)
class DeclarationInvitationAdmin(ReadOnlyAdmin):
    list_display = [
        "case",
        "submission",
        "email",
        "capacity",
        "expires_at",
        "accepted_at",
        "declared_at",
        "cancelled_at",
    ]
    list_select_related = ["case", "submission"]
    exclude = ["token_sha256"]
