from django.urls import path

from qualify.plan import views

app_name = "plan"
urlpatterns = [
    path("", views.plan_view, name="plan"),
    path("milestones/<str:code>/", views.milestone_detail, name="milestone"),
    path("milestones/<str:code>/move/", views.milestone_move_view, name="milestone_move"),
]
