from django.urls import path

from qualify.testing.views import catalogue

app_name = "testing"
urlpatterns = [
    path("catalogues/", catalogue.catalogue_list_view, name="catalogues"),
    path("catalogues/upload/", catalogue.catalogue_upload_view, name="catalogue_upload"),
    path("catalogues/<str:version>/", catalogue.catalogue_detail_view, name="catalogue_detail"),
    path("catalogues/<str:version>/publish/", catalogue.catalogue_publish_view, name="catalogue_publish"),
]

from qualify.testing.views import gates, progress  # noqa: E402  # each part of QT appends its own views

urlpatterns += [
    path("cases/<str:key>/gates/", gates.case_gates_view, name="case_gates"),
    path(
        "cases/<str:key>/prerequisites/<str:kind>/record/", gates.prerequisite_record_view, name="prerequisite_record"
    ),
    path(
        "cases/<str:key>/prerequisites/<str:kind>/accept/",
        gates.prerequisite_review_view,
        {"decision": "accept"},
        name="prerequisite_accept",
    ),
    path(
        "cases/<str:key>/prerequisites/<str:kind>/send-back/",
        gates.prerequisite_review_view,
        {"decision": "send_back"},
        name="prerequisite_send_back",
    ),
    path("cases/<str:key>/progress/", progress.progress_panel_view, name="progress_panel"),
]
