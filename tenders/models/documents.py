"""Documents of an opportunity (specifications, forms, maps). A document keeps every version:
replacing it adds a version, the old one stays readable. Files live under MEDIA_ROOT, which
is never served directly; the download views check who may see the opportunity."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenders.models.opportunities import Opportunity

__all__ = ["Document", "DocumentVersion"]


def document_upload_to(instance: DocumentVersion, filename: str) -> str:
    """documents/<opportunity>/<random>/<safe name>: a random folder per version, so names never
    collide and a path cannot be guessed from another."""
    return (
        f"documents/{instance.document.opportunity_id}/{secrets.token_urlsafe(12)}/{instance.name}"
    )


class Document(models.Model):
    """One document of an opportunity; its content is the latest of its versions."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The newest version: kept here so lists need no subquery.
    current = models.ForeignKey(
        "DocumentVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["opportunity", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def latest(self) -> DocumentVersion | None:
        """The current version, taken from `versions` (no query when they are prefetched)."""
        return next((v for v in self.versions.all() if v.pk == self.current_id), None)


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    file = models.FileField(upload_to=document_upload_to, max_length=300)
    name = models.CharField(_("file name"), max_length=140)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="unique_document_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"
