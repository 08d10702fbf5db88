"""The API alone, as a URLconf: ``qualify/register/hot.py`` hands the requests it does not answer itself to the
API operation through it."""

from django.urls import path

from config.api import api

urlpatterns = [path("api/v1/", api.urls)]
