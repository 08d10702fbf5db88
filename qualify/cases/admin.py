from django.contrib import admin

from qualify.cases.models import CaseTransition, QualificationCase
from qualify.core.admin import ReadOnlyAdmin


@admin.register(QualificationCase)
class QualificationCaseAdmin(ReadOnlyAdmin):
    list_display = ["reference", "participation", "wave", "state", "state_changed_at"]
    list_filter = ["state", "wave", "participation__role"]
    search_fields = ["reference", "participation__mpid", "participation__organisation__name"]
    list_select_related = ["participation__organisation", "wave"]


@admin.register(CaseTransition)
class CaseTransitionAdmin(ReadOnlyAdmin):
    list_display = ["case", "from_state", "to_state", "actor_name", "at"]
    list_select_related = ["case"]
