"""Assessment pages and endpoints in the permission matrix (collected by tests/test_permission_matrix.py).

``prepare`` gives case A (Northwind supplier) an Initial QAD under clarification with one BSC query and one BSC
finding, and puts a BSC PAB meeting on the calendar with case A tabled. The rows themselves live beside it: pages in
``matrix_html.py``, endpoints in ``matrix_api.py``.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from qualify.assessment import services
from qualify.assessment.models import AgendaItem
from qualify.assessment.tests import journey


def prepare(cast):  # type: ignore[no-untyped-def]
    case = journey.to_initial_submitted(cast, cast.case_a)
    cast.query_a = journey.raise_query(cast, case, "BSC")
    cast.submission_a = journey.latest_submission(case)
    cast.finding_a = services.finding_record(
        actor=cast.actor("bsc"),
        case=journey.fresh(case),
        body="BSC",
        title="Retry handling untested",
        description="Message retries were not exercised in PIT.",
        owner="Northwind test lead",
        due_date=timezone.localdate() + dt.timedelta(days=30),
    )
    cast.meeting_bsc = journey.meeting(cast, "BSC")
    # Tabling needs an agreed case; the matrix only needs the row to exist, so it is written directly here.
    cast.agenda_a = AgendaItem.objects.create(meeting=cast.meeting_bsc, case=case, added_by_name="matrix")
    cast.case_a.refresh_from_db()


def _rows():  # type: ignore[no-untyped-def]
    rows = []
    for module in ("matrix_html", "matrix_api"):
        try:
            imported = __import__(f"qualify.assessment.tests.{module}", fromlist=["ROWS"])
        except ModuleNotFoundError:
            continue
        rows.extend(imported.ROWS)
    return rows


ROWS = _rows()
