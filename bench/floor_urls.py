"""The product's URLs plus ``/bench/floor``: the cheapest JSON answer Django can give through the full middleware.

Only bench/floor_settings.py points at this module; the product's URLconf (config/urls.py) is untouched.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from config.urls import urlpatterns as product_urlpatterns


def floor(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"floor": True, "on": request.GET.get("on", "")})


urlpatterns = [path("bench/floor", floor), *product_urlpatterns]
