"""Applications: a company's answer to an opportunity (a bid, a grant application, a co-creation
proposal, a request to use a test location), its submitted versions, files, evaluation and log.

The draft is a working copy the company changes as it goes. Submitting freezes it into an
`ApplicationVersion` with a content hash; the buyer only ever reads versions, never drafts.
State changes go through `tenders.services.applications`; every one is logged as an
`ApplicationEvent`.
"""

from __future__ import annotations

import os
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import Organisation
from tenders.models.opportunities import AwardCriterion, Lot, Opportunity

__all__ = [
    "Application",
    "ApplicationEvent",
    "ApplicationFile",
    "ApplicationQuestion",
    "ApplicationScore",
    "ApplicationVersion",
    "SealedBoxOpening",
]


class ApplicationQuestion(models.Model):
    """A question a buyer adds to the application form of one opportunity."""

    class Type(models.TextChoices):
        TEXT = "text", _("text")
        NUMBER = "number", _("number")
        YES_NO = "yes_no", _("yes or no")
        CHOICE = "choice", _("choice")
        FILE = "file", _("file")

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="application_questions"
    )
    text = models.CharField(_("question"), max_length=500)
    help_text = models.TextField(_("explanation"), blank=True)
    type = models.CharField(_("type of answer"), max_length=10, choices=Type.choices)
    choices = models.JSONField(
        _("choices"), default=list, blank=True, help_text=_("The options, for a choice question.")
    )
    is_required = models.BooleanField(_("required"), default=True)
    word_limit = models.PositiveIntegerField(
        _("word limit"), null=True, blank=True, help_text=_("For text answers.")
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("application question")
        verbose_name_plural = _("application questions")
        ordering = ["opportunity", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class Application(models.Model):
    """One company's application to one opportunity; at most one live one per pair."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        WITHDRAWN = "withdrawn", _("withdrawn")
        SHORTLISTED = "shortlisted", _("shortlisted")
        REJECTED = "rejected", _("not successful")
        AWARDED = "awarded", _("successful")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")

    # Submitted and not withdrawn: what the buyer receives (and counts in a sealed box).
    RECEIVED = (
        Status.SUBMITTED,
        Status.SHORTLISTED,
        Status.REJECTED,
        Status.AWARDED,
        Status.APPROVED,
        Status.DECLINED,
    )
    DECIDED = (Status.REJECTED, Status.AWARDED, Status.APPROVED, Status.DECLINED)

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.PROTECT, related_name="applications"
    )
    company = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="applications",
        limit_choices_to={"kind": Organisation.Kind.COMPANY},
        verbose_name=_("lead company"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    draft = models.JSONField(_("working copy"), default=dict, blank=True)
    current_version = models.ForeignKey(
        "ApplicationVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    feedback = models.TextField(_("feedback to the applicant"), blank=True)
    feedback_at = models.DateTimeField(null=True, blank=True)
    booked_starts_on = models.DateField(_("booked from"), null=True, blank=True)
    booked_ends_on = models.DateField(_("booked until"), null=True, blank=True)
    awarded_lots = models.ManyToManyField(Lot, blank=True, related_name="+")

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["opportunity", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "company"],
                condition=~Q(status="withdrawn"),
                name="one_live_application_per_company",
            ),
            models.CheckConstraint(
                condition=Q(booked_starts_on__isnull=True)
                | Q(booked_ends_on__isnull=True)
                | Q(booked_starts_on__lte=models.F("booked_ends_on")),
                name="booking_starts_before_end",
            ),
        ]

    def __str__(self) -> str:
        return f"Application {self.pk} to opportunity {self.opportunity_id}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("application-detail", kwargs={"pk": self.pk})

    @property
    def is_received(self) -> bool:
        return self.status in self.RECEIVED

    @property
    def has_unsubmitted_changes(self) -> bool:
        if self.current_version is None:
            return self.status == self.Status.DRAFT
        return self.draft != self.current_version.draft


def _upload_to(instance: ApplicationFile, filename: str) -> str:
    # A random folder per file: names may repeat, and paths must not be guessable.
    return os.path.join(
        "applications", str(instance.application_id), secrets.token_hex(8), filename
    )


class ApplicationFile(models.Model):
    """An uploaded file for one slot of the form (`document:<id>` for a required document,
    `question:<id>` for a file question). Files that went into a submitted version are
    locked and never deleted; the draft points at the current file per slot."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    slot = models.CharField(max_length=40)
    file = models.FileField(upload_to=_upload_to, max_length=400)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    is_locked = models.BooleanField(default=False, help_text="Part of a submitted version.")

    class Meta:
        verbose_name = _("application file")
        verbose_name_plural = _("application files")
        ordering = ["application", "slot", "uploaded_at"]
        indexes = [models.Index(fields=["application", "slot"])]

    def __str__(self) -> str:
        return self.name


class ApplicationVersion(models.Model):
    """What was submitted, frozen: the rendered content (self-describing, so later changes to
    the opportunity do not change its meaning), the working copy it came from, and the SHA-256
    of the canonical JSON of `content`. Never changed after creation."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    draft = models.JSONField(default=dict)
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64)
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "number"], name="unique_application_version"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.number} of application {self.application_id}"


class ApplicationScore(models.Model):
    """One evaluator's score (0 to 10) for one award criterion of one application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(AwardCriterion, on_delete=models.CASCADE, related_name="+")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    note = models.TextField(blank=True)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["application", "criterion", "evaluator"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion", "evaluator"], name="one_score_per_evaluator"
            ),
            models.CheckConstraint(condition=Q(score__lte=10), name="score_at_most_ten"),
        ]

    def __str__(self) -> str:
        return f"{self.score}/10"


class ApplicationEvent(models.Model):
    """The audit log: every state change of an application, who did it and when.
    Internal events (scores) are shown to the buyer only."""

    class Type(models.TextChoices):
        CREATED = "created", _("draft started")
        SUBMITTED = "submitted", _("submitted")
        WITHDRAWN = "withdrawn", _("withdrawn")
        OPENED = "opened", _("opened by the buyer")
        SCORED = "scored", _("scored")
        SHORTLISTED = "shortlisted", _("shortlisted")
        REJECTED = "rejected", _("not successful")
        AWARDED = "awarded", _("successful")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")
        FEEDBACK = "feedback", _("feedback written")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=20, choices=Type.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    is_internal = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.type} {self.application_id}"


class SealedBoxOpening(models.Model):
    """A buyer opened the sealed box of an opportunity after its deadline. Opening counts for
    the deadline it was made after: if the deadline is later moved, the box is sealed again."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="box_openings"
    )
    deadline = models.DateTimeField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    application_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("opening of the sealed box")
        verbose_name_plural = _("openings of the sealed box")
        ordering = ["opportunity", "opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "deadline"], name="one_opening_per_deadline"
            )
        ]

    def __str__(self) -> str:
        return f"Opened {self.opportunity_id} at {self.opened_at}"
