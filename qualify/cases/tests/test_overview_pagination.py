"""The programme overview and GET /api/v1/cases a page at a time: keyset cursors that keep the filters, cost the same
on every page and at every size, and refuse a tampered cursor with a 400 instead of failing."""

from __future__ import annotations

import base64
import json
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qualify.cases.models import QualificationCase
from qualify.cases.selectors import case_page
from qualify.cases.services import case_open
from qualify.cases.tests.helpers import more_cases
from qualify.core.actor import system_actor
from qualify.participants.choices import MarketRole
from qualify.participants.services import organisation_create, participation_create

ROW = re.compile(r'<tr data-testid="case-row">\s*<td><a href="[^"]+">(QC-\d+)</a>')


def cases_on(body: str) -> list[str]:
    return ROW.findall(body)


def link(body: str, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', body)
    return unescape(found.group(1)) if found else None


def encoded(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def test_the_overview_pages_through_every_case_once_and_back(cast, client_for):
    more_cases(57)
    client = client_for("admin")
    first = client.get(reverse("cases:list")).content.decode()
    page_one = cases_on(first)
    assert len(page_one) == 50 and link(first, "prev") is None
    second = client.get(link(first, "next")).content.decode()
    page_two = cases_on(second)
    assert len(page_two) == 10 and link(second, "next") is None
    assert set(page_one).isdisjoint(page_two) and len(page_one + page_two) == 60
    # in the overview's order: organisation name ("Extra Energy 000" first), MPID, role
    first_three = QualificationCase.objects.filter(participation__mpid__in=["X000", "X001", "X002"])
    assert page_one[:3] == [c.reference for c in first_three.order_by("participation__mpid")]
    back = client.get(link(second, "prev")).content.decode()
    assert cases_on(back) == page_one and link(back, "prev") is None


def test_page_links_keep_the_filters_and_work_through_htmx(cast, client_for):
    more_cases(80)
    client = client_for("admin")
    first = client.get(reverse("cases:list"), {"role": "SUPPLIER", "search": "energy"}, HTTP_HX_REQUEST="true")
    body = first.content.decode()
    assert "<html" not in body and len(cases_on(body)) == 50
    following = link(body, "next")
    assert following is not None and "role=SUPPLIER" in following and "search=energy" in following
    assert f'hx-get="{following.replace("&", "&amp;")}" hx-target="#case-table"' in body
    second = client.get(following, HTTP_HX_REQUEST="true").content.decode()
    # 53 of the 80 extra are suppliers, and Northwind's supplier matches "energy" too
    assert len(cases_on(second)) == 4 and "<html" not in second
    assert set(cases_on(body)).isdisjoint(cases_on(second))


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor!",
        "%%%",
        "e30",  # {}
        encoded({"a": ["x"]}),  # too few values
        encoded({"a": ["Extra", "X001", "SUPPLIER", "seven"]}),  # the primary key is not a number
        encoded({"a": ["Extra", "X001", "SUPPLIER", 2**70]}),  # too big for any database integer
        encoded({"a": ["Extra\x00", "X001", "SUPPLIER", 1]}),  # PostgreSQL refuses NUL in text
        encoded({"a": [["x"], "X001", "SUPPLIER", 1]}),
        encoded({"a": [None, "X001", "SUPPLIER", 1]}),
        encoded({"c": ["Extra", "X001", "SUPPLIER", 1]}),
        encoded(["Extra", "X001", "SUPPLIER", 1]),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        encoded({"a": ["x" * 3000, "X001", "SUPPLIER", 1]}),
        "W" * 10_000,
    ],
)
def test_a_tampered_cursor_is_a_400_with_a_message_not_a_500(cast, client_for, token_for, cursor):
    page = client_for("admin").get(reverse("cases:list"), {"cursor": cursor, "role": "SUPPLIER"})
    assert page.status_code == 400
    body = page.content.decode()
    assert 'data-testid="cursor-error"' in body and "not valid" in body
    assert len(cases_on(body)) == 2  # the first page, still filtered
    api = client_for(None).get("/api/v1/cases", {"cursor": cursor}, **token_for("admin"))
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "bad_cursor"


def test_api_follows_cursors_through_every_case_and_back(cast, client_for, token_for):
    more_cases(12)
    client, auth = client_for(None), token_for("admin")
    seen: list[str] = []
    pages = []
    answer = client.get("/api/v1/cases", {"limit": 4}, **auth).json()
    assert answer["previous_cursor"] is None
    while True:
        pages.append(answer)
        assert answer["count"] == 15
        seen += [c["reference"] for c in answer["items"]]
        if answer["next_cursor"] is None:
            break
        answer = client.get("/api/v1/cases", {"limit": 4, "cursor": answer["next_cursor"]}, **auth).json()
    assert len(pages) == 4 and len(seen) == len(set(seen)) == 15
    back = client.get("/api/v1/cases", {"limit": 4, "cursor": pages[-1]["previous_cursor"]}, **auth).json()
    assert back["items"] == pages[-2]["items"]


def test_api_keeps_the_filters_across_cursors(cast, client_for, token_for):
    more_cases(12)
    client, auth = client_for(None), token_for("admin")
    first = client.get("/api/v1/cases", {"role": "MEM", "limit": 3}, **auth).json()
    second = client.get("/api/v1/cases", {"role": "MEM", "limit": 3, "cursor": first["next_cursor"]}, **auth).json()
    assert first["count"] == second["count"] == 5
    assert {c["role"] for c in first["items"] + second["items"]} == {"MEM"}
    assert len(second["items"]) == 2 and second["next_cursor"] is None


def test_api_still_takes_the_old_offset(cast, client_for, token_for):
    more_cases(6)
    client, auth = client_for(None), token_for("admin")
    everything = [c["reference"] for c in client.get("/api/v1/cases", **auth).json()["items"]]
    page = client.get("/api/v1/cases", {"limit": 3, "offset": 3}, **auth).json()
    assert [c["reference"] for c in page["items"]] == everything[3:6] and page["count"] == 9
    # and answers cursors from there on, both ways
    onward = client.get("/api/v1/cases", {"limit": 3, "cursor": page["next_cursor"]}, **auth).json()
    assert [c["reference"] for c in onward["items"]] == everything[6:9]
    before = client.get("/api/v1/cases", {"limit": 3, "cursor": page["previous_cursor"]}, **auth).json()
    assert [c["reference"] for c in before["items"]] == everything[:3]
    assert client.get("/api/v1/cases", {"limit": 201}, **auth).status_code == 422


def test_going_back_to_the_start_always_gives_a_full_first_page(cast):
    more_cases(6)
    admin = cast.actor("admin")
    everything = [c.reference for c in case_page(actor=admin, per_page=100)]
    third_and_fourth = case_page(actor=admin, per_page=2, cursor=case_page(actor=admin, per_page=2).next_cursor)
    # four a page now: only two cases precede the boundary, so "previous" is the first page, filled
    back = case_page(actor=admin, per_page=4, cursor=third_and_fourth.previous_cursor)
    assert [c.reference for c in back] == everything[:4]
    assert back.previous_cursor is None and back.next_cursor is not None


def test_a_case_added_before_the_page_shows_up_going_back(cast):
    more_cases(6)
    admin = cast.actor("admin")
    first = case_page(actor=admin, per_page=4)
    second = case_page(actor=admin, per_page=4, cursor=first.next_cursor)
    system = system_actor("overview tests")
    org = organisation_create(actor=system, name="Aardvark Power")
    participation = participation_create(actor=system, organisation=org, mpid="AARD", role=MarketRole.SUPPLIER)
    case_open(actor=system, participation=participation)
    back = case_page(actor=admin, per_page=4, cursor=second.previous_cursor)
    assert [c.reference for c in back] == [c.reference for c in first]
    earliest = case_page(actor=admin, per_page=4, cursor=back.previous_cursor)
    assert earliest.items[0].participation.mpid == "AARD" and len(earliest) == 4


def _queries(client, url, **kw):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **kw).status_code == 200
    return len(ctx.captured_queries)


def test_the_overview_and_its_endpoint_cost_the_same_queries_at_three_cases_or_a_hundred_and_sixty(
    cast, client_for, token_for
):
    client, api, auth = client_for("admin"), client_for(None), token_for("admin")
    api.get("/api/v1/waves", **auth)  # the token's first use records last_used_at; measure after it

    def measure(cursor_page: bool) -> list[int]:
        page = client.get(reverse("cases:list"), {"role": "SUPPLIER"}).content.decode()
        onward = link(page, "next") if cursor_page else None
        cursor = api.get("/api/v1/cases", {"limit": 50}, **auth).json()["next_cursor"] if cursor_page else ""
        return [
            _queries(client, reverse("cases:list")),
            _queries(client, onward or reverse("cases:list") + "?role=SUPPLIER"),
            _queries(api, "/api/v1/cases", **auth),
            _queries(api, f"/api/v1/cases?cursor={cursor}", **auth),
        ]

    small = measure(cursor_page=False)
    more_cases(160)
    large = measure(cursor_page=True)
    assert large == small
    # page: session, user, the page, counts by state, unread notices, waves; API: the page and the count (the token
    # is remembered by the process)
    assert small == [6, 6, 2, 2]
