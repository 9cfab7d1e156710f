"""Company profiles, and what matching stores: feedback on matches and invitations to apply."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import Competency, CpvCode, Organisation, Region


class CompanyProfile(models.Model):
    """What a company can do, where and for whom: one per company organisation. Name, KvK
    number, size class, place and website live on the Organisation."""

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="profile",
        limit_choices_to={"kind": Organisation.Kind.COMPANY},
    )
    description = models.TextField(
        _("what your company does"),
        blank=True,
        help_text=_("In plain words: your product or service, for whom, and what makes it work."),
    )
    main_offering = models.CharField(_("main product or service"), max_length=200, blank=True)
    trl = models.PositiveSmallIntegerField(
        _("technology readiness (TRL 1-9)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("Of your main offering: 1 is an idea, 9 is proven in daily use."),
    )
    founding_year = models.PositiveSmallIntegerField(
        _("founded in"), null=True, blank=True, validators=[MinValueValidator(1800)]
    )
    team_size = models.PositiveIntegerField(
        _("team size (people)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    languages = models.JSONField(
        _("languages you work in"),
        default=list,
        blank=True,
        help_text=_('Language codes, e.g. ["nl", "en"].'),
    )
    logo = models.FileField(_("logo"), upload_to="logos/", blank=True)
    is_public = models.BooleanField(
        _("show a public company page"),
        default=False,
        help_text=_(
            "Your page at /companies/ is visible to everyone, and buyers can find and invite you."
        ),
    )
    cpv_interests = models.ManyToManyField(
        CpvCode, blank=True, related_name="interested_profiles", verbose_name=_("CPV interests")
    )
    regions = models.ManyToManyField(
        Region, blank=True, related_name="served_by_profiles", verbose_name=_("regions served")
    )
    # Stemmed words of the profile for matching, refreshed by the services on every change:
    # {"terms": {stem: count}, "surface": {stem: word}}.
    match_text = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("company profile")
        verbose_name_plural = _("company profiles")
        indexes = [models.Index(fields=["is_public"], name="profile_public_idx")]

    def __str__(self) -> str:
        return f"Profile of {self.organisation}"


class CompanyCompetency(models.Model):
    """A competency a company claims, at a level, with optional evidence."""

    class Level(models.IntegerChoices):
        BASIC = 1, _("basic")
        EXPERIENCED = 2, _("experienced")
        EXPERT = 3, _("expert")

    profile = models.ForeignKey(
        CompanyProfile, on_delete=models.CASCADE, related_name="competency_levels"
    )
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, default=Level.EXPERIENCED
    )
    evidence_reference = models.ForeignKey(
        "CompanyReference",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reference project"),
    )
    evidence_url = models.URLField(_("link to evidence"), blank=True)

    class Meta:
        verbose_name = _("company competency")
        verbose_name_plural = _("company competencies")
        ordering = ["profile", "-level", "competency__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "competency"], name="unique_profile_competency"
            )
        ]
        indexes = [models.Index(fields=["competency", "profile"], name="competency_profile_idx")]

    def __str__(self) -> str:
        return f"{self.competency} ({self.get_level_display()})"


class CompanyReference(models.Model):
    """A past project: what, for whom, when."""

    profile = models.ForeignKey(CompanyProfile, on_delete=models.CASCADE, related_name="references")
    title = models.CharField(_("project"), max_length=200)
    client = models.CharField(_("client"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, validators=[MinValueValidator(1900)]
    )
    description = models.TextField(_("what you did"), blank=True)
    url = models.URLField(_("link"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("reference project")
        verbose_name_plural = _("reference projects")
        ordering = ["profile", "position", "-year", "pk"]

    def __str__(self) -> str:
        return self.title


class MatchFeedback(models.Model):
    """A company's "relevant" / "not relevant" on an opportunity it was shown. It moves similar
    opportunities in its ranking and is kept, with the score shown, for evaluating matching."""

    company = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="match_feedback"
    )
    opportunity = models.ForeignKey(
        "tenders.Opportunity", on_delete=models.CASCADE, related_name="match_feedback"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    is_relevant = models.BooleanField()
    score = models.PositiveSmallIntegerField(help_text="The score when the feedback was given.")
    weights_version = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("match feedback")
        verbose_name_plural = _("match feedback")
        constraints = [
            models.UniqueConstraint(fields=["company", "opportunity"], name="unique_match_feedback")
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {'+' if self.is_relevant else '-'} {self.opportunity_id}"


class MatchInvitation(models.Model):
    """A buyer's invitation to a suggested company to apply to an opportunity."""

    opportunity = models.ForeignKey(
        "tenders.Opportunity", on_delete=models.CASCADE, related_name="match_invitations"
    )
    company = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="match_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.TextField(_("personal message"), blank=True)
    score = models.PositiveSmallIntegerField(default=0)
    reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation to apply")
        verbose_name_plural = _("invitations to apply")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "company"], name="unique_match_invitation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.company} invited to {self.opportunity_id}"


from suppliers.models_alerts import *  # noqa: E402, F403  (saved searches, follows, the outbox)
