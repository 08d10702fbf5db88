from __future__ import annotations

import datetime as dt

import pytest

from qualify.assessment.tests import journey
from qualify.register.models import RegisterEvent


@pytest.mark.django_db
def test_supplier_goes_from_initial_qad_to_active_through_assessment(cast):
    case = journey.qualify_fully(cast, cast.case_a)
    assert case.state == "ACTIVE"
    kinds = list(
        RegisterEvent.objects.filter(participation=cast.supplier_a)
        .order_by("seq")
        .values_list("kind", "effective_date")
    )
    assert kinds == [("QUALIFIED", dt.date(2026, 12, 1)), ("SERVICE_ACTIVATED", dt.date(2026, 12, 15))]
