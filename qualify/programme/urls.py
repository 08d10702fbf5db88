from django.urls import path

from qualify.programme import views

app_name = "programme"
urlpatterns = [
    path("", views.onboarding_home, name="home"),
    path("organisations/new/", views.organisation_new, name="organisation_new"),
    path("organisations/<str:uuid>/", views.organisation_view, name="organisation"),
    path("organisations/<str:uuid>/participations/", views.participation_add, name="participation_add"),
    path("organisations/<str:uuid>/cases/", views.case_open_view, name="case_open"),
    path("organisations/<str:uuid>/people/", views.people, name="people"),
    path("organisations/<str:uuid>/people/invite/", views.invite, name="invite"),
    path("organisations/<str:uuid>/people/<str:user_uuid>/role/", views.member_role, name="member_role"),
    path("participations/<str:uuid>/", views.participation_edit, name="participation"),
    path("invitations/<str:uuid>/withdraw/", views.invitation_withdraw_view, name="invitation_withdraw"),
    path("join/<str:secret>/", views.accept, name="accept"),
    path("onboarding/", views.bulk, name="bulk"),
    path("onboarding/apply/", views.bulk_apply, name="bulk_apply"),
    path("onboarding/template/", views.bulk_template, name="bulk_template"),
    path("waves/", views.waves, name="waves"),
    path("waves/new/", views.wave_new, name="wave_new"),
    path("waves/<str:code>/", views.wave_view, name="wave"),
    path("waves/<str:code>/move/", views.wave_move, name="wave_move"),
]
