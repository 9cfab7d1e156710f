"""Adding and replacing the documents of an opportunity.

Files are checked by content (marketplace.core.files.file_check: PDF, ODT, DOCX, XLSX or ZIP up
to 25 MB), stored under MEDIA_ROOT with a safe name, and never overwritten: replacing a document
adds a version and keeps the old one. On a public opportunity every new file writes a
`document_added` event, so followers hear of it.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from marketplace.core import clock
from marketplace.core.errors import ApplicationError, TransitionError
from marketplace.core.files import CheckedFile, file_check
from marketplace.core.models import User
from tenders import hooks
from tenders.models import Document, DocumentVersion, Opportunity, OpportunityEvent
from tenders.services.opportunities import _lock, _require_member

Status = Opportunity.Status
MAX_DOCUMENTS = 50


def _require_changeable(opportunity: Opportunity, now: dt.datetime) -> None:
    if opportunity.get_status(now) in (Status.AWARDED, Status.CANCELLED):
        raise TransitionError(
            _("This opportunity is %(status)s; its documents can no longer change.")
            % {"status": opportunity.get_status_display()}
        )


@contextmanager
def _files_removed_on_error():
    """Files written inside the block are deleted again if the block fails, so a refused or
    rolled-back upload leaves nothing behind under MEDIA_ROOT."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


def _add_version(
    *, document: Document, upload, checked: CheckedFile, by, note: str, now, written: list[str]
) -> DocumentVersion:
    last = document.versions.order_by("-version").values_list("version", flat=True).first()
    version = DocumentVersion(
        document=document,
        version=(last or 0) + 1,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        note=note,
        uploaded_by=by,
        uploaded_at=now,
    )
    upload.seek(0)
    version.file.save(checked.name, upload, save=False)
    written.append(version.file.name)
    version.save()
    document.current = version
    document.save(update_fields=["current"])
    return version


def _event(opportunity: Opportunity, *, document: Document, version: DocumentVersion, now) -> None:
    """Followers hear of new files on public opportunities; drafts are nobody's news yet."""
    if not opportunity.is_public:
        return
    OpportunityEvent.objects.create(
        opportunity=opportunity,
        type=OpportunityEvent.Type.DOCUMENT_ADDED,
        created_at=now,
        payload={
            "document": document.pk,
            "title": document.title,
            "version": version.version,
            "replaced": version.version > 1,
            "note": version.note,
        },
    )
    hooks.opportunity_changed(opportunity.pk, OpportunityEvent.Type.DOCUMENT_ADDED)


def document_add(
    *,
    opportunity: Opportunity,
    by: User | None,
    upload,
    title: str = "",
    description: str = "",
    now: dt.datetime | None = None,
) -> Document:
    """Add a document to an opportunity (members of its buyer; not once awarded or cancelled).

    `upload` is checked by content; a refused file raises ApplicationError on `file`. The title
    defaults to the file name. At most MAX_DOCUMENTS per opportunity."""
    now = now or clock.now()
    checked = file_check(upload, field="file")
    title = (title or "").strip() or checked.name
    if len(title) > 200:
        raise ApplicationError(
            _("The title is too long."), errors={"title": [_("Keep it under 200 characters.")]}
        )
    with _files_removed_on_error() as written, transaction.atomic():
        _lock(opportunity)
        if by is not None:
            _require_member(buyer=opportunity.buyer, by=by)
        _require_changeable(opportunity, now)
        count = opportunity.documents.count()
        if count >= MAX_DOCUMENTS:
            raise ApplicationError(
                _("An opportunity can have at most %(n)d documents. Combine some in a ZIP file.")
                % {"n": MAX_DOCUMENTS},
                errors={"file": [_("Too many documents.")]},
            )
        document = Document.objects.create(
            opportunity=opportunity,
            title=title,
            description=(description or "").strip()[:500],
            position=count,
            created_by=by,
            created_at=now,
        )
        version = _add_version(
            document=document,
            upload=upload,
            checked=checked,
            by=by,
            note="",
            now=now,
            written=written,
        )
        _event(opportunity, document=document, version=version, now=now)
    return document


def document_replace(
    *,
    document: Document,
    by: User | None,
    upload,
    note: str = "",
    now: dt.datetime | None = None,
) -> DocumentVersion:
    """Upload a new version of a document. The old versions stay available. After publishing,
    say what changed (`note`); followers are told."""
    now = now or clock.now()
    checked = file_check(upload, field="file")
    note = (note or "").strip()
    opportunity = document.opportunity
    with _files_removed_on_error() as written, transaction.atomic():
        _lock(opportunity)
        if by is not None:
            _require_member(buyer=opportunity.buyer, by=by)
        _require_changeable(opportunity, now)
        if opportunity.is_public and not note:
            raise ApplicationError(
                _("Say briefly what changed in this document; followers will see it."),
                errors={"note": [_("Required after publishing.")]},
            )
        version = _add_version(
            document=document,
            upload=upload,
            checked=checked,
            by=by,
            note=note[:500],
            now=now,
            written=written,
        )
        _event(opportunity, document=document, version=version, now=now)
    return version


def document_delete(*, document: Document, by: User) -> None:
    """Delete a document of a draft that was never published, with all its files. Once an
    opportunity has been public its documents stay (replace them instead)."""
    opportunity = document.opportunity
    with transaction.atomic():
        _lock(opportunity)
        _require_member(buyer=opportunity.buyer, by=by)
        if opportunity.published_at is not None:
            raise TransitionError(
                _("Documents of a published opportunity cannot be deleted; replace them instead.")
            )
        names = list(document.versions.values_list("file", flat=True))
        document.delete()
    for name in names:
        transaction.on_commit(lambda name=name: default_storage.delete(name))
