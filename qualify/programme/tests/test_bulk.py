"""Bulk onboarding (issue 13): a CSV or Excel file is previewed (what it creates or changes, every problem by row and
column), then applied all or nothing; applying it again changes nothing. Files are bounded, and NUL or
formula-looking cells are refused."""

from __future__ import annotations

import base64
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from qualify.cases.models import QualificationCase
from qualify.core.errors import NotAllowed, ValidationFailed
from qualify.participants.models import MarketParticipation, Organisation
from qualify.programme.models import Invitation
from qualify.programme.services import onboarding_apply, onboarding_preview
from qualify.programme.services.bulk import COLUMNS, MAX_BYTES, MAX_ROWS, template_csv

pytestmark = pytest.mark.django_db
HEADER = ",".join(COLUMNS)


def _csv(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows]).encode("utf-8")


ROWS = (
    "Eastfield Grid Ltd,0999,ops@eastfield.test,EFGD,LDSO,SIT,no,27;28,Erin East,erin@eastfield.test,W1,",
    "Eastfield Grid Ltd,,,EFSU,SUPPLIER,QT,no,,Erin East,erin@eastfield.test,W1,2026-09-01",
    "Northwind Energy Ltd,,,NWEN,SUPPLIER,QT,no,,,,,",
)


def test_the_preview_lists_what_the_file_creates_and_changes_nothing(cast):
    plan = onboarding_preview(actor=cast.actor("admin"), data=_csv(*ROWS))
    assert not plan.problems
    first, second, third = plan.rows
    assert first.actions == [
        "create organisation Eastfield Grid Ltd",
        "register EFGD LDSO (distribution network operator) (SIT route)",
        "open a case in W1",
        "invite erin@eastfield.test as qualification lead",
    ]
    assert second.actions == ["register EFSU Supplier (Qualification Testing (non-SIT))", "open a case in W1"]
    assert third.actions == []  # Northwind's Supplier is already registered with its case
    assert not Organisation.objects.filter(name="Eastfield Grid Ltd").exists()


def test_applying_creates_everything_and_applying_again_changes_nothing(cast):
    admin = cast.actor("admin")
    applied = onboarding_apply(actor=admin, data=_csv(*ROWS))
    assert applied.changes == 6
    org = Organisation.objects.get(name="Eastfield Grid Ltd")
    assert org.company_number == "0999"
    ldso = MarketParticipation.objects.get(mpid="EFGD")
    assert sorted(d.code for d in ldso.distributor_ids.all()) == ["27", "28"]
    assert QualificationCase.objects.get(participation__mpid="EFSU").target_migration_date.isoformat() == "2026-09-01"
    assert Invitation.objects.filter(organisation=org, email="erin@eastfield.test", role="LEAD").count() == 1
    again = onboarding_apply(actor=admin, data=_csv(*ROWS))
    assert again.changes == 0
    assert Invitation.objects.filter(email="erin@eastfield.test").count() == 1


def test_a_file_with_any_bad_row_changes_nothing_and_names_every_problem(cast):
    bad = "Westway Ltd,,,WW,MEM,QT,maybe,12,,,W9,2026-02-30"
    with pytest.raises(ValidationFailed) as caught:
        onboarding_apply(actor=cast.actor("admin"), data=_csv(ROWS[0], bad))
    problems = {(p["row"], p["column"]) for p in caught.value.details["problems"]}
    assert problems == {
        (2, "mpid"),
        (2, "new_entrant"),
        (2, "distributor_ids"),
        (2, "wave"),
        (2, "target_migration_date"),
    }
    assert not Organisation.objects.filter(name="Eastfield Grid Ltd").exists()


def test_conflicts_within_the_file_and_with_the_register_are_named(cast):
    rows = (
        "Someone Else Ltd,,,NWEN,SUPPLIER,QT,no,,,,,",  # Northwind's MPID and role
        "Eastfield Grid Ltd,,,EFGD,LDSO,SIT,no,12,,,,",  # 12 is Southbank's distributor id
        "Eastfield Grid Ltd,,,EFGD,LDSO,SIT,no,,,,,",  # the same participation twice
    )
    plan = onboarding_preview(actor=cast.actor("admin"), data=_csv(*rows))
    assert [(p.row, p.column) for p in plan.problems] == [(1, "mpid"), (2, "distributor_ids"), (3, "mpid")]


@pytest.mark.parametrize(
    ("cell", "message"),
    [('=HYPERLINK("x")', "formula"), ("+441234", "formula"), ("@SUM(A1)", "formula")],
)
def test_formula_looking_cells_are_refused(cast, cell, message):
    row = f"{cell},,,EFGD,LDSO,SIT,no,,,,,"
    with pytest.raises(ValidationFailed, match=message):
        onboarding_preview(actor=cast.actor("admin"), data=_csv(row))


def test_nul_bytes_oversized_and_overlong_files_are_refused(cast):
    admin = cast.actor("admin")
    with pytest.raises(ValidationFailed, match="NUL"):
        onboarding_preview(actor=admin, data=_csv("Nul\x00 Ltd,,,EFGD,LDSO,SIT,no,,,,,"))
    with pytest.raises(ValidationFailed, match="larger than"):
        onboarding_preview(actor=admin, data=b"x" * (MAX_BYTES + 1))
    many = [f"Org {i},,,{chr(65 + i // 1000)}{i % 1000:03d},MEM,QT,no,,,,," for i in range(MAX_ROWS + 1)]
    with pytest.raises(ValidationFailed, match=f"at most {MAX_ROWS}"):
        onboarding_preview(actor=admin, data=_csv(*many))


def test_only_the_programme_onboards_from_a_file(cast):
    with pytest.raises(NotAllowed):
        onboarding_preview(actor=cast.actor("lead_a"), data=_csv(*ROWS))


def _workbook(*rows: list[str]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_file_is_read_like_a_csv(cast):
    data = _workbook(ROWS[0].split(","), ["=1+1", "", "", "EFSU", "SUPPLIER", "QT", "", "", "", "", "", ""])
    with pytest.raises(ValidationFailed, match="row 2 \\(line 3\\), column organisation: starts like"):
        onboarding_preview(actor=cast.actor("admin"), data=data)
    plan = onboarding_preview(actor=cast.actor("admin"), data=_workbook(ROWS[0].split(",")))
    assert plan.rows[0].mpid == "EFGD" and not plan.problems


def test_the_pages_preview_then_apply_with_a_confirmation(cast, client_for):
    client = client_for("admin")
    upload = SimpleUploadedFile("onboarding.csv", _csv(*ROWS), content_type="text/csv")
    preview = client.post(reverse("programme:bulk"), {"file": upload})
    assert preview.status_code == 200
    assert "create organisation Eastfield Grid Ltd" in preview.content.decode()
    content = preview.context["apply_form"].initial["content"]
    assert client.post(reverse("programme:bulk_apply"), {"content": content}).status_code == 302  # no tick
    assert not Organisation.objects.filter(name="Eastfield Grid Ltd").exists()
    done = client.post(reverse("programme:bulk_apply"), {"content": content, "confirm": "on"})
    assert done.status_code == 200
    assert Organisation.objects.filter(name="Eastfield Grid Ltd").exists()


def test_a_bad_file_shows_its_problems_on_the_page(cast, client_for):
    upload = SimpleUploadedFile("bad.csv", _csv("X Ltd,,,XX,MEM,QT,no,,,,,"), content_type="text/csv")
    response = client_for("admin").post(reverse("programme:bulk"), {"file": upload})
    assert response.status_code == 422
    assert "not an MPID" in response.content.decode()


def test_the_templates_download_and_read_back_cleanly(cast, client_for):
    client = client_for("admin")
    csv_body = client.get(reverse("programme:bulk_template")).content
    assert csv_body.decode() == template_csv()
    xlsx_body = client.get(reverse("programme:bulk_template") + "?format=xlsx").content
    assert [c.value for c in load_workbook(io.BytesIO(xlsx_body)).active[1]] == list(COLUMNS)
    for body in (csv_body, xlsx_body):
        assert not onboarding_preview(actor=cast.actor("admin"), data=body).problems


def test_the_api_previews_and_applies_a_workbook(cast, client_for, token_for):
    payload = {"workbook_base64": base64.b64encode(_workbook(ROWS[0].split(","))).decode()}
    api = client_for(None)
    preview = api.post(
        "/api/v1/programme/onboarding/preview", payload, content_type="application/json", **token_for("admin")
    )
    assert preview.status_code == 200 and preview.json()["changes"] == 4
    applied = api.post(
        "/api/v1/programme/onboarding/apply", payload, content_type="application/json", **token_for("admin")
    )
    assert applied.status_code == 200 and applied.json()["changes"] == 4
    again = api.post(
        "/api/v1/programme/onboarding/apply", payload, content_type="application/json", **token_for("admin")
    )
    assert again.json()["changes"] == 0


def test_an_oversized_upload_is_stopped_while_it_arrives(cast, client_for):
    upload = SimpleUploadedFile("big.csv", b"a" * (MAX_BYTES + 10), content_type="text/csv")
    response = client_for("admin").post(reverse("programme:bulk"), {"file": upload})
    assert response.status_code == 413


def test_the_upload_still_checks_its_csrf_token(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.user("admin"))
    upload = SimpleUploadedFile("onboarding.csv", _csv(*ROWS), content_type="text/csv")
    assert client.post(reverse("programme:bulk"), {"file": upload}).status_code == 403
