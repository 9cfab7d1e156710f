"""Sending a stored document to the browser. Every caller has checked visibility first; the
file is always an attachment, never rendered inline, so an uploaded file cannot act as a page
of this site."""

from __future__ import annotations

from django.http import FileResponse

from marketplace.core.errors import NotFound
from tenders.models import DocumentVersion


def document_response(version: DocumentVersion) -> FileResponse:
    try:
        handle = version.file.open("rb")
    except FileNotFoundError:
        raise NotFound() from None
    response = FileResponse(
        handle, as_attachment=True, filename=version.name, content_type=version.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
