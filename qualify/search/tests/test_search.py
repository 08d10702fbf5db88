"""The site's search: every kind found by reference or name, only what the person may see, at a fixed cost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qualify.assessment import services
from qualify.assessment.tests import journey
from qualify.core.actor import system_actor
from qualify.participants.services import organisation_create
from qualify.search.selectors import PER_KIND, site_search

pytestmark = pytest.mark.django_db


def _kinds(results) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return {g.kind: [h.label for h in g.hits] for g in results.groups}


def test_a_case_an_organisation_an_mpid_and_a_query_are_found_by_reference_or_name(cast, client_for):
    case = journey.to_initial_submitted(cast, cast.case_a)
    query = journey.raise_query(cast, case, "BSC")

    by_name = _kinds(site_search(actor=cast.actor("lead_a"), raw="northwind"))
    assert by_name["Organisations"] == ["Northwind Energy Ltd"]
    assert case.reference in by_name["Cases"]
    assert _kinds(site_search(actor=cast.actor("lead_a"), raw="NWEN"))["MPIDs"] == ["NWEN Supplier"]
    assert _kinds(site_search(actor=cast.actor("bsc"), raw=query.reference.lower()))["Queries"] == [query.reference]
    page = client_for("lead_a").get(reverse("search:results"), {"q": case.reference}).content.decode()
    assert reverse("cases:detail", args=[case.reference]) in page


def test_a_participant_finds_nothing_of_another_organisation(cast):
    case_b = cast.case_b
    found = _kinds(site_search(actor=cast.actor("lead_a"), raw="Southbank"))
    assert found == {}
    assert _kinds(site_search(actor=cast.actor("lead_a"), raw=case_b.reference)) == {}
    staff = _kinds(site_search(actor=cast.actor("bsc"), raw="Southbank"))
    assert staff["Organisations"] == ["Southbank Power plc"] and case_b.reference in staff["Cases"]


def test_a_term_too_short_or_only_control_characters_finds_nothing_and_says_so(cast, client_for):
    assert site_search(actor=cast.actor("admin"), raw="N").too_short
    empty = site_search(actor=cast.actor("admin"), raw="\x00\x07")
    assert not empty.too_short and empty.groups == []
    page = client_for("admin").get(reverse("search:results"), {"q": "N"}).content.decode()
    assert 'data-testid="search-too-short"' in page


def test_the_search_costs_the_same_queries_with_three_organisations_or_thirty(cast, client_for):
    client = client_for("admin")

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("search:results"), {"q": "Grown"}).status_code == 200
        return len(queries)

    system = system_actor("test")
    for i in range(3):
        organisation_create(actor=system, name=f"Grown {i:02d}")
    small = cost()
    for i in range(3, 30):
        organisation_create(actor=system, name=f"Grown {i:02d}")
    large = cost()
    assert large == small
    found = site_search(actor=cast.actor("admin"), raw="Grown")
    (organisations,) = [g for g in found.groups if g.kind == "Organisations"]
    assert len(organisations.hits) == PER_KIND and organisations.more and "q=Grown" in organisations.more_url


def test_a_finding_is_found_by_its_title(cast):
    case = journey.to_initial_submitted(cast, cast.case_a)
    finding = services.finding_record(
        actor=cast.actor("bsc"),
        case=case,
        body="BSC",
        title="Retry queue not monitored",
        description="No alert when the queue grows.",
        owner="Operations",
        due_date=dt.date(2027, 1, 29),
    )
    assert _kinds(site_search(actor=cast.actor("lead_a"), raw="retry queue"))["Findings"] == [finding.reference]
