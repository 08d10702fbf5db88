from django.urls import path

from qualify.gating import views

app_name = "gating"
urlpatterns = [
    path("", views.job_list_view, name="jobs"),
    path("jobs/", views.job_upload_view, name="job_upload"),
    path("events-example.csv", views.example_view, name="example"),
    path("jobs/<str:reference>/", views.job_detail_view, name="job"),
    path("jobs/<str:reference>/progress/", views.job_progress_view, name="job_progress"),
    path("jobs/<str:reference>/result/", views.job_result_view, name="job_result"),
]
