"""The permission matrix's rows for the site-wide pages (tests/test_permission_matrix.py collects them)."""

from django.urls import reverse

from tests.matrix import SIGNED_IN, Row, every

PUBLIC = {None: 200, **every(SIGNED_IN, 200)}

ROWS = [
    Row("core:favicon", lambda c: reverse("core:favicon"), PUBLIC),
    Row("core:glossary", lambda c: reverse("core:glossary"), PUBLIC),
]
