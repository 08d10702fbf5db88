"""The section page's one evidence picker: find an uploaded file by name and attach it to a question, as a page of
its own without JavaScript and in a shared dialog with htmx; the section page no longer lists every file under every
question, so it grows with questions plus files, not their product."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qualify.qad.models import EvidenceLink
from qualify.qad.tests.helpers import open_qad, publish_sample, upload_pdf

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def qad(cast, media):
    publish_sample()
    return open_qad(cast.case_a, cast.actor("lead_a"))


def picker(cast, question: str = "Q-4.5.3", **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"question": question, **params}.items())
    return f"{reverse('qad:evidence_picker', args=[cast.case_a.reference])}?{query}"


def section(cast, number: str = "4.5") -> str:
    return reverse("qad:section", args=[cast.case_a.reference, number])


def choices(body: str) -> list[str]:
    return re.findall(r'<li data-testid="evidence-choice">\s*<span><strong>([^<]+)</strong>', body)


def uploads(cast, qad, names: list[str], questions=()) -> None:
    for name in names:
        upload_pdf(qad, cast.actor("lead_a"), list(questions), name=name)


def test_a_contributor_attaches_an_uploaded_file_without_javascript(cast, qad, client_for):
    uploads(cast, qad, ["DIP monitoring runbook.pdf", "PIT exit report.pdf"], questions=["Q-4.5.2"])
    client = client_for("contributor_a")
    page = client.get(section(cast))
    body = page.content.decode()
    link = f'href="{picker(cast)}"'
    assert link in body and "<option" not in body
    chooser = client.get(picker(cast)).content.decode()
    assert "<html" in chooser and f'href="{section(cast)}#q-Q-4_5_3"' in chooser
    assert choices(chooser) == ["PIT exit report.pdf", "DIP monitoring runbook.pdf"]  # newest first
    evidence = EvidenceLink.objects.filter(question_id="Q-4.5.2", evidence__original_name__startswith="DIP").get()
    attached = client.post(
        reverse("qad:evidence_link", args=[cast.case_a.reference]),
        {"evidence": str(evidence.evidence.uuid), "question": "Q-4.5.3", "next": f"{section(cast)}#q-Q-4_5_3"},
    )
    assert attached.status_code == 302 and attached["Location"] == f"{section(cast)}#q-Q-4_5_3"
    assert EvidenceLink.objects.filter(question_id="Q-4.5.3", evidence=evidence.evidence).exists()
    again = client.get(picker(cast)).content.decode()
    assert "Attach DIP monitoring runbook.pdf" not in again and "Attach PIT exit report.pdf" in again


def test_the_picker_searches_by_name_and_answers_htmx_with_just_the_picker(cast, qad, client_for):
    uploads(cast, qad, ["Controls matrix.xlsx.pdf", "DIP runbook.pdf", "dip certificates.pdf"])
    client = client_for("lead_a")
    found = client.get(picker(cast, search="dip"), **HTMX).content.decode()
    assert "<html" not in found and 'id="evidence-results"' in found
    assert choices(found) == ["dip certificates.pdf", "DIP runbook.pdf"]
    nothing = client.get(picker(cast, search="zzz"), **HTMX).content.decode()
    assert choices(nothing) == [] and "No uploaded file" in nothing


def test_the_picker_shows_the_twenty_newest_matches_and_says_there_are_more(cast, qad, client_for):
    uploads(cast, qad, [f"evidence {i:02d}.pdf" for i in range(23)])
    body = client_for("lead_a").get(picker(cast)).content.decode()
    assert choices(body) == [f"evidence {i:02d}.pdf" for i in range(22, 2, -1)]
    assert "type more of the name" in body
    assert choices(client_for("lead_a").get(picker(cast, search="evidence+01")).content.decode()) == ["evidence 01.pdf"]


def test_viewers_and_assessors_see_the_files_but_cannot_attach(cast, qad, client_for):
    uploads(cast, qad, ["runbook.pdf"])
    for who in ("viewer_a", "bsc"):
        body = client_for(who).get(picker(cast)).content.decode()
        assert choices(body) == ["runbook.pdf"] and "Attach runbook.pdf" not in body
        assert "but not attach them" in body
        assert 'data-testid="pick-4.5.3"' not in client_for(who).get(section(cast)).content.decode()


def test_the_picker_is_not_found_for_another_organisation_or_an_unknown_question(cast, qad, client_for):
    uploads(cast, qad, ["runbook.pdf"])
    assert client_for("lead_b").get(picker(cast)).status_code == 404
    assert client_for("lead_a").get(picker(cast, question="Q-9.9.9")).status_code == 404
    assert client_for("lead_a").get(reverse("qad:evidence_picker", args=[cast.case_a.reference])).status_code == 404


def _measure(client, url: str, **kw) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kw)
    assert response.status_code == 200
    return len(queries), len(response.content)


def test_the_section_page_and_the_picker_do_not_grow_with_uploaded_files(cast, qad, client_for):
    client = client_for("lead_a")
    uploads(cast, qad, [f"first {i}.pdf" for i in range(3)], questions=["Q-4.5.2"])
    client.get(section(cast))  # the first visit opens nothing new afterwards; measure from the second
    small = [_measure(client, section(cast)), _measure(client, picker(cast)), _measure(client, picker(cast), **HTMX)]
    uploads(cast, qad, [f"later {i:02d}.pdf" for i in range(30)])
    large = [_measure(client, section(cast)), _measure(client, picker(cast)), _measure(client, picker(cast), **HTMX)]
    assert [queries for queries, _ in large] == [queries for queries, _ in small]
    # the section page is the same size with 3 or 33 uploaded files (none of the new ones attached to its questions)
    assert large[0][1] == small[0][1]
