from django.contrib import admin

from qualify.core.admin import ReadOnlyAdmin
from qualify.participants.models import (
    DistributorId,
    Exemption,
    MarketParticipation,
    Membership,
    Organisation,
)


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "company_number", "contact_email"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role"]
    list_select_related = ["user", "organisation"]


@admin.register(MarketParticipation)
class MarketParticipationAdmin(ReadOnlyAdmin):
    list_display = ["mpid", "role", "route", "organisation", "is_new_entrant"]
    list_filter = ["role", "route", "is_new_entrant"]
    search_fields = ["mpid", "organisation__name"]
    list_select_related = ["organisation"]


@admin.register(DistributorId)
class DistributorIdAdmin(ReadOnlyAdmin):
    list_display = ["code", "participation"]
    list_select_related = ["participation"]


@admin.register(Exemption)
class ExemptionAdmin(ReadOnlyAdmin):
    list_display = ["participation", "kind", "decided_on", "reference"]
    list_select_related = ["participation"]
