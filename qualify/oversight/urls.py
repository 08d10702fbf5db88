from django.urls import path

from qualify.oversight import views

app_name = "oversight"
urlpatterns = [
    path("non-completion/", views.record_list_view, name="records"),
    path("non-completion/<str:reference>/", views.record_detail_view, name="record_detail"),
    path("non-completion/<str:reference>/decide/", views.record_decide_view, name="record_decide"),
    path("non-completion/<str:reference>/respond/", views.record_respond_view, name="record_respond"),
    path("back-scheduling/", views.backschedule_list_view, name="backschedule"),
    path("back-scheduling/<str:reference>/", views.backschedule_case_view, name="backschedule_case"),
]
