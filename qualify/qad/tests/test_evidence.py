"""Evidence: stored once under a generated name, hashed, size-limited, type-checked by content, served only to the
organisation and its assessors; every refusal says why and leaves nothing behind."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qualify.core.errors import NotAllowed, ValidationFailed
from qualify.qad.models import EvidenceFile, EvidenceLink
from qualify.qad.services import evidence_link, evidence_upload
from qualify.qad.tests.helpers import PDF, open_qad, publish_sample

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def qad(cast, media):
    publish_sample()
    return open_qad(cast.case_a, cast.actor("lead_a"))


def stored_files(media) -> list[Any]:
    return [p for p in media.rglob("*") if p.is_file()]


def upload(cast, qad, data: bytes, name: str, key: str = "contributor_a", questions=()):
    return evidence_upload(
        actor=cast.actor(key),
        response=qad,
        upload=io.BytesIO(data),
        name=name,
        size=len(data),
        evidence_as_of=dt.date(2026, 2, 1),
        question_ids=questions,
    )


def office_file(part: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return out.getvalue()


def test_evidence_is_hashed_stored_under_a_generated_name_and_linked_to_several_questions(cast, qad, media):
    data = PDF + b"report body"
    evidence = upload(cast, qad, data, "PIT exit report (final).pdf", questions=["Q-3.1", "Q-1.2"])
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert evidence.original_name == "PIT exit report (final).pdf"
    assert evidence.evidence_as_of == dt.date(2026, 2, 1) and evidence.created_at is not None
    files = stored_files(media)
    assert len(files) == 1 and files[0].read_bytes() == data
    assert "PIT" not in files[0].name and files[0].name.startswith(evidence.uuid.hex)
    evidence_link(actor=cast.actor("lead_a"), response=qad, evidence=evidence, question_id="Q-4.5.2")
    assert set(EvidenceLink.objects.values_list("question_id", flat=True)) == {"Q-3.1", "Q-1.2", "Q-4.5.2"}


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (office_file("word/document.xml"), "procedure.docx"),
        (office_file("xl/workbook.xml"), "rttm.xlsx"),
        (b"id,result\nQT-093,pass\n", "results.csv"),
        ("Notes — résumé\n".encode(), "notes.txt"),
        (PNG, "screen.png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 32, "photo.JPG"),
        (office_file("logs/run.log"), "logs.zip"),
    ],
)
def test_each_accepted_kind_of_file_is_recognised_by_its_content(cast, qad, data, name):
    assert upload(cast, qad, data, name).size == len(data)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.pdf", "empty (0 bytes)"),
        (b"MZ\x90\x00" + b"\x00" * 64, "tool.exe", "must be one of these kinds of file"),
        (b"MZ\x90\x00" + b"\x00" * 64, "tool.pdf", "not a kind of file accepted"),
        (PNG, "scan.pdf", "content is PNG, which does not match its .pdf extension"),
        (PDF, "report.docx", "content is PDF, which does not match its .docx extension"),
        (office_file("word/document.xml"), "sheet.xlsx", "content is DOCX"),
        (PDF, "../../etc/cron.d/x.pdf", "contains a path"),
        (PDF, "..\\windows\\x.pdf", "contains a path"),
        (PDF, ".hidden.pdf", "hidden-file marker"),
        (PDF, "report.pdf\x00.exe", "contains a path"),
        (PDF, "no-extension", "must be one of these kinds of file"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_error_and_nothing_is_stored(cast, qad, media, data, name, message):
    with pytest.raises(ValidationFailed, match=message.replace("(", r"\(").replace(")", r"\)")):
        upload(cast, qad, data, name)
    assert stored_files(media) == []
    assert not EvidenceFile.objects.exists()


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(cast, qad, media, settings):
    settings.QUALIFY_EVIDENCE_MAX_BYTES = 1000
    with pytest.raises(ValidationFailed, match="larger than the 1000 bytes limit"):
        upload(cast, qad, PDF + b"x" * 2000, "big.pdf")
    assert stored_files(media) == [] and not EvidenceFile.objects.exists()


def test_staff_and_viewers_cannot_upload(cast, qad, media):
    for key in ("viewer_a", "bsc", "admin"):
        with pytest.raises(NotAllowed):
            upload(cast, qad, PDF, "x.pdf", key=key)
    assert stored_files(media) == []


def test_a_huge_upload_over_http_is_stopped_while_it_streams(cast, qad, media, settings, client_for):
    settings.QUALIFY_EVIDENCE_MAX_BYTES = 1000
    client = client_for("contributor_a")
    big = SimpleUploadedFile("big.pdf", PDF + b"x" * 50_000, content_type="application/pdf")
    response = client.post(
        reverse("qad:evidence_upload", args=[cast.case_a.reference]),
        {"file": big, "evidence_as_of": "2026-02-01"},
        follow=True,
    )
    assert "larger than the 1000 bytes limit" in response.content.decode()
    assert stored_files(media) == [] and not EvidenceFile.objects.exists()


def test_a_huge_upload_over_the_api_is_refused_with_the_error_shape(cast, qad, media, settings, client_for, token_for):
    settings.QUALIFY_EVIDENCE_MAX_BYTES = 1000
    big = SimpleUploadedFile("big.pdf", PDF + b"x" * 50_000, content_type="application/pdf")
    response = client_for(None).post(
        f"/api/v1/qad/cases/{cast.case_a.reference}/evidence",
        {"file": big, "evidence_as_of": "2026-02-01"},
        **token_for("contributor_a"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "file_too_large"
    assert stored_files(media) == []


def multipart(filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = "qualifyboundary"
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="evidence_as_of"\r\n\r\n2026-02-01\r\n'
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("filename", ["../../etc/passwd", "..", ".htaccess", "C:\\\\boot.ini"])
def test_path_tricks_in_an_uploaded_name_store_nothing(cast, qad, media, client_for, token_for, filename):
    body, content_type = multipart(filename, b"root:x:0:0:root:/root:/bin/bash\n")
    response = client_for(None).generic(
        "POST",
        f"/api/v1/qad/cases/{cast.case_a.reference}/evidence",
        body,
        content_type=content_type,
        **token_for("contributor_a"),
    )
    assert response.status_code == 422, response.content
    assert response.json()["error"]["message"]
    assert stored_files(media) == [] and not EvidenceFile.objects.exists()


def test_upload_over_the_api_returns_the_hash(cast, qad, media, client_for, token_for):
    data = PDF + b"api"
    response = client_for(None).post(
        f"/api/v1/qad/cases/{cast.case_a.reference}/evidence",
        {
            "file": SimpleUploadedFile("tcr.pdf", data),
            "evidence_as_of": "2026-02-01",
            "questions": "Q-3.1,Q-3.2",
        },
        **token_for("contributor_a"),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["sha256"] == hashlib.sha256(data).hexdigest() and body["evidence_as_of"] == "2026-02-01"
    assert EvidenceLink.objects.count() == 2


def test_evidence_is_served_only_to_the_organisation_and_its_assessors(cast, qad, media, client_for):
    data = PDF + b"secret"
    evidence = upload(cast, qad, data, "controls.pdf")
    url = reverse("qad:evidence_download", args=[str(evidence.uuid)])
    for key in ("lead_a", "viewer_a", "bsc", "dip", "auditor"):
        response = client_for(key).get(url)
        assert response.status_code == 200, key
        assert b"".join(response.streaming_content) == data
        assert 'filename="controls.pdf"' in response["Content-Disposition"]
    assert client_for("lead_b").get(url).status_code == 404
    assert client_for("machine").get(url).status_code == 302  # a machine's session is not honoured: sign in first
    assert client_for(None).get(url).status_code == 302
    stored = stored_files(media)[0].relative_to(media)
    assert client_for("lead_a").get(f"/media/{stored}").status_code == 404


def test_a_failure_after_the_copy_removes_the_stored_file(cast, qad, media, monkeypatch):
    def broken_audit(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr("qualify.qad.services.audit_record", broken_audit)
    with pytest.raises(RuntimeError, match="audit log unavailable"):
        upload(cast, qad, PDF + b"body", "report.pdf", questions=["Q-3.1"])
    assert stored_files(media) == []
    assert not EvidenceFile.objects.exists() and not EvidenceLink.objects.exists()


def test_a_closed_case_offers_no_upload_form_and_refuses_an_upload(cast, qad, media, client_for):
    from qualify.cases.models import QualificationCase

    client = client_for("lead_a")
    overview = reverse("qad:case", args=[cast.case_a.reference])
    upload_url = reverse("qad:evidence_upload", args=[cast.case_a.reference])
    assert f'action="{upload_url}"' in client.get(overview).content.decode()  # open: the form is there
    QualificationCase.objects.filter(pk=cast.case_a.pk).update(state="WITHDRAWN")  # set-up only: closed for good
    page = client.get(overview).content.decode()
    assert f'action="{upload_url}"' not in page and 'enctype="multipart/form-data"' not in page
    section = client.get(reverse("qad:section", args=[cast.case_a.reference, "4.5"]))
    assert section.status_code == 200 and 'type="file"' not in section.content.decode()
    with pytest.raises(NotAllowed, match="withdrawn"):
        upload(cast, qad, PDF, "late.pdf", key="lead_a")
    assert not stored_files(media) and not EvidenceFile.objects.exists()
