from django.contrib import admin

from qualify.changes.models import ChangeAssessment, ChangeDisclosure
from qualify.core.admin import ReadOnlyAdmin


@admin.register(ChangeDisclosure)
class ChangeDisclosureAdmin(ReadOnlyAdmin):
    list_display = ("reference", "case", "kind", "effective_on", "state")


@admin.register(ChangeAssessment)
class ChangeAssessmentAdmin(ReadOnlyAdmin):
    list_display = ("disclosure", "body", "requalification_needed", "assessed_at")
