from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse

from qualify.core import guards


@guards.public
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
