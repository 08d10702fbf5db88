from django.urls import path

from qualify.library import views

app_name = "library"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.<str:fmt>", views.library_export_view, name="export"),
    path("manage/", views.manage, name="manage"),
    path("artefacts/<str:document_number>/", views.artefact_detail, name="artefact"),
    path("artefacts/<str:document_number>/versions/", views.version_add, name="version_add"),
    path("versions/<str:key>/", views.version_detail, name="version"),
    path("versions/<str:key>/files/<str:kind>/", views.download, name="download"),
    path("versions/<str:key>/approve/", views.version_approve_view, name="approve"),
    path("versions/<str:key>/decisions/", views.decision_record, name="decision"),
    path("consultations/", views.consultations, name="consultations"),
    path("consultations/new/", views.consultation_create, name="consultation_create"),
    path("consultations/<str:key>/", views.consultation_detail, name="consultation"),
    path("consultations/<str:key>/comments/", views.comment_add, name="comment_add"),
    path("consultations/<str:key>/no-comments/", views.no_comments, name="no_comments"),
    path("consultations/<str:key>/log/", views.log, name="log"),
    path("consultations/<str:key>/log.xlsx", views.log_export, name="log_export"),
    path("consultations/<str:key>/qwg-report/", views.qwg_report, name="qwg_report"),
    path("comments/<str:key>/", views.comment_edit, name="comment"),
    path("comments/<str:key>/submit/", views.comment_submit_view, name="comment_submit"),
    path("comments/<str:key>/answer/", views.answer, name="answer"),
]
