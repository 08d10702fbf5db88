"""The product's URLs plus ``/bench/floor``: the cheapest JSON answer Django can give through the full middleware.

Only bench/floor_settings.py points at this module; the product's URLconf (config/urls.py) is untouched. The floor
sits just before the API's prefix, so that resolving it walks the same patterns as resolving the register's URL.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from config.urls import urlpatterns as product_urlpatterns


def floor(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"floor": True, "on": request.GET.get("on", "")})


_api = next(i for i, p in enumerate(product_urlpatterns) if str(p.pattern) == "api/v1/")
urlpatterns = [*product_urlpatterns[:_api], path("bench/floor", floor), *product_urlpatterns[_api:]]
