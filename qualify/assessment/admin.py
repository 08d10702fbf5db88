"""Read-only admin views of assessment records: every change goes through the services, so none is edited here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from qualify.assessment.models import BoardDecision, BoardMeeting, Finding, Query


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Query)
class QueryAdmin(ReadOnlyAdmin):
    list_display = ("reference", "case", "question_number", "body", "state", "response_due")
    list_filter = ("body", "state")


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("reference", "case", "title", "body", "state", "due_date")
    list_filter = ("body", "state")


@admin.register(BoardMeeting)
class BoardMeetingAdmin(ReadOnlyAdmin):
    list_display = ("reference", "body", "meets_on", "title")


@admin.register(BoardDecision)
class BoardDecisionAdmin(ReadOnlyAdmin):
    list_display = ("reference", "case", "body", "outcome", "effective_from", "decided_at")
