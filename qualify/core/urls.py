from django.urls import path

from qualify.core import views

app_name = "core"
urlpatterns = [
    path("health/", views.health, name="health"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("glossary/", views.glossary, name="glossary"),
]
