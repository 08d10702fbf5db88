from django.urls import path

from qualify.participants import views

app_name = "participants"
urlpatterns = [
    path("", views.organisation_list_view, name="list"),
    path("export.<str:fmt>", views.organisation_export_view, name="export"),
    path("<str:uuid>/", views.organisation_detail, name="detail"),
    path("<str:uuid>/exemptions/", views.exemption_decide_view, name="exemption_decide"),
    path("<str:uuid>/exemptions/derogation/", views.derogation_view, name="derogation"),
]
