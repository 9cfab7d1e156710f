"""Saved searches, follows, alert preferences and the alert outbox.

The outbox (`Alert`) is the source of truth: one row per (user, opportunity, reason), written
under a unique constraint, so finding recipients twice never adds a row. Delivery claims a row
with a conditional update, sends it, and marks it sent; a periodic sweep re-enqueues whatever
is left pending (a dead worker, Redis down at publish time).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Alert",
    "AlertPreference",
    "Cadence",
    "Digest",
    "Follow",
    "ProcessedEvent",
    "SavedSearch",
]


class Cadence(models.TextChoices):
    INSTANT = "instant", _("instant")
    DAILY = "daily", _("daily digest")
    WEEKLY = "weekly", _("weekly digest")


class SavedSearch(models.Model):
    """A stored search (the same parameters as the search page and the API) with a cadence."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(_("name"), max_length=120)
    params = models.JSONField(
        _("search"), default=dict, help_text=_("Search parameters, as in /api/v1/search/.")
    )
    cadence = models.CharField(
        _("how often"), max_length=10, choices=Cadence.choices, default=Cadence.DAILY
    )
    is_paused = models.BooleanField(_("paused"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["user", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def percolator_key(self) -> str:
        return f"saved-search:{self.pk}"


class Follow(models.Model):
    """A user follows an opportunity: changes, new documents and answers, reminders."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    opportunity = models.ForeignKey(
        "tenders.Opportunity", on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["user", "opportunity"], name="unique_follow")
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.opportunity_id}"


class AlertPreference(models.Model):
    """One row per user: the 'matches for you' alert, the weekly cap, and bounce state."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_preference"
    )
    matches_enabled = models.BooleanField(
        _("email me opportunities that match my company"), default=True
    )
    match_threshold = models.PositiveSmallIntegerField(
        _("minimum match score"),
        default=35,  # MatchWeights.threshold: what matching itself calls a match
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Only opportunities that match your company at least this well (0 to 100)."),
    )
    matches_cadence = models.CharField(
        _("how often for matches"), max_length=10, choices=Cadence.choices, default=Cadence.DAILY
    )
    weekly_cap = models.PositiveSmallIntegerField(
        _("at most this many instant emails a week"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text=_("Past the cap, alerts wait for your next digest instead."),
    )
    unsubscribed_all_at = models.DateTimeField(null=True, blank=True)
    bounce_count = models.PositiveIntegerField(default=0)
    bouncing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("alert preference")
        verbose_name_plural = _("alert preferences")

    def __str__(self) -> str:
        return f"Alert preferences of {self.user}"

    @property
    def receives_email(self) -> bool:
        return self.unsubscribed_all_at is None and self.bouncing_since is None


class Digest(models.Model):
    """One digest email per user and period (`daily:2026-11-27`, `weekly:2026-W48`)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests"
    )
    cadence = models.CharField(max_length=10, choices=Cadence.choices)
    period = models.CharField(max_length=30)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [
            models.UniqueConstraint(fields=["user", "period"], name="unique_digest_period")
        ]

    def __str__(self) -> str:
        return f"{self.period} for {self.user}"


class Alert(models.Model):
    """One opportunity announced to one user once, for one reason (the outbox)."""

    class Reason(models.TextChoices):
        SAVED_SEARCH = "saved_search", _("matches your saved search")
        MATCH = "match", _("matches your company")
        FOLLOW = "follow", _("an opportunity you follow changed")
        REMINDER = "reminder", _("deadline reminder")
        INVITE = "invite", _("invitation to apply")
        NOTICE = "notice", _("news about your application")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("not sent")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts"
    )
    opportunity = models.ForeignKey(
        "tenders.Opportunity", on_delete=models.CASCADE, related_name="alerts"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    reason_key = models.CharField(
        max_length=80, help_text="saved-search:12, match, event:345, reminder:7d ..."
    )
    saved_search = models.ForeignKey(
        SavedSearch, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.INSTANT)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    why = models.TextField(blank=True, help_text="Why it matched, in plain words.")
    subject_extra = models.CharField(
        max_length=300, blank=True, help_text="What happened, for notices."
    )
    # Notices (application receipts and status, invitations) are rendered when they happen, in
    # the recipient's language, and delivered as they were written.
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(
        max_length=32, blank=True, db_index=True, help_text="Which delivery run claimed the row."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    digest = models.ForeignKey(
        Digest, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "opportunity", "reason_key"], name="unique_alert_per_reason"
            )
        ]
        indexes = [
            models.Index(fields=["status", "cadence", "next_attempt_at"]),
            models.Index(fields=["user", "status", "cadence"]),
            models.Index(
                fields=["status", "claimed_at"],
                condition=Q(status="sending"),
                name="alert_sending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason_key} → {self.user} ({self.status})"


class ProcessedEvent(models.Model):
    """An opportunity event whose recipients have been written to the outbox."""

    event = models.OneToOneField(
        "tenders.OpportunityEvent", on_delete=models.CASCADE, related_name="+"
    )
    processed_at = models.DateTimeField(default=timezone.now)
    alerts_written = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"event {self.event_id}"
