from django.urls import path

from qualify.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list_view, name="list"),
    path("cases/export.<str:fmt>", views.case_export_view, name="export"),
    path("cases/lifecycle/", views.lifecycle, name="lifecycle"),
    path("help/", views.help_index, name="help"),
    path("help/<slug:role>/", views.help_role, name="help_role"),
    path("cases/<str:key>/", views.case_detail, name="detail"),
    path("cases/<str:key>/transition/", views.case_transition_view, name="transition"),
    path("cases/<str:key>/wave/", views.case_assign_wave_view, name="assign_wave"),
]
