"""Imports of public notices (TED eForms, OCDS, EU funding calls) and claims of imported buyers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import Organisation
from tenders.models.opportunities import Opportunity

__all__ = ["ImportRecord", "ImportedNotice", "OrganisationClaim"]


class ImportRecord(models.Model):
    """Where an imported opportunity comes from: one per opportunity, keyed like the opportunity
    (source, procedure id). Keeps the texts in every language of the source, the language shown
    on the opportunity, and a hash of what was applied last, so a repeated import changes nothing."""

    opportunity = models.OneToOneField(
        Opportunity, on_delete=models.CASCADE, related_name="import_record"
    )
    source = models.CharField(max_length=20, choices=Opportunity.Source.choices)
    procedure_id = models.CharField(
        _("procedure identifier"),
        max_length=200,
        help_text=_("eForms ContractFolderID, OCDS ocid, or funding call code."),
    )
    primary_language = models.CharField(_("language shown"), max_length=8, blank=True)
    translations = models.JSONField(
        _("texts in other languages"),
        default=dict,
        blank=True,
        help_text='{"nl": {"title": ..., "description": ...}, ...}',
    )
    notice_type = models.CharField(max_length=40, blank=True)
    last_notice_id = models.CharField(max_length=200, blank=True)
    last_notice_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    extra = models.JSONField(
        default=dict,
        blank=True,
        help_text="Facts of the source that have no field of their own (values in other "
        "currencies, other buyers, notes on how a field was derived).",
    )
    first_imported_at = models.DateTimeField(default=timezone.now)
    last_imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("import record")
        verbose_name_plural = _("import records")
        indexes = [models.Index(fields=["source", "procedure_id"])]

    def __str__(self) -> str:
        return f"{self.source}:{self.procedure_id}"

    @property
    def languages(self) -> list[str]:
        return [self.primary_language, *sorted(k for k in self.translations if k)]


class ImportedNotice(models.Model):
    """One source document seen by an import (an eForms notice, an OCDS release, a funding call
    topic). Unique per source: importing the same notice again is recognised and skipped."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("created an opportunity")
        UPDATED = "updated", _("updated an opportunity")
        UNCHANGED = "unchanged", _("changed nothing")
        OLDER = "older", _("older than what was imported before")

    source = models.CharField(max_length=20, choices=Opportunity.Source.choices)
    notice_id = models.CharField(max_length=200)
    record = models.ForeignKey(ImportRecord, on_delete=models.CASCADE, related_name="notices")
    publication_number = models.CharField(max_length=40, blank=True)
    version = models.CharField(max_length=20, blank=True)
    notice_type = models.CharField(max_length=40, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=500, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("imported notice")
        verbose_name_plural = _("imported notices")
        ordering = ["record", "issued_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "notice_id"], name="unique_imported_notice_id"
            )
        ]
        indexes = [models.Index(fields=["source", "publication_number"])]

    def __str__(self) -> str:
        return f"{self.source}:{self.notice_id}"


class OrganisationClaim(models.Model):
    """A signed-in person says an imported, unclaimed buyer organisation is theirs. Operators
    approve it in the admin; the person then becomes an admin of the organisation."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="claims",
        limit_choices_to={"kind": Organisation.Kind.BUYER},
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_claims"
    )
    message = models.TextField(
        _("how you are connected to this organisation"),
        help_text=_("Your role there, and how we can check it (for example your work email)."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("organisation claim")
        verbose_name_plural = _("organisation claims")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=models.Q(status="pending"),
                name="one_pending_claim_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} claims {self.organisation}"
