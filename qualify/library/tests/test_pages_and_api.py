"""The public library, downloads, the consultation pages, notices and reminders, the API, and query-count guards."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qualify.library.choices import CommentStatus, GoverningBody, VersionStatus
from qualify.library.models import Comment, Consultation
from qualify.library.services import approval_record, version_approve
from qualify.library.tests.helpers import (
    BEFORE_OPENING,
    DURING,
    PDF,
    admin,
    comment,
    make_artefact,
    make_version,
    member,
    open_consultation,
    setup_consultation,
)
from qualify.notifications.models import Notification

NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)


def _baseline(version):
    version_approve(actor=admin(), version=version)
    for body in version.artefact.required_bodies:
        approval_record(
            actor=member(body),
            version=version,
            body=body,
            decision="APPROVE",
            decided_on=dt.date(2026, 11, 19),
            minutes_reference="M-1",
        )


@pytest.fixture
def library(cast):
    with time_machine.travel(NOW, tick=False):
        qap = make_artefact("MHHS-DEL1234", "QA&P", "Qualification", title="Qualification Approach and Plan")
        v1 = make_version(qap, "1.0")
        _baseline(v1)
        v2 = make_version(qap, "2.0")
        _baseline(v2)
        draft = make_version(qap, "2.1")
        catalogue = make_artefact("MHHS-DEL2001", "QT catalogue", "Testing", subtype="Catalogue")
        cat_v = make_version(catalogue, "0.2")
        _baseline(cat_v)
    return {"qap": qap, "v1": v1, "v2": v2, "draft": draft, "catalogue": catalogue, "cat_v": cat_v}


def test_public_library_lists_current_baselines_grouped_by_theme(library, client_for):
    page = client_for(None).get("/library/").content.decode()
    assert page.count('data-testid="baseline-row"') == 2
    assert page.index("<h2>Qualification</h2>") < page.index("<h2>Testing</h2>")
    assert "v2.0" in page and "v1.0" not in page and "v2.1" not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"search": "approach"}, ["QA&amp;P"]),
        ({"search": "del2001"}, ["QT catalogue"]),
        ({"theme": "Testing"}, ["QT catalogue"]),
        ({"subtype": "Approach document"}, ["QA&amp;P"]),
        ({"search": "nothing"}, []),
    ],
)
def test_library_search_and_filters(library, client_for, query, expected):
    page = client_for(None).get("/library/", query, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in page
    assert page.count('data-testid="baseline-row"') == len(expected)
    for name in expected:
        assert name in page


def test_older_versions_stay_reachable_and_drafts_are_staff_only(library, client_for):
    url = "/library/artefacts/MHHS-DEL1234/"
    public = client_for(None).get(url).content.decode()
    assert public.count('data-testid="version-row"') == 2 and "Superseded" in public and "v2.1" not in public
    staff = client_for("bsc").get(url).content.decode()
    assert staff.count('data-testid="version-row"') == 3
    assert client_for(None).get(f"/library/versions/{library['v1'].uuid}/").status_code == 200
    assert client_for(None).get(f"/library/versions/{library['draft'].uuid}/").status_code == 404
    assert client_for("lead_a").get(f"/library/versions/{library['draft'].uuid}/").status_code == 404
    assert client_for("admin").get(f"/library/versions/{library['draft'].uuid}/").status_code == 200


def test_public_downloads_only_for_the_published_record(library, client_for):
    response = client_for(None).get(f"/library/versions/{library['v1'].uuid}/files/clean/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="MHHS-DEL1234-v1.0-clean.pdf"' in response["Content-Disposition"]
    assert client_for(None).get(f"/library/versions/{library['draft'].uuid}/files/clean/").status_code == 404
    assert client_for("lead_a").get(f"/library/versions/{library['draft'].uuid}/files/clean/").status_code == 404
    assert client_for("dip").get(f"/library/versions/{library['draft'].uuid}/files/redline/").status_code == 200
    assert client_for(None).get(f"/library/versions/{library['v1'].uuid}/files/other/").status_code == 404


def test_a_participant_submits_a_comment_and_saves_a_draft_through_the_page(cast, client_for):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        setup = setup_consultation()
    client = client_for("contributor_a")
    url = f"/library/consultations/{setup.consultation.uuid}/comments/"
    form = {"version": str(setup.version.uuid), "clause_reference": "4.5", "text": "Unclear", "category": "QUESTION"}
    with time_machine.travel(DURING, tick=False):
        client.post(url, {**form, "action": "submit", "publish_with_name": "on"})
        client.post(url, {**form, "clause_reference": "4.6", "action": "draft"})
        page = client.get(f"/library/consultations/{setup.consultation.uuid}/").content.decode()
    saved = dict(Comment.objects.values_list("clause_reference", "status"))
    assert saved == {"4.5": CommentStatus.SUBMITTED, "4.6": CommentStatus.DRAFT}
    assert Comment.objects.get(clause_reference="4.5").publish_with_name is True
    assert page.count('data-testid="own-comment"') == 2


def test_no_comments_confirmation_through_the_page(cast, client_for):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        setup = setup_consultation()
    with time_machine.travel(DURING, tick=False):
        url = f"/library/consultations/{setup.consultation.uuid}/no-comments/"
        asked = client_for("lead_b").post(url)  # final for the organisation: it asks first and records nothing
        assert 'data-testid="confirmation-page"' in asked.content.decode()
        assert (
            'data-testid="no-comments-confirmed"'
            not in client_for("lead_b").get(url[: -len("no-comments/")]).content.decode()
        )
        client_for("lead_b").post(url, {"confirm": "on"})
        page = client_for("lead_b").get(f"/library/consultations/{setup.consultation.uuid}/").content.decode()
        log = client_for("admin").get(f"/library/consultations/{setup.consultation.uuid}/log/").content.decode()
    assert 'data-testid="no-comments-confirmed"' in page
    assert "Reviewed with no comments: Southbank Power plc" in log


def test_opening_a_consultation_tells_every_participant(cast, django_capture_on_commit_callbacks):
    with time_machine.travel(BEFORE_OPENING, tick=False), django_capture_on_commit_callbacks(execute=True):
        setup = setup_consultation()
    notices = Notification.objects.filter(kind="library.consultation_opened")
    assert notices.count() == 3  # Northwind's lead and contributor, Southbank's lead; not viewers or staff
    assert "17:00 on Fri 30 Oct 2026" in notices.first().body
    assert len(mail.outbox) == 3 and setup.consultation.reference in mail.outbox[0].subject


def test_staff_open_a_consultation_with_uk_dates_defaulting_to_17_00(cast, client_for):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        version = make_version(make_artefact())
        response = client_for("admin").post(
            "/library/consultations/new/",
            {
                "title": "QA&P v1.0",
                "versions": [str(version.uuid)],
                "opens_on": "2026-10-01",
                "opens_time": "09:00",
                "closes_on": "2026-10-30",
                "closes_time": "",
            },
        )
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert consultation.closes_at == dt.datetime(2026, 10, 30, 17, tzinfo=dt.UTC)
    version.refresh_from_db()
    assert version.status == VersionStatus.IN_CONSULTATION


def test_reminder_goes_a_week_before_the_close_once(cast):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        setup = setup_consultation()
    out = io.StringIO()
    with time_machine.travel(dt.datetime(2026, 10, 20, 6, tzinfo=dt.UTC), tick=False):
        call_command("send_consultation_reminders", stdout=out)  # ten days before: too early
    assert "0 reminders sent" in out.getvalue()
    with time_machine.travel(dt.datetime(2026, 10, 23, 18, tzinfo=dt.UTC), tick=False):
        call_command("send_consultation_reminders", stdout=out)
        call_command("send_consultation_reminders", stdout=out)
    assert "1 reminder sent" in out.getvalue()
    assert Notification.objects.filter(kind="library.consultation_closing").count() == 3
    setup.consultation.refresh_from_db()
    assert setup.consultation.reminder_sent_at is not None
    with time_machine.travel(dt.datetime(2026, 10, 29, 6, tzinfo=dt.UTC), tick=False):
        call_command("send_consultation_reminders", stdout=out)
    assert Notification.objects.filter(kind="library.consultation_closing").count() == 3


def test_reminder_is_not_sent_for_a_closed_consultation(cast):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        setup_consultation()
    with time_machine.travel(dt.datetime(2026, 11, 1, tzinfo=dt.UTC), tick=False):
        call_command("send_consultation_reminders", stdout=io.StringIO())
    assert not Notification.objects.filter(kind="library.consultation_closing").exists()


def test_api_lists_artefacts_with_visible_versions(library, client_for, token_for):
    data = client_for(None).get("/api/v1/library/artefacts", **token_for("lead_a")).json()
    qap = next(a for a in data["items"] if a["document_number"] == "MHHS-DEL1234")
    assert [v["version"] for v in qap["versions"]] == ["2.0", "1.0"]
    staff = client_for(None).get("/api/v1/library/artefacts/MHHS-DEL1234", **token_for("admin")).json()
    assert [v["version"] for v in staff["versions"]] == ["2.1", "2.0", "1.0"]
    one = client_for(None).get(f"/api/v1/library/versions/{library['v2'].uuid}", **token_for("lead_b")).json()
    assert one["status"] == "BASELINED"
    assert {a["body"]: a["latest_decision"] for a in one["approvals"]} == dict.fromkeys(GoverningBody.values, "APPROVE")


def test_api_participant_saves_and_submits_a_comment(cast, client_for, token_for):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        setup = setup_consultation()
    headers = token_for("lead_a")
    with time_machine.travel(DURING, tick=False):
        created = client_for(None).post(
            f"/api/v1/library/consultations/{setup.consultation.uuid}/comments",
            {"version": str(setup.version.uuid), "clause_reference": "2.3", "text": "Typo", "category": "TYPO"},
            content_type="application/json",
            **headers,
        )
        assert created.status_code == 201 and created.json()["status"] == "DRAFT"
        key = created.json()["uuid"]
        submitted = client_for(None).post(f"/api/v1/library/comments/{key}/submit", **headers)
    assert submitted.json()["status"] == "SUBMITTED"
    answered = client_for(None).post(
        f"/api/v1/library/comments/{key}/answer",
        {"response": "Fixed.", "outcome": "ACCEPTED"},
        content_type="application/json",
        **token_for("admin"),
    )
    assert answered.status_code == 200 and answered.json()["outcome"] == "ACCEPTED"


def _queries(client, url, **kw):
    client.get(url, **kw)  # warm up: a token's first use records itself
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **kw).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_and_endpoints_do_not_query_per_row(cast, client_for, token_for):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        setup = setup_consultation()
    staff, participant, api = client_for("admin"), client_for("lead_a"), client_for(None)
    consultation = setup.consultation.uuid
    targets = [
        (client_for(None), "/library/", {}),
        (staff, "/library/artefacts/MHHS-DEL1234/", {}),
        (staff, "/library/consultations/", {}),
        (staff, f"/library/consultations/{consultation}/log/", {}),
        (participant, f"/library/consultations/{consultation}/", {}),
        (staff, "/library/manage/", {}),
        (api, "/api/v1/library/artefacts", token_for("admin")),
        (api, "/api/v1/library/consultations", token_for("admin")),
        (api, f"/api/v1/library/consultations/{consultation}/comments", token_for("admin")),
    ]

    def measure():
        with time_machine.travel(DURING, tick=False):
            return [_queries(client, url, **kw) for client, url, kw in targets]

    def grow(n):
        with time_machine.travel(BEFORE_OPENING, tick=False):
            for i in range(n):
                artefact = make_artefact(f"MHHS-DEL{5000 + len(grown) * 10 + i}", f"Doc {i}", f"Theme {i % 2}")
                version = make_version(artefact)
                _open_and_baseline(version)
                open_consultation(make_version(artefact, "9.0"), title=f"Doc {i}")
        with time_machine.travel(DURING, tick=False):
            for i in range(n):
                comment(cast, setup, "lead_a", clause=f"{len(grown)}.{i}")
                comment(cast, setup, "lead_b", clause=f"{len(grown)}.{i}", submit=False)
        grown.append(n)

    grown: list[int] = []
    grow(1)
    before = measure()
    grow(4)
    assert measure() == before


def _open_and_baseline(version):
    version_approve(actor=admin(), version=version)
    for body in version.artefact.required_bodies:
        approval_record(
            actor=member(body),
            version=version,
            body=body,
            decision="APPROVE",
            decided_on=dt.date(2026, 9, 1),
            minutes_reference="M-2",
        )


def test_the_programme_adds_a_document_and_drafts_a_version_with_its_files(cast, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from qualify.library.models import Artefact

    client = client_for("admin")
    response = client.post(
        "/library/manage/",
        {
            "document_number": "MHHS-DEL0042",
            "short_name": "QAD",
            "theme": "Qualification",
            "subtype": "Questionnaire",
            "required_bodies": ["BSC_PAB", "REC_PAB"],
        },
    )
    assert response.status_code == 302
    artefact = Artefact.objects.get(document_number="MHHS-DEL0042")
    assert artefact.required_bodies == ["BSC_PAB", "REC_PAB"]
    client.post(
        "/library/artefacts/MHHS-DEL0042/versions/",
        {
            "version": "3.01",
            "release_notes": "P476 exemption questions",
            "clean_file": SimpleUploadedFile("qad.pdf", PDF, content_type="application/pdf"),
        },
    )
    version = artefact.versions.get()
    assert version.version == "3.01" and version.files.get().file_type == "pdf"


def test_a_refused_file_refuses_the_whole_version(cast, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    artefact = make_artefact()
    response = client_for("admin").post(
        f"/library/artefacts/{artefact.document_number}/versions/",
        {"version": "1.0", "clean_file": SimpleUploadedFile("qad.pdf", b"MZ not a pdf")},
        follow=True,
    )
    assert "not a PDF, Word or Excel document" in response.content.decode()
    assert not artefact.versions.exists()


def test_a_bad_document_number_is_refused(cast, client_for):
    response = client_for("admin").post(
        "/library/manage/",
        {"document_number": "DEL-1234", "short_name": "Old", "theme": "T", "required_bodies": ["QAG"]},
    )
    assert "MHHS-DEL followed by four digits" in response.content.decode()


def test_a_participant_edits_its_draft_until_the_close(cast, client_for):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        setup = setup_consultation()
    with time_machine.travel(DURING, tick=False):
        draft = comment(cast, setup, "lead_a", submit=False)
        client_for("contributor_a").post(
            f"/library/comments/{draft.uuid}/",
            {
                "version": str(setup.version.uuid),
                "clause_reference": "3.9",
                "text": "Better wording",
                "category": "TYPO",
            },
        )
    draft.refresh_from_db()
    assert (draft.clause_reference, draft.text, draft.category) == ("3.9", "Better wording", "TYPO")


# --- the public library at size: pages, links reversed once, queries that do not grow ------------------------------


def _baselined(count: int, *, start: int = 0, with_files: bool = False, theme=lambda i: f"Theme {i % 3}"):
    with time_machine.travel(NOW, tick=False):
        for i in range(start, start + count):
            artefact = make_artefact(f"MHHS-DEL{6000 + i}", f"Doc {i:03d}", theme(i), subtype="Annex")
            _baseline(make_version(artefact, "1.0", with_files=with_files))


def _rows(body: str) -> int:
    return body.count('data-testid="baseline-row"')


def test_the_library_lists_fifty_documents_a_page_grouped_by_theme_within_the_page(cast, client_for):
    _baselined(62)
    client = client_for(None)
    first = client.get("/library/").content.decode()
    assert _rows(first) == 50 and "Documents 1 to 50 of 62" in first
    assert first.count("<h2>Theme 0</h2>") == first.count("<h2>Theme 1</h2>") == 1
    assert 'rel="next" href="/library/?page=2"' in first and 'rel="prev"' not in first
    second = client.get("/library/", {"page": 2}).content.decode()
    assert _rows(second) == 12 and "Documents 51 to 62 of 62" in second
    assert 'rel="prev" href="/library/?page=1"' in second and 'rel="next"' not in second
    # every document is on exactly one page
    names = {f"Doc {i:03d}" for i in range(62)}
    assert {n for n in names if f">{n}</a>" in first}.isdisjoint({n for n in names if f">{n}</a>" in second})
    assert {n for n in names if f">{n}</a>" in first + second} == names


def test_library_page_links_keep_the_filters_and_work_through_htmx(cast, client_for):
    _baselined(55, theme=lambda i: "Testing")
    _baselined(5, start=100, theme=lambda i: "Migration")
    client = client_for(None)
    first = client.get("/library/", {"theme": "Testing", "search": "doc"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in first and _rows(first) == 50 and "Documents 1 to 50 of 55" in first
    link = "/library/?theme=Testing&amp;search=doc&amp;page=2"  # the filters in the order the request gave them
    assert f'href="{link}" hx-get="{link}" hx-target="#baselines"' in first
    second = client.get("/library/", {"search": "doc", "theme": "Testing", "page": 2}, HTTP_HX_REQUEST="true")
    body = second.content.decode()
    assert _rows(body) == 5 and "Migration" not in body and "Documents 51 to 55 of 55" in body
    # a page past the end shows the last page rather than failing
    assert _rows(client.get("/library/", {"theme": "Testing", "page": 99}).content.decode()) == 5


def test_library_links_are_the_urls_reverse_gives(library, client_for):
    from django.urls import reverse

    body = client_for(None).get("/library/").content.decode()
    v2 = library["v2"]
    for url in (
        reverse("library:artefact", args=["MHHS-DEL1234"]),
        reverse("library:version", args=[v2.uuid]),
        reverse("library:download", args=[v2.uuid, "clean"]),
        reverse("library:download", args=[v2.uuid, "redline"]),
    ):
        assert f'href="{url}"' in body


def test_the_library_page_costs_the_same_queries_with_five_documents_or_seventy(cast, client_for):
    _baselined(5, with_files=True)
    client = client_for(None)
    small = [_queries(client, "/library/"), _queries(client, "/library/?theme=Theme+1&search=doc")]
    _baselined(65, start=5, with_files=True)
    large = [_queries(client, "/library/?page=2"), _queries(client, "/library/?search=doc&page=2")]
    assert large == small
    # the page count, the page, its files, the filter menus
    assert small == [4, 4]


def test_the_artefacts_endpoint_answers_a_bounded_page(cast, client_for, token_for):
    _baselined(3)
    client, auth = client_for(None), token_for("lead_a")
    body = client.get("/api/v1/library/artefacts", {"limit": 2, "theme": "Theme 1"}, **auth).json()
    assert body["count"] == 1 and len(body["items"]) == 1
    page = client.get("/api/v1/library/artefacts", {"limit": 2, "offset": 2}, **auth).json()
    assert page["count"] == 3 and [a["short_name"] for a in page["items"]] == ["Doc 002"]
    too_many = client.get("/api/v1/library/artefacts", {"limit": 201}, **auth)
    assert too_many.status_code == 422 and too_many.json()["error"]["code"] == "validation_failed"
    assert client.get("/api/v1/library/artefacts", {"limit": 200}, **auth).status_code == 200


def test_a_versions_approvals_are_named_in_words_not_codes(library, client_for):
    from django.urls import reverse

    page = client_for(None).get(reverse("library:version", args=[library["v2"].uuid])).content.decode()
    approvals = page[page.index("<table") :]
    assert "BSC Performance Assurance Board" in approvals and "Approve" in approvals
    assert "BSC_PAB" not in page and "APPROVE" not in page
