"""Events-file uploads: spooled to disk while they arrive, refused as soon as they pass the size limit.

An events file for the whole market is gigabytes; it must never sit in memory, and an oversized one must not fill
the disk before it is refused. The limit is ``QUALIFY_GATING_MAX_BYTES`` (3 GB unless the settings say otherwise).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest

from qualify.core.errors import ValidationFailed
from qualify.gating.models import InputFormat

DEFAULT_MAX_BYTES = 3 * 1024**3
EXTENSIONS = {".csv": InputFormat.CSV, ".parquet": InputFormat.PARQUET, ".pq": InputFormat.PARQUET}


def max_bytes() -> int:
    return int(getattr(settings, "QUALIFY_GATING_MAX_BYTES", DEFAULT_MAX_BYTES))


def too_big_error() -> ValidationFailed:
    limit = max_bytes()
    shown = f"{limit / 1024**3:.1f} GB" if limit >= 1024**3 else f"{limit:,} bytes"
    return ValidationFailed(
        f"The events file is larger than the {shown} limit; split it into several files.",
        details={"file": "too_large", "limit_bytes": limit},
        code="file_too_large",
    )


def input_format(name: str) -> InputFormat:
    """CSV or Parquet, by the file's extension (the reader checks the content)."""
    dot = name.rfind(".")
    extension = name[dot:].lower() if dot >= 0 else ""
    try:
        return EXTENSIONS[extension]
    except KeyError:
        raise ValidationFailed(
            f"{name[:80]!r} is not an events file: upload a .csv or a .parquet file.",
            details={"file": "extension_not_allowed", "allowed": sorted(EXTENSIONS)},
            code="file_type_not_allowed",
        ) from None


class SizeLimitHandler(FileUploadHandler):
    """Stops reading an upload once it passes the limit; the view or endpoint checks ``exceeded`` and refuses."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.received = 0
        self.exceeded = False

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: Any = None
    ) -> None:
        if content_length and content_length > max_bytes() + 1024 * 1024:
            self.exceeded = True

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.exceeded or self.received > max_bytes():
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def install_upload_handlers(request: HttpRequest) -> SizeLimitHandler | None:
    """Size limit and on-disk spooling for this request, if its body has not been read yet."""
    if hasattr(request, "_files"):
        return None
    limit = SizeLimitHandler(request)
    request.upload_handlers = [limit, TemporaryFileUploadHandler(request)]
    return limit
