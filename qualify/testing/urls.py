from django.urls import path

from qualify.testing.views import catalogue

app_name = "testing"
urlpatterns = [
    path("catalogues/", catalogue.catalogue_list_view, name="catalogues"),
    path("catalogues/upload/", catalogue.catalogue_upload_view, name="catalogue_upload"),
    path("catalogues/<str:version>/", catalogue.catalogue_detail_view, name="catalogue_detail"),
    path("catalogues/<str:version>/publish/", catalogue.catalogue_publish_view, name="catalogue_publish"),
]

# The RTTM and the Test Completion Report (views/rttm.py, views/completion.py).
from qualify.testing.views import completion, rttm  # noqa: E402

urlpatterns += [
    path("cases/<str:key>/rttm/", rttm.rttm_view, name="rttm"),
    path("cases/<str:key>/rttm/export/", rttm.rttm_export_view, name="rttm_export"),
    path("cases/<str:key>/rttm/snapshots/", rttm.snapshot_list_view, name="rttm_snapshots"),
    path("cases/<str:key>/rttm/snapshots/take/", rttm.snapshot_take_view, name="rttm_snapshot_take"),
    path("cases/<str:key>/rttm/snapshots/<str:snapshot>/", rttm.snapshot_detail_view, name="rttm_snapshot"),
    path(
        "cases/<str:key>/rttm/snapshots/<str:snapshot>/export/",
        rttm.snapshot_export_view,
        name="rttm_snapshot_export",
    ),
    path("cases/<str:key>/rttm/compare/", rttm.compare_view, name="rttm_compare"),
    path("cases/<str:key>/completion-reports/", completion.report_list_view, name="completion_reports"),
    path("cases/<str:key>/completion-reports/generate/", completion.report_generate_view, name="completion_generate"),
    path(
        "cases/<str:key>/completion-reports/<str:report>/submit/",
        completion.report_submit_view,
        name="completion_submit",
    ),
]
