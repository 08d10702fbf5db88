"""The permission matrix's rows for the help pages (public: they hold no one's data)."""

from django.urls import reverse

from tests.matrix import SIGNED_IN, Row, every

PUBLIC = {None: 200, **every(SIGNED_IN, 200)}

ROWS = [
    Row("cases:help", lambda c: reverse("cases:help"), PUBLIC),
    Row("cases:help_role", lambda c: reverse("cases:help_role", args=["lead"]), PUBLIC),
]
