"""The search page in the permission matrix (collected by tests/test_permission_matrix.py): any signed-in person."""

from __future__ import annotations

from django.urls import reverse

from tests.matrix import SIGNED_IN, every, page

ROWS = [page("search:results", lambda c: reverse("search:results") + "?q=North", every(SIGNED_IN, 200))]
