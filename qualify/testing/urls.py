from django.urls import path

from qualify.testing.views import catalogue, results

app_name = "testing"
urlpatterns = [
    path("catalogues/", catalogue.catalogue_list_view, name="catalogues"),
    path("catalogues/upload/", catalogue.catalogue_upload_view, name="catalogue_upload"),
    path("catalogues/<str:version>/", catalogue.catalogue_detail_view, name="catalogue_detail"),
    path("catalogues/<str:version>/publish/", catalogue.catalogue_publish_view, name="catalogue_publish"),
]

# Results imports (views/results.py)
urlpatterns += [
    path("cases/<str:ref>/imports/", results.imports_view, name="imports"),
    path("cases/<str:ref>/imports/upload/", results.import_upload_view, name="import_upload"),
    path("cases/<str:ref>/imports/<str:key>/", results.import_detail_view, name="import_detail"),
    path("cases/<str:ref>/imports/<str:key>/apply/", results.import_apply_view, name="import_apply"),
]
