from django.urls import path

from qualify.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("findings/", views.findings_view, name="findings"),
    path("findings/export.<str:fmt>", views.findings_export_view, name="findings_export"),
    path("exports/<str:kind>.<str:fmt>", views.export_view, name="export"),
    path("reports/", views.report_list_view, name="reports"),
    path("reports/generate/", views.report_generate_view, name="report_generate"),
    path("reports/<str:key>/", views.report_view, name="report"),
    path("reports/<str:key>/download.<str:fmt>", views.report_download_view, name="report_download"),
]
