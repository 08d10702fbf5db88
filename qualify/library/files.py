"""Accepting a version's files: only PDF, Word (.docx) and Excel (.xlsx), recognised by their content.

A name can lie; the first bytes cannot easily. PDF starts with ``%PDF-``; .docx and .xlsx are ZIP packages (``PK``)
whose parts name what they are (``word/document.xml``, ``xl/workbook.xml``). The declared extension must agree with
the content, files are stored under a generated name (never the uploader's), and their SHA-256 is kept.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from typing import IO

from qualify.core.errors import ValidationFailed
from qualify.library.choices import FileType

MAX_BYTES = 50 * 1024 * 1024
_EXTENSIONS = {".pdf": FileType.PDF, ".docx": FileType.DOCX, ".xlsx": FileType.XLSX}


@dataclass(frozen=True)
class CheckedFile:
    file_type: FileType
    sha256: str
    size: int


def _sniff(handle: IO[bytes]) -> FileType | None:
    handle.seek(0)
    head = handle.read(8)
    handle.seek(0)
    if head.startswith(b"%PDF-"):
        return FileType.PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(handle) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        handle.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return FileType.DOCX
    if "xl/workbook.xml" in names:
        return FileType.XLSX
    return None


def check_upload(handle: IO[bytes], name: str) -> CheckedFile:
    """The file's type, digest and size; ValidationFailed when it is not an allowed type or its name disagrees."""
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    declared = _EXTENSIONS.get(extension)
    if declared is None:
        raise ValidationFailed(
            "Only PDF, Word (.docx) and Excel (.xlsx) files can be published.", details={"file": "type_not_allowed"}
        )
    detected = _sniff(handle)
    if detected is None:
        raise ValidationFailed(
            "The file's content is not a PDF, Word or Excel document.", details={"file": "content_not_allowed"}
        )
    if detected != declared:
        raise ValidationFailed(
            f"The file is named {extension} but its content is {detected.label}.",
            details={"file": "content_does_not_match_name"},
        )
    digest = hashlib.sha256()
    size = 0
    handle.seek(0)
    while chunk := handle.read(1024 * 1024):
        digest.update(chunk)
        size += len(chunk)
        if size > MAX_BYTES:
            raise ValidationFailed("The file is larger than 50 MB.", details={"file": "too_large"})
    handle.seek(0)
    if size == 0:
        raise ValidationFailed("The file is empty.", details={"file": "empty"})
    return CheckedFile(file_type=detected, sha256=digest.hexdigest(), size=size)
