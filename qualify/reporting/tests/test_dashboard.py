"""The programme dashboard: who sees it, what it counts, that its numbers link to their lists, and that its cost does
not grow with the market."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qualify.cases.selectors import CaseFilters
from qualify.cases.tests.helpers import more_cases
from qualify.core.actor import system_actor
from qualify.participants.choices import MarketRole
from qualify.plan.choices import DeadlineKind, MilestoneMeaning
from qualify.plan.models import Milestone
from qualify.plan.services import wave_upsert
from qualify.register.choices import RegisterEventKind, RegisterEventSource
from qualify.register.services import register_event_record
from qualify.reporting import charts
from qualify.reporting.selectors import dashboard, stage_of

pytestmark = pytest.mark.django_db
URL = "/dashboard/"


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("bsc", 200), ("board", 200), ("auditor", 200), ("lead_a", 403), ("machine", 302)],
)
def test_the_dashboard_is_for_programme_and_code_body_staff(client_for, who, status):
    assert client_for(who).get(URL).status_code == status


def test_an_anonymous_visitor_is_sent_to_sign_in(client_for):
    response = client_for(None).get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_it_counts_cases_by_role_and_stage_with_links_to_each_list(cast, client_for):
    page = client_for("admin").get(URL).content.decode()
    data = dashboard(actor=cast.actor("admin"), filters=CaseFilters(), today=dt.date(2026, 11, 30))
    assert data.by_role.total(MarketRole.SUPPLIER) == 2 and data.by_role.total(MarketRole.MEM) == 1
    assert data.by_role.counts[MarketRole.SUPPLIER][stage_of("DRAFT")] == 2
    assert "/cases/?role=SUPPLIER&amp;state=DRAFT" in page
    assert "<svg" in page and 'data-testid="timeline"' in page


def test_filters_narrow_every_part(cast):
    data = dashboard(actor=cast.actor("admin"), filters=CaseFilters(role=MarketRole.MEM), today=dt.date(2026, 11, 30))
    assert [key for key, _ in data.by_role.categories] == [MarketRole.MEM]
    assert data.by_role.grand_total == 1


def test_the_burn_up_counts_each_participation_once_in_its_first_month(cast):
    system = system_actor("dashboard tests")
    for day in (dt.date(2026, 3, 10), dt.date(2026, 5, 2)):
        register_event_record(
            actor=system,
            participation=cast.supplier_a,
            kind=RegisterEventKind.QUALIFIED,
            effective_date=day,
            source=RegisterEventSource.CASE,
            reference=cast.case_a.reference,
            reason="dashboard test",
        )
    Milestone.objects.create(code="M14", name="All Suppliers qualified", date=dt.date(2026, 10, 28),
                             meaning=MilestoneMeaning.ALL_SUPPLIERS_QUALIFIED)  # fmt: skip
    data = dashboard(actor=cast.actor("admin"), filters=CaseFilters(), today=dt.date(2026, 11, 30))
    months = data.burn_up.months
    assert months[0] == dt.date(2026, 3, 1)
    assert data.burn_up.qualified[months.index(dt.date(2026, 3, 1))] == 1
    assert data.burn_up.qualified[-1] == 1  # qualified again in May: still one participation
    assert data.burn_up.deadline == dt.date(2026, 10, 28)


def test_the_plan_line_counts_cases_by_their_waves_target_board_date(cast):
    wave_upsert(actor=system_actor("t"), code="W1", name="Wave 1", sequence=1,
                deadlines={DeadlineKind.TARGET_BOARD: dt.date(2027, 6, 15)})  # fmt: skip
    data = dashboard(actor=cast.actor("admin"), filters=CaseFilters(), today=dt.date(2026, 11, 30))
    assert data.burn_up.planned[data.burn_up.months.index(dt.date(2027, 6, 1))] == 3


def test_the_dashboard_costs_the_same_queries_for_ten_cases_or_forty(cast, client_for):
    client = client_for("admin")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    more_cases(10)
    few = queries()
    more_cases(30, start=10)
    assert queries() == few


def test_chart_labels_are_escaped():
    chart = charts.stacked_bars("T", [("x", "<script>alert(1)</script>")], {"x": {"a": 1}}, [("a", "A")])
    svg = str(charts.to_svg(chart))
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_a_finding_list_filters_by_body_and_overdue(client_for):
    response = client_for("bsc").get(reverse("reporting:findings") + "?body=BSC&overdue=1")
    assert response.status_code == 200
    assert client_for("lead_a").get(reverse("reporting:findings")).status_code == 403
