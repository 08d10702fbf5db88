from django.urls import path

from qualify.participants import views

app_name = "participants"
urlpatterns = [
    path("", views.organisation_list_view, name="list"),
    path("<str:uuid>/", views.organisation_detail, name="detail"),
]
