"""The permission matrix's rows for the help pages (public: they hold no one's data) and the overview's download
(everyone signed in: it holds what the person may see, a participant its own organisation's cases)."""

from django.urls import reverse

from tests.matrix import SIGNED_IN, Row, every, page

PUBLIC = {None: 200, **every(SIGNED_IN, 200)}

ROWS = [
    Row("cases:help", lambda c: reverse("cases:help"), PUBLIC),
    Row("cases:help_role", lambda c: reverse("cases:help_role", args=["lead"]), PUBLIC),
    page("cases:export", lambda c: reverse("cases:export", args=["csv"]), every(SIGNED_IN, 200)),
]
