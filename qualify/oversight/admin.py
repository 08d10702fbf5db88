"""Read-only admin views of the oversight records (changes go through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from qualify.oversight.models import NonCompletionLadder, NonCompletionRecord, StepDecision


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NonCompletionLadder)
class LadderAdmin(ReadOnly):
    list_display = ("version", "title", "created_at", "loaded_by_name")


@admin.register(NonCompletionRecord)
class RecordAdmin(ReadOnly):
    list_display = ("reference", "case", "state", "step", "step_due", "opened_on")
    list_filter = ("state",)


@admin.register(StepDecision)
class DecisionAdmin(ReadOnly):
    list_display = ("record", "position", "step", "outcome", "actor_name", "at")
