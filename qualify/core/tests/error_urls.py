"""The site's URLs plus two views that fail, for the 500 page's tests (config/urls.py's handlers come along)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug, on purpose")


urlpatterns = [path("boom/", boom), path("api/v1/boom", boom), *urlpatterns]
