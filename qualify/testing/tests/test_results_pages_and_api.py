"""The results import pages and the push API: upload, preview, apply; a test tool's machine token; tenancy."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qualify.accounts.services import api_token_create, user_create
from qualify.core.actor import system_actor
from qualify.participants.models import Membership
from qualify.testing.models import Execution, ResultImport
from qualify.testing.services.results import results_apply, results_preview
from qualify.testing.tests.helpers import scoped
from qualify.testing.tests.import_helpers import csv_file, in_testing, junit_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(cast):  # type: ignore[no-untyped-def]
    return scoped(in_testing(cast.case_a)).required


def imports_url(cast, *rest: str) -> str:  # type: ignore[no-untyped-def]
    return "/".join([f"/api/v1/testing/cases/{cast.case_a.reference}/results/imports", *rest])


def test_a_lead_uploads_a_junit_file_sees_the_preview_and_applies_it(cast, ready, client_for):
    client = client_for("lead_a")
    page = client.get(reverse("testing:imports", args=[cast.case_a.reference]))
    assert page.status_code == 200 and b'data-testid="results-upload"' in page.content
    upload = SimpleUploadedFile("run.xml", junit_file(ready[0], ready[1], "QT-999", failed=ready[1]))
    response = client.post(reverse("testing:import_upload", args=[cast.case_a.reference]), {"file": upload})
    found = ResultImport.objects.get(case=cast.case_a)
    assert response.status_code == 302 and response["Location"].endswith(f"/imports/{found.uuid}/")
    detail = client.get(response["Location"]).content.decode()
    assert 'data-testid="count-added">2<' in detail and "QT-999 is not in this case" in detail
    assert 'data-testid="apply-import"' in detail
    apply_url = reverse("testing:import_apply", args=[cast.case_a.reference, str(found.uuid)])
    client.post(apply_url, {})  # without the confirmation nothing happens
    assert not Execution.objects.filter(case=cast.case_a).exists()
    client.post(apply_url, {"confirm": "on"})
    assert Execution.objects.filter(case=cast.case_a).count() == 2
    listing = client.get(reverse("testing:imports", args=[cast.case_a.reference])).content.decode()
    assert "run.xml" in listing and "Applied" in listing


def test_a_viewer_sees_imports_but_gets_no_upload_form_and_cannot_post(cast, ready, client_for):
    client = client_for("viewer_a")
    page = client.get(reverse("testing:imports", args=[cast.case_a.reference]))
    assert page.status_code == 200 and b"results-upload" not in page.content
    upload = SimpleUploadedFile("run.csv", csv_file(f"{ready[0]},Passed,2026-03-04,Tess,"))
    response = client.post(reverse("testing:import_upload", args=[cast.case_a.reference]), {"file": upload})
    assert response.status_code == 403 and not ResultImport.objects.exists()


def test_another_organisation_gets_404_on_every_import_page(cast, ready, client_for):
    found = results_preview(
        actor=cast.actor("lead_a"),
        case=cast.case_a,
        kind="",
        source_name="a.csv",
        data=csv_file(f"{ready[0]},Passed,,,"),
    )
    client = client_for("lead_b")
    ref, key = cast.case_a.reference, str(found.uuid)
    assert client.get(reverse("testing:imports", args=[ref])).status_code == 404
    assert client.get(reverse("testing:import_detail", args=[ref, key])).status_code == 404
    assert client.post(reverse("testing:import_apply", args=[ref, key]), {"confirm": "on"}).status_code == 404
    assert client.post(reverse("testing:import_upload", args=[ref]), {}).status_code == 404


def test_a_file_over_the_limit_is_refused_on_the_page(cast, ready, client_for, monkeypatch):
    import qualify.testing.results as results_module
    import qualify.testing.views.results as views_module

    monkeypatch.setattr(results_module, "MAX_BYTES", 1000)
    monkeypatch.setattr(views_module, "MAX_BYTES", 1000)
    client = client_for("lead_a")
    upload = SimpleUploadedFile("big.csv", csv_file(*[f"{ready[0]},Passed,2026-03-04,Tess,"] * 100))
    response = client.post(
        reverse("testing:import_upload", args=[cast.case_a.reference]), {"file": upload}, follow=True
    )
    assert "larger than" in response.content.decode() and not ResultImport.objects.exists()


def test_the_imports_page_costs_the_same_queries_with_more_imports(cast, ready, client_for):
    client = client_for("lead_a")
    url = reverse("testing:imports", args=[cast.case_a.reference])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for i in range(n):
            results_preview(
                actor=cast.actor("lead_a"),
                case=cast.case_a,
                kind="",
                source_name=f"{i}.csv",
                data=csv_file(f"{ready[i % 5]},Passed,2026-03-0{1 + i % 9},Tess {i},"),
            )

    add(2)
    few = queries()
    add(10)
    assert queries() == few


# --- the push API ----------------------------------------------------------------------------------------------------


@pytest.fixture
def machine(cast):  # type: ignore[no-untyped-def]
    """A test tool: a machine account made a contributor of organisation A, with a token an administrator issued."""
    admin = system_actor("test set-up")
    user = user_create(actor=admin, email="ci@northwind.test", full_name="Northwind CI", is_machine=True)
    call_command("add_member", "ci@northwind.test", cast.org_a.name, "CONTRIBUTOR")
    assert Membership.objects.get(user=user).organisation_id == cast.org_a.pk
    issued = api_token_create(actor=admin, user=user, name="CI pipeline")
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.secret}"}


def test_a_test_tool_pushes_a_file_and_applies_it_with_its_machine_token(cast, ready, client, machine):
    upload = SimpleUploadedFile("results.xml", junit_file(ready[0], ready[1], failed=ready[1]))
    response = client.post(imports_url(cast), {"file": upload}, **machine)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "PREVIEWED" and body["counts"]["added"] == 2 and body["kind"] == "JUNIT"
    applied = client.post(imports_url(cast, body["uuid"], "apply"), **machine)
    assert applied.status_code == 200 and applied.json()["state"] == "APPLIED"
    assert applied.json()["counts"]["added"] == 2
    assert Execution.objects.filter(case=cast.case_a, is_latest=True).count() == 2
    again = client.post(imports_url(cast, body["uuid"], "apply"), **machine)
    assert again.status_code == 200 and Execution.objects.filter(case=cast.case_a).count() == 2


def test_a_test_tool_cannot_reach_another_organisations_case(cast, ready, client, machine):
    scoped(in_testing(cast.case_b))
    url = f"/api/v1/testing/cases/{cast.case_b.reference}/results/imports"
    upload = SimpleUploadedFile("results.xml", junit_file(ready[0]))
    response = client.post(url, {"file": upload}, **machine)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert client.get(url, **machine).status_code == 404


def test_a_json_list_is_previewed_with_refusals_naming_the_field(cast, ready, client, machine):
    payload = {
        "source_name": "nightly",
        "results": [
            {"test_case_id": ready[0], "outcome": "Passed", "run_date": "2026-03-04", "tester": "CI"},
            {"test_case_id": ready[1], "outcome": "Sort of"},
            {"test_case_id": ready[2], "outcome": "Not applicable", "comment": "no unmetered supplies"},
        ],
    }
    response = client.post(imports_url(cast), payload, content_type="application/json", **machine)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["counts"]["added"] == 2 and body["problems"][0]["column"] == "outcome"
    assert body["problems"][0]["row"] == 2
    client.post(imports_url(cast, body["uuid"], "apply"), **machine)
    run = Execution.objects.get(case=cast.case_a, test_case_id=ready[2])
    assert run.source == "API" and run.not_applicable_reason == "no unmetered supplies"


@pytest.mark.parametrize(
    "payload",
    [{"results": []}, {"results": [{"outcome": "Passed"}]}, {"nothing": 1}, [1, 2]],
)
def test_a_bad_json_body_is_422(cast, ready, client, machine, payload):
    response = client.post(imports_url(cast), payload, content_type="application/json", **machine)
    assert response.status_code == 422 and set(response.json()["error"]) == {"code", "message", "details"}


def test_a_push_without_a_file_is_422_and_an_unreadable_file_too(cast, ready, client, machine):
    assert client.post(imports_url(cast), {}, **machine).status_code == 422
    upload = SimpleUploadedFile("x.xml", b"<!DOCTYPE x [<!ENTITY a 'b'>]><testsuite/>")
    response = client.post(imports_url(cast), {"file": upload}, **machine)
    assert response.status_code == 422 and response.json()["error"]["code"] == "xml_forbidden"


def test_a_push_while_the_case_is_not_in_testing_is_409(cast, client, machine):
    scoped(cast.case_a)
    upload = SimpleUploadedFile("results.csv", csv_file("QT-001,Passed,,,"))
    response = client.post(imports_url(cast), {"file": upload}, **machine)
    assert response.status_code == 409 and response.json()["error"]["code"] == "case_not_in_testing"


def test_a_push_over_the_limit_is_refused(cast, ready, client, machine, monkeypatch):
    import qualify.testing.api.results as api_module
    import qualify.testing.results as results_module

    monkeypatch.setattr(results_module, "MAX_BYTES", 1000)
    monkeypatch.setattr(api_module, "MAX_BYTES", 1000)
    upload = SimpleUploadedFile("big.csv", csv_file(*[f"{ready[0]},Passed,2026-03-04,Tess,"] * 100))
    response = client.post(imports_url(cast), {"file": upload}, **machine)
    assert response.status_code == 422 and response.json()["error"]["code"] == "file_too_large"


def test_api_list_and_detail_in_constant_queries(cast, ready, client, token_for):
    auth = token_for("viewer_a")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(imports_url(cast), **auth).status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> list[ResultImport]:
        return [
            results_preview(
                actor=cast.actor("lead_a"),
                case=cast.case_a,
                kind="",
                source_name=f"{i}.csv",
                data=csv_file(f"{ready[0]},Passed,2026-03-{1 + i:02d},Tess,"),
            )
            for i in range(n)
        ]

    first = add(2)
    queries()  # the token's first use records when it was used
    few = queries()
    add(8)
    assert queries() == few
    results_apply(actor=cast.actor("lead_a"), result_import=first[0])
    detail = client.get(imports_url(cast, str(first[0].uuid)), **auth).json()
    assert detail["state"] == "APPLIED" and detail["counts"]["added"] == 1 and detail["rows_applied"] == 1
    listed = client.get(imports_url(cast), **auth).json()
    assert listed["count"] == 10 and listed["items"][0]["case"] == cast.case_a.reference


def test_add_member_refuses_an_unknown_account_or_organisation(cast):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No active account"):
        call_command("add_member", "nobody@nowhere.test", cast.org_a.name, "CONTRIBUTOR")
    with pytest.raises(CommandError, match="No organisation"):
        call_command("add_member", cast.user("lead_a").email, "No Such Ltd", "CONTRIBUTOR")
    with pytest.raises(CommandError, match="staff"):
        call_command("add_member", cast.user("bsc").email, str(cast.org_a.uuid), "CONTRIBUTOR")
