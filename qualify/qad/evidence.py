"""Evidence files: size limit while the upload streams in, content-based type check, safe names, hashing on copy.

An upload never sits in memory: Django's TemporaryFileUploadHandler spools it to disk, ``SizeLimitHandler`` stops
it as soon as it passes ``QUALIFY_EVIDENCE_MAX_BYTES``, and ``HashingReader`` computes the SHA-256 while the storage
backend copies the file in chunks (local disk, or S3 through django-storages).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from typing import IO

import filetype  # type: ignore[import-untyped]  # filetype ships no type information
from django.conf import settings
from django.http import HttpRequest

from qualify.core.errors import ValidationFailed
from qualify.core.uploads import SizeLimitHandler
from qualify.core.uploads import install_upload_handlers as install_size_limit
from qualify.qad.choices import EVIDENCE_EXTENSIONS

HEAD_BYTES = 8192
_SAFE_NAME = re.compile(r"[^A-Za-z0-9 ._()\-]")


def max_bytes() -> int:
    return int(settings.QUALIFY_EVIDENCE_MAX_BYTES)


def describe_size(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size} bytes"


def too_big_error() -> ValidationFailed:
    return ValidationFailed(
        f"The file is larger than the {describe_size(max_bytes())} limit for evidence; split it or compress it.",
        details={"file": "too_large", "limit_bytes": max_bytes()},
        code="file_too_large",
    )


def install_upload_handlers(request: HttpRequest) -> SizeLimitHandler | None:
    """Spool this request's upload to disk and stop it past the limit (qualify/core/uploads.py)."""
    return install_size_limit(request, limit=max_bytes())


def check_name(name: str) -> tuple[str, str]:
    """A display name that is safe to show and store, and its extension; refuse names that try path tricks."""
    raw = name or ""
    if not raw.strip():
        raise ValidationFailed("The file has no name.", details={"file": "no_name"}, code="bad_file_name")
    if "/" in raw or "\\" in raw or "\x00" in raw or raw.strip().startswith(".") or ".." in raw:
        raise ValidationFailed(
            f"The file name {raw[:80]!r} contains a path or a hidden-file marker; upload it under a plain name.",
            details={"file": "path_in_name"},
            code="bad_file_name",
        )
    if any(unicodedata.category(ch).startswith("C") for ch in raw):
        raise ValidationFailed(
            "The file name contains control characters; rename it.", details={"file": "control_characters"}
        )
    normalised = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    safe = _SAFE_NAME.sub("_", normalised).strip(" ._")[:150]
    extension = safe.rsplit(".", 1)[-1].lower() if "." in safe else ""
    if extension not in EVIDENCE_EXTENSIONS:
        allowed = ", ".join(sorted(EVIDENCE_EXTENSIONS))
        raise ValidationFailed(
            f"Evidence must be one of these kinds of file: {allowed}; {raw[:80]!r} is not.",
            details={"file": "extension_not_allowed", "allowed": sorted(EVIDENCE_EXTENSIONS)},
            code="file_type_not_allowed",
        )
    return safe, extension


def sniff(stream: IO[bytes]) -> str:
    """What the content is, judged by its bytes, not its name: pdf, png, jpeg, docx, xlsx, zip, text or unknown."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    kind = filetype.guess(head)
    extension = kind.extension if kind is not None else ""
    if extension in ("pdf", "png"):
        return str(extension)
    if extension == "jpg":
        return "jpeg"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _office_or_zip(stream)
    if kind is None and _looks_like_text(head):
        return "text"
    return "unknown"


def _office_or_zip(stream: IO[bytes]) -> str:
    # Word and Excel files are zip archives; their part names say which (reads only the central directory).
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return "unknown"
    finally:
        stream.seek(0)
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return "docx"
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return "xlsx"
    return "zip"


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start >= len(head) - 3
    return True


def check_content(stream: IO[bytes], extension: str, size: int) -> str:
    """Refuse empty files, over-size files, unknown content and content that does not match the extension."""
    if size <= 0:
        raise ValidationFailed(
            "The file is empty (0 bytes); nothing was stored.", details={"file": "empty"}, code="file_empty"
        )
    if size > max_bytes():
        raise too_big_error()
    kind = sniff(stream)
    expected = EVIDENCE_EXTENSIONS[extension]
    if kind == "unknown":
        raise ValidationFailed(
            "The file's content is not a kind of file accepted as evidence (PDF, Word, Excel, CSV, text, PNG, JPEG or "
            "zip).",
            details={"file": "content_not_allowed"},
            code="file_type_not_allowed",
        )
    if kind != expected:
        raise ValidationFailed(
            f"The file's content is {kind.upper()}, which does not match its .{extension} extension.",
            details={"file": "content_does_not_match_extension", "content": kind, "extension": extension},
            code="file_type_mismatch",
        )
    return kind


class HashingReader:
    """A read-only file wrapper that hashes what the storage backend reads from it, chunk by chunk."""

    def __init__(self, raw: IO[bytes], size: int) -> None:
        self.raw = raw
        self.size = size
        self.digest = hashlib.sha256()
        self.read_bytes = 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.digest.update(data)
        self.read_bytes += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        if offset != 0 or whence != 0:
            raise OSError("HashingReader can only rewind to the start.")
        self.digest = hashlib.sha256()
        self.read_bytes = 0
        return int(self.raw.seek(0))

    def tell(self) -> int:
        return self.read_bytes

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        return None

    @property
    def closed(self) -> bool:
        return False

    def hexdigest(self) -> str:
        return self.digest.hexdigest()
