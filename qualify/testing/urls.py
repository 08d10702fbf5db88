from django.urls import path

from qualify.testing.views import catalogue, prequalification, reliance, scope

app_name = "testing"
urlpatterns = [
    path("catalogues/", catalogue.catalogue_list_view, name="catalogues"),
    path("catalogues/upload/", catalogue.catalogue_upload_view, name="catalogue_upload"),
    path("catalogues/<str:version>/", catalogue.catalogue_detail_view, name="catalogue_detail"),
    path("catalogues/<str:version>/publish/", catalogue.catalogue_publish_view, name="catalogue_publish"),
    # Pre-qualification, Placing Reliance and scoping (qt-scoping)
    path("cases/<str:key>/prequalification/", prequalification.prequalification_view, name="prequalification"),
    path(
        "cases/<str:key>/prequalification/submit/",
        prequalification.prequalification_submit_view,
        name="prequalification_submit",
    ),
    path("cases/<str:key>/reliance/", reliance.case_reliance_view, name="case_reliance"),
    path("cases/<str:key>/scope/", scope.case_scope_view, name="case_scope"),
    path("cases/<str:key>/scope/rescope/", scope.case_rescope_view, name="case_rescope"),
    path("reliance/providers/", reliance.reliance_providers_view, name="reliance_providers"),
    path("reliance/relying/", reliance.reliance_graph_view, name="reliance_graph"),
    path("reliance/<str:key>/", reliance.proposal_view, name="proposal"),
    path("reliance/<str:key>/evidence/", reliance.proposal_evidence_view, name="proposal_evidence"),
    path("reliance/<str:key>/propose/", reliance.proposal_propose_view, name="proposal_propose"),
    path("reliance/<str:key>/withdraw/", reliance.proposal_withdraw_view, name="proposal_withdraw"),
    path("reliance/<str:key>/decide/", reliance.proposal_decide_view, name="proposal_decide"),
]
