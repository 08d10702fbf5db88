from django.urls import path

from qualify.changes import views

app_name = "changes"
urlpatterns = [
    path("", views.queue_view, name="queue"),
    path("cases/<str:key>/", views.case_view, name="case"),
    path("cases/<str:key>/disclose/", views.disclose_view, name="disclose"),
    path("<str:reference>/", views.detail_view, name="detail"),
    path("<str:reference>/assess/", views.assess_view, name="assess"),
    path("<str:reference>/withdraw/", views.withdraw_view, name="withdraw"),
]
