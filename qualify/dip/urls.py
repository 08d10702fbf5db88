from django.urls import path

from qualify.dip import views

app_name = "dip"

urlpatterns = [
    path("", views.index, name="index"),
    path("specifications/", views.specification_upload, name="specification_upload"),
    path("specifications/<str:key>/", views.specification_detail, name="specification"),
    path("specifications/<str:key>/runs/", views.run_create, name="run_create"),
    path("runs/<str:key>/", views.run_detail, name="run"),
    path("runs/<str:key>/report.<str:fmt>", views.run_report, name="run_report"),
    path("runs/<str:key>/attach/", views.run_attach, name="run_attach"),
]
