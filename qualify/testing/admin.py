"""Read-only admin for the test catalogue: staff look things up here; every change goes through services."""

from django.contrib import admin

from qualify.core.admin import ReadOnlyAdmin
from qualify.testing.models import CatalogueCase, TestCatalogue


@admin.register(TestCatalogue)
class TestCatalogueAdmin(ReadOnlyAdmin):
    list_display = ["version", "title", "document_number", "case_count", "published_at"]


@admin.register(CatalogueCase)
class CatalogueCaseAdmin(ReadOnlyAdmin):
    list_display = ["case_id", "title", "catalogue", "batch"]
    list_filter = ["catalogue"]
