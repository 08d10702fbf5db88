from django.contrib import admin

from qualify.core.admin import ReadOnlyAdmin
from qualify.library.models import (
    Artefact,
    ArtefactVersion,
    Comment,
    Consultation,
    GovernanceApproval,
    NoCommentsConfirmation,
    QwgReport,
    VersionFile,
)


@admin.register(Artefact)
class ArtefactAdmin(ReadOnlyAdmin):
    list_display = ["document_number", "short_name", "theme", "subtype"]
    search_fields = ["document_number", "short_name", "title"]


@admin.register(ArtefactVersion)
class ArtefactVersionAdmin(ReadOnlyAdmin):
    list_display = ["artefact", "version", "sequence", "status"]
    list_filter = ["status"]


@admin.register(VersionFile)
class VersionFileAdmin(ReadOnlyAdmin):
    list_display = ["version", "kind", "file_type", "sha256", "size"]


@admin.register(GovernanceApproval)
class GovernanceApprovalAdmin(ReadOnlyAdmin):
    list_display = ["version", "body", "decision", "decided_on", "minutes_reference"]


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "opens_at", "closes_at", "reminder_sent_at", "comments_log"]


@admin.register(QwgReport)
class QwgReportAdmin(ReadOnlyAdmin):
    list_display = ["consultation", "reported_on", "minutes_reference", "reported_by_name"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["consultation", "organisation", "version", "clause_reference", "status", "outcome", "answered_for"]
    list_filter = ["status", "outcome", "answered_for"]


@admin.register(NoCommentsConfirmation)
class NoCommentsConfirmationAdmin(ReadOnlyAdmin):
    list_display = ["consultation", "organisation", "confirmed_at"]
