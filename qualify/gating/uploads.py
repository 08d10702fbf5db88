"""Events-file uploads: spooled to disk while they arrive, refused as soon as they pass the size limit.

An events file for the whole market is gigabytes; it must never sit in memory, and an oversized one must not fill
the disk before it is refused. The limit is ``QUALIFY_GATING_MAX_BYTES`` (3 GB unless the settings say otherwise).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from qualify.core.errors import ValidationFailed
from qualify.core.uploads import SizeLimitHandler
from qualify.core.uploads import install_upload_handlers as install_size_limit
from qualify.gating.models import InputFormat

EXTENSIONS = {".csv": InputFormat.CSV, ".parquet": InputFormat.PARQUET, ".pq": InputFormat.PARQUET}


def max_bytes() -> int:
    return int(settings.QUALIFY_GATING_MAX_BYTES)


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


def install_upload_handlers(request: HttpRequest) -> SizeLimitHandler | None:
    """Spool this request's upload to disk and stop it past the limit (qualify/core/uploads.py)."""
    return install_size_limit(request, limit=max_bytes())
