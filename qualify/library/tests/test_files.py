"""Only PDF, Word and Excel files are accepted, recognised by content; stored under generated names with SHA-256."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from qualify.core.errors import Conflict, ValidationFailed
from qualify.library.choices import FileKind, FileType
from qualify.library.services import version_file_attach
from qualify.library.tests.helpers import PDF, admin, docx_bytes, make_artefact, make_version, xlsx_bytes


@pytest.fixture
def version(cast):
    return make_version(make_artefact(), with_files=False)


def _attach(version, data: bytes, name: str, kind=FileKind.CLEAN):
    return version_file_attach(actor=admin(), version=version, kind=kind, handle=io.BytesIO(data), name=name)


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [(PDF, "a.pdf", FileType.PDF), (docx_bytes(), "a.DOCX", FileType.DOCX), (xlsx_bytes(), "a.xlsx", FileType.XLSX)],
)
def test_pdf_word_and_excel_files_are_accepted_and_hashed(version, data, name, expected):
    attached = _attach(version, data, name)
    assert attached.file_type == expected
    assert attached.sha256 == hashlib.sha256(data).hexdigest() and attached.size == len(data)
    assert attached.file.read() == data


def test_stored_name_is_generated_never_the_uploaders(version):
    attached = _attach(version, PDF, "../../etc/passwd .pdf")
    assert attached.file.name.startswith(f"library/{version.artefact.uuid}/{version.uuid}/clean-")
    assert "passwd" not in attached.file.name and attached.original_name == "../../etc/passwd .pdf"


def _zip(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for n in names:
            package.writestr(n, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "problem"),
    [
        (b"MZ\x90\x00 not a document", "report.pdf", "content_not_allowed"),
        (b"<html>hello</html>", "page.docx", "content_not_allowed"),
        (PDF, "sneaky.exe", "type_not_allowed"),
        (PDF, "no-extension", "type_not_allowed"),
        (PDF, "renamed.docx", "content_does_not_match_name"),
        (xlsx_bytes(), "sheet.docx", "content_does_not_match_name"),
        (_zip(["evil.sh"]), "archive.docx", "content_not_allowed"),
        (_zip(["[Content_Types].xml", "ppt/presentation.xml"]), "deck.docx", "content_not_allowed"),
        (b"PK\x03\x04 truncated", "broken.xlsx", "content_not_allowed"),
    ],
)
def test_other_content_is_refused_whatever_its_name(version, data, name, problem):
    with pytest.raises(ValidationFailed) as refused:
        _attach(version, data, name)
    assert refused.value.details == {"file": problem}
    assert not version.files.exists()


def test_files_are_frozen_once_the_version_leaves_draft(cast, version):
    from qualify.library.services import version_approve

    version_approve(actor=admin(), version=version)
    with pytest.raises(Conflict):
        _attach(version, PDF, "late.pdf")
