"""The catalogue pages and endpoints: everyone signed in reads a published catalogue; only the Programme's
administrators load and publish; a draft is for staff and is not found for anyone else."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qualify.testing.models import TestCatalogue
from qualify.testing.tests.helpers import library_version, load, publish_sample, sample_text

DETAIL = lambda v: reverse("testing:catalogue_detail", args=[v])  # noqa: E731


def _case_ids(html: str) -> list[str]:
    return re.findall(r"<td[^>]*><strong>(QT-[0-9]+)</strong></td>", html)


def test_a_participant_reads_a_published_catalogue_by_batch(cast, client_for):
    publish_sample()
    client = client_for("viewer_a")
    listing = client.get(reverse("testing:catalogues")).content.decode()
    assert "v1.0" in listing and "MHHS-DEL9001" in listing and "Load a version" not in listing
    page = client.get(DETAIL("1.0")).content.decode()
    assert "Functional 1: registration and appointments" in page
    assert "MHHS-DEL9001 v1.0</a> (Baselined)" in page
    assert 'data-testid="case-total">69<' in page
    assert len(_case_ids(page)) == 50  # fifty to a page
    second = client.get(DETAIL("1.0") + "?page=2").content.decode()
    assert len(_case_ids(second)) == 19
    assert not set(_case_ids(page)) & set(_case_ids(second))
    assert "Publish v1.0" not in page


def test_the_catalogue_page_filters_by_role_and_batch(cast, client_for):
    publish_sample()
    client = client_for("lead_b")
    page = client.get(DETAIL("1.0") + "?role=UMSDS").content.decode()
    ids = _case_ids(page)
    assert ids == [
        "QT-093",
        "QT-094",
        "QT-095",
        "QT-096",
        "QT-097",
        "QT-098",
        "QT-099",
        "QT-100",
        "QT-122",
        "QT-101",
        "QT-120",
        "QT-121",
    ]
    assert "Unmetered Supplies Data Service" in page
    dip = _case_ids(client.get(DETAIL("1.0") + "?role=UMSDS&batch=DIP").content.decode())
    assert dip == ["QT-100", "QT-122"]
    # An unknown role in a hand-edited URL shows everything rather than an error.
    assert 'data-testid="case-total">69<' in client.get(DETAIL("1.0") + "?role=DNO").content.decode()


def test_the_catalogue_page_reads_a_fixed_number_of_queries(cast, client_for):
    publish_sample()
    client = client_for("lead_a")
    with CaptureQueriesContext(connection) as small:
        client.get(DETAIL("1.0") + "?role=MEM")
    with CaptureQueriesContext(connection) as full:
        client.get(DETAIL("1.0"))
    assert len(full.captured_queries) == len(small.captured_queries) <= 12


def test_a_draft_is_for_staff_only(cast, client_for):
    load()
    assert client_for("lead_a").get(DETAIL("1.0")).status_code == 404
    assert "v1.0" not in client_for("lead_a").get(reverse("testing:catalogues")).content.decode()
    staff_page = client_for("bsc").get(DETAIL("1.0")).content.decode()
    assert "Draft (not yet published)" in staff_page and "Publish v1.0" not in staff_page


def test_an_administrator_sees_every_problem_in_an_uploaded_file(cast, client_for):
    bad = sample_text().replace("id: QT-002", "id: QT-2", 1).replace("segments: [SMART]", "segments: [SMRT]", 1)
    response = client_for("admin").post(
        reverse("testing:catalogue_upload"),
        {"file": SimpleUploadedFile("catalogue.yaml", bad.encode())},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "<code>cases[0].segments[0]</code>" in html and "&#x27;SMRT&#x27; is not one of SMART" in html
    assert "<code>cases[1].id</code>" in html
    assert not TestCatalogue.objects.exists()


def test_an_administrator_loads_then_publishes_with_a_confirmation(cast, client_for):
    client = client_for("admin")
    response = client.post(
        reverse("testing:catalogue_upload"), {"file": SimpleUploadedFile("catalogue.yaml", sample_text().encode())}
    )
    assert response.status_code == 302 and response["Location"] == DETAIL("1.0")
    page = client.get(DETAIL("1.0")).content.decode()
    assert "Publish v1.0" in page and "published once the library has baselined it" in page
    publish = reverse("testing:catalogue_publish", args=["1.0"])
    refused = client.post(publish, {"confirm": "1"}, follow=True).content.decode()
    assert "which the library does not have" in refused
    library_version("1.0")
    unconfirmed = client.post(publish, {}, follow=True).content.decode()
    assert "Tick the box to confirm" in unconfirmed
    assert not TestCatalogue.objects.get(version="1.0").is_published
    done = client.post(publish, {"confirm": "1"}, follow=True).content.decode()
    assert "is published; it can no longer change" in done
    assert TestCatalogue.objects.get(version="1.0").is_published


def test_the_api_lists_and_returns_a_catalogue_with_its_cases(cast, client_for, token_for):
    publish_sample()
    client = client_for(None)
    listing = client.get("/api/v1/testing/catalogues", **token_for("lead_a")).json()
    assert [(c["version"], c["case_count"]) for c in listing["items"]] == [("1.0", 69)]
    body = client.get("/api/v1/testing/catalogues/1.0?role=SDS", **token_for("lead_a")).json()
    assert body["artefact_version"] == "MHHS-DEL9001 v1.0"
    assert [b["code"] for b in body["batches"]][:3] == ["FUNCTIONAL_1", "FUNCTIONAL_2", "FUNCTIONAL_3"]
    first = body["cases"][0]
    assert first["id"] == "QT-060" and first["roles"] == ["SDS"] and first["minimum_sets"] == ["NO_RELIANCE"]
    assert all("SDS" in c["roles"] for c in body["cases"]) and len(body["cases"]) == 13


def test_the_api_loads_and_publishes_for_an_administrator_only(cast, client_for, token_for):
    client = client_for(None)
    payload = {"content": sample_text("1.1"), "source_name": "catalogue-1.1.yaml"}
    refused = client.post("/api/v1/testing/catalogues", payload, content_type="application/json", **token_for("rec"))
    assert refused.status_code == 403
    created = client.post("/api/v1/testing/catalogues", payload, content_type="application/json", **token_for("admin"))
    assert created.status_code == 201 and created.json()["published_at"] is None
    assert client.get("/api/v1/testing/catalogues/1.1", **token_for("lead_a")).status_code == 404
    not_yet = client.post("/api/v1/testing/catalogues/1.1/publish", **token_for("admin"))
    assert not_yet.status_code == 422 and not_yet.json()["error"]["code"] == "artefact_not_baselined"
    library_version("1.1")
    published = client.post("/api/v1/testing/catalogues/1.1/publish", **token_for("admin"))
    assert published.status_code == 200 and published.json()["artefact_version"] == "MHHS-DEL9001 v1.1"
    assert client.get("/api/v1/testing/catalogues/1.1", **token_for("lead_a")).status_code == 200


def test_the_api_names_each_problem_of_a_bad_file(cast, client_for, token_for):
    bad = sample_text().replace("document: MHHS-DEL9001", "document: 9001")
    response = client_for(None).post(
        "/api/v1/testing/catalogues", {"content": bad}, content_type="application/json", **token_for("admin")
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "catalogue_file_invalid"
    assert error["details"]["problems"] == [
        {"line": 6, "field": "document", "message": "'9001' is not in the expected form (e.g. MHHS-DEL1234)"}
    ]


def test_the_api_reads_a_fixed_number_of_queries(cast, client_for):
    publish_sample()
    library_version("1.1")
    load("1.1")
    # A signed-in session, so every request costs the same to authenticate (tokens are remembered for a while).
    client, auth = client_for("bsc"), {}
    with CaptureQueriesContext(connection) as small:
        assert len(client.get("/api/v1/testing/catalogues/1.0?role=ADS", **auth).json()["cases"]) == 12
    with CaptureQueriesContext(connection) as full:
        assert len(client.get("/api/v1/testing/catalogues/1.0", **auth).json()["cases"]) == 69
    assert len(full.captured_queries) == len(small.captured_queries)
    with CaptureQueriesContext(connection) as listing:
        assert len(client.get("/api/v1/testing/catalogues", **auth).json()["items"]) == 2
    assert len(listing.captured_queries) <= len(small.captured_queries)
