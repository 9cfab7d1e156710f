"""Questions suppliers ask about an opportunity and the buyer's public answers.

Who asked is stored (for moderation and so the asker sees their own question) but never shown
to anyone else: not to other suppliers, not to the buyer, not in the API."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import Organisation
from tenders.models.opportunities import Opportunity

__all__ = ["Question"]


class Question(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(_("question"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    asked_by_company = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": Organisation.Kind.COMPANY},
    )
    asked_at = models.DateTimeField(default=timezone.now)
    # The question as published with the answer; the buyer may rephrase it to remove anything
    # that would identify the asker.
    public_text = models.TextField(_("question as published"), blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["opportunity", "asked_at", "pk"]
        indexes = [models.Index(fields=["opportunity", "answered_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                name="answered_question_has_answer",
            )
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def shown_text(self) -> str:
        return self.public_text or self.text
