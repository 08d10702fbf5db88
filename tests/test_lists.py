"""The lists people work through (cases, queries, findings, organisations, library; ``core/listing.py``): columns
sort both ways on real rows, pages keep the sort and filters, downloads hold exactly the filtered list in its order
(read back as CSV and Excel, formulas defused), only what the person may see, at a cost that does not grow with rows.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from qualify.assessment.tests import journey
from qualify.cases.services import case_open
from qualify.cases.tests.helpers import more_cases
from qualify.core.actor import system_actor
from qualify.core.filters import BadFilter
from qualify.library.services import approval_record, version_approve
from qualify.library.tests.helpers import admin, make_artefact, make_version, member
from qualify.participants.selectors import ORGANISATION_LISTING, organisation_list
from qualify.participants.services import organisation_create, participation_create

pytestmark = pytest.mark.django_db

CASE_ROW = re.compile(r'<tr data-testid="case-row">\s*<td><a href="[^"]+">(QC-\d+)</a>')
ORG_ROW = re.compile(r'<tr data-testid="org-row"><td><a href="[^"]+">([^<]+)</a>')


def csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def xlsx_rows(response) -> list[list[object]]:  # type: ignore[no-untyped-def]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [[("" if v is None else v) for v in row] for row in book.active.iter_rows(values_only=True)]


def link(body: str, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', body)
    return unescape(found.group(1)) if found else None


def names(body: str) -> list[str]:
    return [unescape(n) for n in ORG_ROW.findall(body)]


# --- sorting ------------------------------------------------------------------------------------------------------


def test_organisations_sort_by_each_column_both_ways(cast, client_for):
    system = system_actor("list tests")
    organisation_create(actor=system, name="Aardvark Power", company_number="99999999")
    client = client_for("admin")
    by_name = client.get(reverse("participants:list")).content.decode()
    assert names(by_name) == ["Aardvark Power", "Northwind Energy Ltd", "Southbank Power plc"]
    assert 'aria-sort="ascending"' in by_name and by_name.count("aria-sort=") == 1
    backwards = client.get(reverse("participants:list"), {"sort": "-name"}).content.decode()
    assert names(backwards) == ["Southbank Power plc", "Northwind Energy Ltd", "Aardvark Power"]
    assert 'aria-sort="descending"' in backwards
    by_company = client.get(reverse("participants:list"), {"sort": "-company"}).content.decode()
    assert names(by_company) == ["Aardvark Power", "Southbank Power plc", "Northwind Energy Ltd"]
    # the heading of the sorted column turns round; another column's starts ascending
    assert f'href="{reverse("participants:list")}?sort=company"' in by_company.replace("&amp;", "&")
    assert f'href="{reverse("participants:list")}?sort=name"' in by_company


def test_the_overview_sorts_by_state_in_the_lifecycles_order_and_pages_by_keyset(cast, client_for):
    more_cases(52)  # all drafts
    journey.to_initial_submitted(cast, cast.case_a)
    client = client_for("admin")
    first = client.get(reverse("cases:list"), {"sort": "-state"}).content.decode()
    references = CASE_ROW.findall(first)
    assert references[0] == cast.case_a.reference  # the only case past draft comes first when descending
    assert 'aria-sort="descending"' in first
    following = link(first, "next")
    assert following is not None and "sort=-state" in following
    second = client.get(following).content.decode()
    rest = CASE_ROW.findall(second)
    assert len(references) == 50 and len(rest) == 5 and set(references).isdisjoint(rest)
    ascending = CASE_ROW.findall(client.get(reverse("cases:list"), {"sort": "state"}).content.decode())
    assert cast.case_a.reference not in ascending  # 54 drafts fill the first page
    back = client.get(link(second, "prev")).content.decode()
    assert CASE_ROW.findall(back) == references


def test_queries_and_findings_sort_both_ways(cast, client_for):
    case = journey.to_initial_submitted(cast, cast.case_a)
    first = journey.raise_query(cast, case, "BSC")
    second = journey.raise_query(cast, case, "BSC", text="And this.")
    client = client_for("bsc")
    row = re.compile(r'<tr data-testid="query-row">\s*<td><a href="[^"]+">(QRY-\d+)</a>')
    newest_first = row.findall(client.get(reverse("assessment:queries")).content.decode())
    assert newest_first == [second.reference, first.reference]
    oldest_first = row.findall(client.get(reverse("assessment:queries"), {"sort": "query"}).content.decode())
    assert oldest_first == [first.reference, second.reference]
    page = client.get(reverse("reporting:findings"), {"sort": "-due"})
    assert page.status_code == 200 and 'aria-sort="descending"' in page.content.decode()


def test_an_unknown_sort_key_is_a_400_with_the_reason_on_page_and_download(cast, client_for):
    client = client_for("admin")
    for url in (reverse("cases:list"), reverse("cases:export", args=["csv"]), reverse("library:index")):
        answer = client.get(url, {"sort": "password"})
        assert answer.status_code == 400
        assert "cannot be sorted by" in answer.content.decode()
    with pytest.raises(BadFilter):
        ORGANISATION_LISTING.sort_of("-nope")


# --- pages ----------------------------------------------------------------------------------------------------------


def test_pages_keep_the_filters_and_sort_and_the_downloads_drop_the_page(cast, client_for):
    more_cases(55)
    client = client_for("admin")
    first = client.get(reverse("participants:list"), {"q": "extra", "sort": "-name"}).content.decode()
    assert len(names(first)) == 50 and names(first)[0] == "Extra Energy 054"
    following = link(first, "next")
    assert following is not None and "q=extra" in following and "sort=-name" in following
    second = client.get(following).content.decode()
    assert names(second) == [f"Extra Energy {i:03d}" for i in range(4, -1, -1)]
    assert "Organisations 51 to 55 of 55" in second
    download = re.search(r'href="([^"]+)" data-testid="export-csv"', second)
    assert download is not None
    url = unescape(download.group(1))
    assert "page=" not in url and "sort=-name" in url and "q=extra" in url
    rows = csv_rows(client.get(url))
    assert [r[0] for r in rows[1:]] == [f"Extra Energy {i:03d}" for i in range(54, -1, -1)]


# --- downloads ------------------------------------------------------------------------------------------------------


def test_downloads_read_back_with_headers_rows_in_order_and_formulas_defused(cast, client_for):
    system = system_actor("list tests")
    org = organisation_create(actor=system, name='=HYPERLINK("http://x")')
    case_open(actor=system, participation=participation_create(actor=system, organisation=org, mpid="ZZFM", role="MEM"))
    client = client_for("admin")
    query = {"role": "MEM", "sort": "-mpid"}
    page = CASE_ROW.findall(client.get(reverse("cases:list"), query).content.decode())
    as_csv = csv_rows(client.get(reverse("cases:export", args=["csv"]), query))
    as_xlsx = xlsx_rows(client.get(reverse("cases:export", args=["xlsx"]), query))
    headers = ["Case", "Organisation", "MPID", "Role", "Route", "Wave", "State", "State since", "Target migration"]
    assert as_csv[0] == headers and as_xlsx[0] == headers
    assert [r[0] for r in as_csv[1:]] == page == [r[0] for r in as_xlsx[1:]]
    assert [r[2] for r in as_csv[1:]] == ["ZZFM", "NWMS"]
    # words, not codes: the labels people read
    assert as_csv[2][1:7] == [
        "Northwind Energy Ltd",
        "NWMS",
        "Metering Equipment Manager",
        "SIT route",
        "Wave 1",
        "Draft",
    ]
    assert as_xlsx[2][1:7] == as_csv[2][1:7]
    assert as_csv[1][1] == '\'=HYPERLINK("http://x")' and as_xlsx[1][1] == '\'=HYPERLINK("http://x")'


def test_a_download_past_its_bound_is_cut_and_says_so(cast, client_for):
    small = dataclasses.replace(ORGANISATION_LISTING, max_rows=1)
    sort = small.sort_of("name")
    rows = list(small.rows(organisation_list(actor=cast.actor("admin")), sort))
    assert rows[0] == ["Northwind Energy Ltd", "01234567", 2]
    assert len(rows) == 2 and rows[1][0].startswith("Cut at 1 rows")
    nav = small.nav({}, sort, list_url="/", export_view="participants:export", total=2)
    assert "first 1 of these 2" in nav.export_note


def test_a_participants_downloads_hold_only_its_own_organisations_rows(cast, client_for):
    case = journey.to_initial_submitted(cast, cast.case_a)
    journey.raise_query(cast, case, "BSC")
    more_cases(2)
    lead = client_for("lead_b")
    cases = csv_rows(lead.get(reverse("cases:export", args=["csv"])))
    assert {r[1] for r in cases[1:]} == {"Southbank Power plc"} and len(cases) == 2
    organisations = xlsx_rows(lead.get(reverse("participants:export", args=["xlsx"])))
    assert [r[0] for r in organisations[1:]] == ["Southbank Power plc"]
    assert csv_rows(lead.get(reverse("assessment:queries_export", args=["csv"])))[1:] == []
    own = csv_rows(client_for("lead_a").get(reverse("assessment:queries_export", args=["csv"])))
    assert len(own) == 2 and own[1][2] == "Northwind Energy Ltd"
    assert lead.get(reverse("reporting:findings_export", args=["csv"])).status_code == 403


def _baselined(number: str, short_name: str, theme: str) -> None:
    version = make_version(make_artefact(number, short_name, theme), "1.0", with_files=False)
    version_approve(actor=admin(), version=version)
    for body in version.artefact.required_bodies:
        approval_record(
            actor=member(body),
            version=version,
            body=body,
            decision="APPROVE",
            decided_on=timezone.localdate(),
            minutes_reference="M-1",
        )


def test_the_library_sorts_within_its_themes_and_downloads_them(cast, client):
    _baselined("MHHS-DEL0001", "Zebra plan", "Qualification")
    _baselined("MHHS-DEL0002", "Alpha plan", "Qualification")
    _baselined("MHHS-DEL0003", "Middle plan", "Migration")
    rows = csv_rows(client.get(reverse("library:export", args=["csv"]), {"sort": "-number"}))
    assert rows[0] == ["Theme", "Document", "Title", "Number", "Type", "Version", "Baselined"]
    assert [(r[0], r[3]) for r in rows[1:]] == [
        ("Migration", "MHHS-DEL0003"),
        ("Qualification", "MHHS-DEL0002"),
        ("Qualification", "MHHS-DEL0001"),
    ]
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", rows[1][6])  # a UK date, in words
    page = client.get(reverse("library:index"), {"sort": "document"}).content.decode()
    assert page.index("Alpha plan") < page.index("Zebra plan")
    page = client.get(reverse("library:index"), {"sort": "-document"}).content.decode()
    assert page.index("Zebra plan") < page.index("Alpha plan") and 'aria-sort="descending"' in page
    assert client.get(reverse("library:export", args=["pdf"])).status_code == 404


# --- cost ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        reverse("cases:list") + "?sort=-state",
        reverse("cases:export", args=["csv"]) + "?sort=wave",
        reverse("participants:list") + "?sort=-roles",
        reverse("participants:export", args=["xlsx"]) + "?sort=company",
    ],
)
def test_a_list_and_its_download_cost_the_same_queries_at_two_sizes(cast, client_for, url):
    client = client_for("admin")

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            answer = client.get(url)
            if answer.streaming:
                b"".join(answer.streaming_content)
        assert answer.status_code == 200
        return len(seen)

    more_cases(3)
    small = queries()
    more_cases(30, start=3)
    assert queries() == small
