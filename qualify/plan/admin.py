from django.contrib import admin

from qualify.core.admin import ReadOnlyAdmin
from qualify.plan.models import Milestone, MilestoneDateChange, Wave, WaveDeadline


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "date", "meaning", "segments"]


@admin.register(MilestoneDateChange)
class MilestoneDateChangeAdmin(ReadOnlyAdmin):
    list_display = ["milestone", "old_date", "new_date", "change_request", "approved_on"]
    list_select_related = ["milestone"]


@admin.register(Wave)
class WaveAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "sequence"]


@admin.register(WaveDeadline)
class WaveDeadlineAdmin(ReadOnlyAdmin):
    list_display = ["wave", "kind", "date"]
    list_select_related = ["wave"]
