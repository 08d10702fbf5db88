from django.urls import path

from qualify.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.queue_view, name="queue"),
    path("cases/<str:key>/", views.case_view, name="case"),
    path("cases/<str:key>/outcomes/", views.outcome_view, name="outcome"),
    path("cases/<str:key>/queries/", views.query_raise_view, name="query_raise"),
    path("cases/<str:key>/findings/", views.finding_record_view, name="finding_record"),
    path("cases/<str:key>/reviewers/", views.assign_view, name="assign"),
    path("cases/<str:key>/recommendations/", views.recommend_view, name="recommend"),
    path("cases/<str:key>/reviews/", views.review_complete_view, name="review_complete"),
    path("cases/<str:key>/decisions/", views.decide_case_view, name="decide_case"),
    path("cases/<str:key>/activation/", views.activation_view, name="activation"),
    path("cases/<str:key>/activation/<str:item>/evidence/", views.activation_evidence_view, name="activation_evidence"),
    path("queries/", views.query_list_view, name="queries"),
    path("queries/export.<str:fmt>", views.query_export_view, name="queries_export"),
    path("queries/<str:key>/", views.query_view, name="query"),
    path("queries/<str:key>/answer/", views.query_answer_view, name="query_answer"),
    path("queries/<str:key>/follow-up/", views.query_follow_up_view, name="query_follow_up"),
    path("queries/<str:key>/close/", views.query_close_view, name="query_close"),
    path("findings/<str:key>/", views.finding_view, name="finding"),
    path("findings/<str:key>/steps/", views.finding_transition_view, name="finding_transition"),
    path("board/", views.board_view, name="board"),
    path("board/schedule/", views.meeting_schedule_view, name="meeting_schedule"),
    path("board/<str:key>/", views.meeting_view, name="meeting"),
    path("board/<str:key>/agenda/", views.agenda_add_view, name="agenda_add"),
    path("board/<str:key>/agenda/remove/", views.agenda_remove_view, name="agenda_remove"),
    path("board/<str:key>/decisions/", views.decide_view, name="decide"),
    path("board/<str:key>/pack.<str:fmt>", views.pack_view, name="pack"),
]
