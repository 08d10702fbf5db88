"""Large uploads: spooled to disk while they arrive, and stopped as soon as they pass a size limit.

Evidence files and bulk events files share this: an upload must never sit in memory, and an oversized one must not
fill the disk before it is refused. Each caller names its own limit and turns ``exceeded`` into its own message.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest


class SizeLimitHandler(FileUploadHandler):
    """Stops reading an upload once it passes ``limit`` bytes; the view or endpoint checks ``exceeded`` and refuses.

    The rest of the request body is read and discarded (not kept), so the person gets a clear answer rather than a
    reset connection.
    """

    def __init__(self, request: HttpRequest | None = None, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: Any = None
    ) -> None:
        # A declared length well past the limit (allowing for multipart framing) is refused without reading it.
        if content_length and content_length > self.limit + 1024 * 1024:
            self.exceeded = True

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.exceeded or self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def install_upload_handlers(request: HttpRequest, *, limit: int) -> SizeLimitHandler | None:
    """The size limit and on-disk spooling for this request, if its body has not been read yet."""
    if hasattr(request, "_files"):
        return None
    handler = SizeLimitHandler(request, limit=limit)
    request.upload_handlers = [handler, TemporaryFileUploadHandler(request)]
    return handler
