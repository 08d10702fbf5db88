from django.contrib import admin

from qualify.core.admin import ReadOnlyAdmin
from qualify.dip.models import Specification, ValidationRun


@admin.register(Specification)
class SpecificationAdmin(ReadOnlyAdmin):
    list_display = ["title", "version", "organisation", "uploaded_by_name", "created_at"]


@admin.register(ValidationRun)
class ValidationRunAdmin(ReadOnlyAdmin):
    list_display = ["uuid", "specification", "organisation", "messages", "valid", "invalid", "created_at"]
