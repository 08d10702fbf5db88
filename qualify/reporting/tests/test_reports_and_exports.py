"""The regulator's report and the list downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from qualify.cases.services import case_open
from qualify.cases.tests.helpers import more_cases
from qualify.core.actor import system_actor
from qualify.core.errors import NotAllowed, ValidationFailed
from qualify.core.spreadsheet import safe_cell
from qualify.participants.services import organisation_create, participation_create
from qualify.reporting.models import RegulatorReport
from qualify.reporting.services import report_generate

pytestmark = pytest.mark.django_db
START, END = dt.date(2026, 11, 16), dt.date(2026, 11, 29)


def test_a_programme_administrator_generates_a_report_with_pdf_and_excel(cast):
    report = report_generate(actor=cast.actor("admin"), start=START, end=END)
    assert bytes(report.pdf).startswith(b"%PDF")
    book = load_workbook(io.BytesIO(bytes(report.xlsx)))
    assert book.sheetnames[:2] == ["By role", "By wave"]
    assert report.facts["progress_by_role"]["SUPPLIER"] == {"starting": 2}
    assert report.facts["changes_since_last"]["previous"] == ""
    assert len(report.sha256) == 64


def test_the_next_report_says_what_changed_since_the_last(cast):
    first = report_generate(actor=cast.actor("admin"), start=START, end=END)
    more_cases(3)
    second = report_generate(actor=cast.actor("admin"), start=START, end=END)
    assert second.facts["changes_since_last"]["previous"] == first.reference
    assert second.facts["changes_since_last"]["by_role"]["SUPPLIER"] == {"starting": 2}
    assert second.reference != first.reference


@pytest.mark.parametrize("who", ["bsc", "board", "auditor", "lead_a"])
def test_only_a_programme_administrator_generates_one(cast, who):
    with pytest.raises(NotAllowed):
        report_generate(actor=cast.actor(who), start=START, end=END)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (END, START, "ends before"),
        (dt.date(2024, 1, 1), END, "at most a year"),
        (START, dt.date(2099, 1, 1), "to come"),
    ],
)
def test_a_bad_period_is_refused(cast, start, end, message):
    with pytest.raises(ValidationFailed, match=message):
        report_generate(actor=cast.actor("admin"), start=start, end=end)


def test_report_generation_costs_the_same_queries_at_two_sizes(cast):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            report_generate(actor=cast.actor("admin"), start=START, end=END)
        return len(ctx.captured_queries)

    more_cases(5)
    few = queries()
    more_cases(25, start=5)
    assert queries() == few


def test_report_pages_and_downloads(cast, client_for):
    report = report_generate(actor=cast.actor("admin"), start=START, end=END)
    admin = client_for("admin")
    assert admin.get("/dashboard/reports/").status_code == 200
    assert report.reference in admin.get(f"/dashboard/reports/{report.uuid}/").content.decode()
    pdf = admin.get(f"/dashboard/reports/{report.uuid}/download.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client_for("lead_a").get(f"/dashboard/reports/{report.uuid}/").status_code == 403
    assert admin.get("/dashboard/reports/not-a-uuid/").status_code == 404
    assert admin.get(f"/dashboard/reports/{report.uuid}/download.exe").status_code == 404


def test_generating_from_the_page_needs_an_administrator(cast, client_for):
    data = {"start": START.isoformat(), "end": END.isoformat()}
    assert client_for("admin").post("/dashboard/reports/generate/", data).status_code == 302
    client_for("bsc").post("/dashboard/reports/generate/", data)
    assert RegulatorReport.objects.count() == 1


def test_the_overview_download_holds_only_what_the_person_may_see(cast, client_for):
    rows = list(
        csv.reader(io.StringIO(client_for("lead_a").get("/dashboard/exports/overview.csv").content.decode("utf-8-sig")))
    )
    assert rows[0][0] == "Case"
    assert {r[1] for r in rows[1:]} == {"Northwind Energy Ltd"}
    everyone = client_for("admin").get("/dashboard/exports/overview.csv?role=SUPPLIER").content.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(everyone)))) == 3


def test_a_name_that_looks_like_a_formula_is_defused_in_downloads(cast, client_for):
    system = system_actor("export tests")
    org = organisation_create(actor=system, name='=HYPERLINK("http://x")')
    case_open(actor=system, participation=participation_create(actor=system, organisation=org, mpid="ZZFM", role="MEM"))
    book = load_workbook(io.BytesIO(client_for("admin").get("/dashboard/exports/overview.xlsx").content))
    names = [row[1].value for row in book.active.iter_rows(min_row=2)]
    assert '\'=HYPERLINK("http://x")' in names


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+44 20", "'+44 20"), ("-3", "'-3"), ("@SUM(A1)", "'@SUM(A1)"), ("a\x00b", "ab"),
     (5, 5), (None, ""), ("plain", "plain")],
)  # fmt: skip
def test_cells_are_made_safe(value, expected):
    assert safe_cell(value) == expected


def test_an_unknown_list_or_format_is_not_found(client_for):
    assert client_for("admin").get("/dashboard/exports/secrets.csv").status_code == 404
    assert client_for("admin").get("/dashboard/exports/overview.pdf").status_code == 404


def test_the_api_serves_the_dashboard_and_reports_with_the_same_rules(cast, token_for, client):
    admin, lead = token_for("admin"), token_for("lead_a")
    body = client.get("/api/v1/programme/dashboard?role=SUPPLIER", **admin).json()
    assert [c["key"] for c in body["by_role"]] == ["SUPPLIER"] and body["by_role"][0]["total"] == 2
    assert client.get("/api/v1/programme/dashboard", **lead).status_code == 403
    made = client.post(
        "/api/v1/programme/reports", {"start": START.isoformat(), "end": END.isoformat()},
        content_type="application/json", **admin,
    )  # fmt: skip
    assert made.status_code == 201
    key = made.json()["uuid"]
    assert client.post(
        "/api/v1/programme/reports", {"start": START.isoformat(), "end": END.isoformat()},
        content_type="application/json", **token_for("bsc"),
    ).status_code == 403  # fmt: skip
    assert (
        client.get(f"/api/v1/programme/reports/{key}", **token_for("bsc")).json()["facts"]["period"]["end"]
        == END.isoformat()
    )
    assert client.get(f"/api/v1/programme/reports/{key}/pdf", **admin).content.startswith(b"%PDF")
    assert client.get(f"/api/v1/programme/reports/{key}", **lead).status_code == 403
    assert client.get("/api/v1/programme/reports/nope", **admin).status_code == 404
    assert client.get("/api/v1/programme/reports", **admin).json()["count"] == 1


def test_open_non_completion_shows_on_the_dashboard_the_report_and_its_download(cast, client_for):
    from qualify.cases.selectors import CaseFilters
    from qualify.oversight.tests.helpers import open_record
    from qualify.reporting.selectors import dashboard

    record = open_record(cast, cast.case_a)
    data = dashboard(actor=cast.actor("admin"), filters=CaseFilters(), today=END)
    assert data.non_completion is not None and data.non_completion.open_records == 1
    report = report_generate(actor=cast.actor("admin"), start=START, end=END)
    assert [r["record"] for r in report.facts["non_completion_open"]["rows"]] == [record.reference]
    rows = list(
        csv.reader(
            io.StringIO(client_for("admin").get("/dashboard/exports/non-completion.csv").content.decode("utf-8-sig"))
        )
    )
    assert rows[1][0] == record.reference
    assert (
        len(
            list(
                csv.reader(
                    io.StringIO(
                        client_for("lead_b").get("/dashboard/exports/non-completion.csv").content.decode("utf-8-sig")
                    )
                )
            )
        )
        == 1
    )
