from django.urls import path

from qualify.qad import views

app_name = "qad"
urlpatterns = [
    path("versions/", views.version_list_view, name="versions"),
    path("versions/upload/", views.version_upload_view, name="version_upload"),
    path("versions/<str:version>/", views.version_detail_view, name="version_detail"),
    path("versions/<str:version>/publish/", views.version_publish_view, name="version_publish"),
    path("versions/<str:version>/questions.xlsx", views.version_xlsx_view, name="version_xlsx"),
    path("cases/<str:key>/", views.case_qad_view, name="case"),
    path("cases/<str:key>/sections/<str:number>/", views.section_view, name="section"),
    path("cases/<str:key>/answers/<str:qid>/", views.answer_view, name="answer"),
    path("cases/<str:key>/evidence/", views.evidence_upload_view, name="evidence_upload"),
    path("cases/<str:key>/evidence/link/", views.evidence_link_view, name="evidence_link"),
    path("cases/<str:key>/evidence/attach/", views.evidence_picker_view, name="evidence_picker"),
    path("cases/<str:key>/submit/", views.submit_view, name="submit"),
    path("cases/<str:key>/import/", views.import_view, name="import"),
    path("cases/<str:key>/version/", views.move_version_view, name="move_version"),
    path("cases/<str:key>/export.<str:fmt>", views.draft_export_view, name="draft_export"),
    path("evidence/<str:uuid>/", views.evidence_download_view, name="evidence_download"),
    path("submissions/<str:reference>/", views.submission_view, name="submission"),
    path("submissions/<str:reference>/evidence/<str:uuid>/", views.frozen_evidence_view, name="frozen_evidence"),
    path("cases/<str:key>/declaration/invite/", views.declaration_invite_view, name="declaration_invite"),
    path("invitations/<str:uuid>/cancel/", views.invitation_cancel_view, name="invitation_cancel"),
    path("invitations/<str:uuid>/resend/", views.invitation_resend_view, name="invitation_resend"),
    path("invitation/<str:token>/", views.invitation_view, name="invitation"),
    path("declarations/<str:uuid>/", views.declaration_view, name="declaration"),
    path("declarations/<str:uuid>/declare/", views.declaration_declare_view, name="declaration_declare"),
    path("submissions/<str:reference>/export.<str:fmt>", views.submission_export_view, name="submission_export"),
]
