from django.urls import path

from qualify.testing.views import catalogue, prequalification, reliance, results, runs, scope

app_name = "testing"
urlpatterns = [
    path("catalogues/", catalogue.catalogue_list_view, name="catalogues"),
    path("catalogues/upload/", catalogue.catalogue_upload_view, name="catalogue_upload"),
    path("catalogues/<str:version>/", catalogue.catalogue_detail_view, name="catalogue_detail"),
    path("catalogues/<str:version>/publish/", catalogue.catalogue_publish_view, name="catalogue_publish"),
    # qt-runs: a case's runs, defects and assurance
    path("cases/<str:key>/", runs.case_testing_view, name="case"),
    path("cases/<str:key>/progress/", runs.progress_panel_view, name="progress_panel"),
    path("cases/<str:key>/assurance/", runs.bulk_assure_view, name="bulk_assure"),
    path("cases/<str:key>/tests/<str:test_case_id>/", runs.test_case_view, name="test_case"),
    path("cases/<str:key>/tests/<str:test_case_id>/runs/", runs.run_record_view, name="run_record"),
    path("cases/<str:key>/defects/", runs.defect_list_view, name="defects"),
    path("cases/<str:key>/defects/new/", runs.defect_record_view, name="defect_record"),
    path("runs/<str:uuid>/evidence/", runs.run_evidence_view, name="run_evidence"),
    path("runs/<str:uuid>/assurance/", runs.run_assure_view, name="run_assure"),
    path("defects/<str:key>/", runs.defect_view, name="defect"),
    path("defects/<str:key>/steps/", runs.defect_transition_view, name="defect_transition"),
    path("defects/<str:key>/work-off/", runs.defect_work_off_view, name="defect_work_off"),
    path("assurance/", runs.assurance_queue_view, name="assurance_queue"),
    path("assurance/dip/", runs.dip_queue_view, name="assurance_dip"),
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

# Results imports (views/results.py)
urlpatterns += [
    path("cases/<str:ref>/imports/", results.imports_view, name="imports"),
    path("cases/<str:ref>/imports/upload/", results.import_upload_view, name="import_upload"),
    path("cases/<str:ref>/imports/<str:key>/", results.import_detail_view, name="import_detail"),
    path("cases/<str:ref>/imports/<str:key>/apply/", results.import_apply_view, name="import_apply"),
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

from qualify.testing.views import gates  # noqa: E402  # each part of QT appends its own views

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
]
