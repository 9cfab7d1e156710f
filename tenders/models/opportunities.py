"""The opportunity: one model for four kinds, with kind-specific details beside it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import Competency, CpvCode, Organisation, Region

__all__ = [
    "Amendment",
    "AvailabilityWindow",
    "Award",
    "AwardCriterion",
    "CoCreationDetails",
    "CoCreationPhase",
    "FundingDetails",
    "Lot",
    "Opportunity",
    "OpportunityEvent",
    "OpportunityQuerySet",
    "RequiredDocument",
    "TenderDetails",
    "TestLocationDetails",
]


class OpportunityQuerySet(models.QuerySet):
    """Status is derived from timestamps; these filters say the same thing in SQL."""

    @staticmethod
    def q_public() -> Q:
        """Published and not withdrawn since: visible to everyone (also when closed or ended)."""
        return Q(published_at__isnull=False) & (
            Q(withdrawn_at__isnull=True) | Q(withdrawn_at__lt=F("published_at"))
        )

    @classmethod
    def q_status(cls, status: str, now: dt.datetime) -> Q:
        not_ended = Q(cancelled_at__isnull=True, awarded_at__isnull=True)
        if status == Opportunity.Status.CANCELLED:
            return Q(cancelled_at__isnull=False)
        if status == Opportunity.Status.AWARDED:
            return Q(cancelled_at__isnull=True, awarded_at__isnull=False)
        if status == Opportunity.Status.DRAFT:
            return not_ended & ~cls.q_public()
        if status == Opportunity.Status.CLOSED:
            return not_ended & cls.q_public() & Q(closes_at__lte=now)
        if status == Opportunity.Status.PUBLISHED:
            return not_ended & cls.q_public() & (Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        raise ValueError(f"unknown status {status!r}")

    def public(self) -> OpportunityQuerySet:
        return self.filter(self.q_public())

    def with_status(self, *statuses: str, now: dt.datetime | None = None) -> OpportunityQuerySet:
        now = now or timezone.now()
        q = Q()
        for status in statuses:
            q |= self.q_status(status, now)
        return self.filter(q)

    def open(self, now: dt.datetime | None = None) -> OpportunityQuerySet:
        """Published and accepting applications."""
        return self.with_status(Opportunity.Status.PUBLISHED, now=now)


class Opportunity(models.Model):
    """Anything a public party offers to companies: a tender, a funding call, a co-creation call
    or a test location. Status is derived from the timestamps (see `status`); it changes only
    through the services in `tenders.services`."""

    class Kind(models.TextChoices):
        TENDER = "tender", _("tender")
        FUNDING = "funding", _("funding call")
        CO_CREATION = "co_creation", _("co-creation call")
        TEST_LOCATION = "test_location", _("test location")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("open")
        CLOSED = "closed", _("closed")
        AWARDED = "awarded", _("awarded")
        CANCELLED = "cancelled", _("cancelled")

    class Source(models.TextChoices):
        KANSEN = "kansen", _("published on Kansen")
        TED = "ted", _("TED (eForms)")
        OCDS = "ocds", _("OCDS publication")
        EU_FUNDING = "eu_funding", _("EU Funding & Tenders Portal")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    buyer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="opportunities",
        limit_choices_to={"kind": Organisation.Kind.BUYER},
        verbose_name=_("buyer"),
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("In one minute: what is asked, for whom, by when.")
    )
    description = models.TextField(_("description"), blank=True)
    competencies = models.ManyToManyField(
        Competency, blank=True, related_name="opportunities", verbose_name=_("competencies")
    )
    cpv_codes = models.ManyToManyField(
        CpvCode, blank=True, related_name="opportunities", verbose_name=_("CPV codes")
    )
    main_cpv = models.ForeignKey(
        CpvCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("main CPV code"),
    )
    regions = models.ManyToManyField(
        Region, blank=True, related_name="opportunities", verbose_name=_("regions")
    )
    budget_min = models.DecimalField(
        _("budget from (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    budget_max = models.DecimalField(
        _("budget up to (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)
    question_deadline = models.DateTimeField(_("question deadline"), null=True, blank=True)
    is_sme_suitable = models.BooleanField(_("suitable for SMEs"), default=False)
    is_first_timer_friendly = models.BooleanField(
        _("friendly to first-time applicants"), default=False
    )
    languages = models.JSONField(
        _("languages"), default=list, blank=True, help_text=_('Language codes, e.g. ["nl", "en"].')
    )
    apply_checklist = models.JSONField(
        _("what you need to apply"),
        default=list,
        blank=True,
        help_text=_("Plain-language list of what an applicant must prepare."),
    )
    is_sealed = models.BooleanField(
        _("sealed until the deadline"),
        default=False,
        help_text=_("Nobody can read applications before the deadline. Default for tenders."),
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    awarded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    source = models.CharField(max_length=20, choices=Source.choices, default=Source.KANSEN)
    source_id = models.CharField(max_length=200, blank=True, db_index=True)
    source_url = models.URLField(max_length=500, blank=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-published_at", "-created_at"]
        indexes = [
            models.Index(fields=["kind", "closes_at"]),
            models.Index(fields=["buyer", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~Q(source="kansen"),
                name="unique_imported_source_id",
            ),
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True)
                | Q(budget_max__isnull=True)
                | Q(budget_min__lte=F("budget_max")),
                name="budget_min_not_above_max",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("opportunity-detail", kwargs={"pk": self.pk})

    def get_status(self, now: dt.datetime | None = None) -> str:
        """The status at `now`, from the timestamps."""
        now = now or timezone.now()
        if self.cancelled_at:
            return self.Status.CANCELLED
        if self.awarded_at:
            return self.Status.AWARDED
        if not self.is_public:
            return self.Status.DRAFT
        if self.closes_at and now >= self.closes_at:
            return self.Status.CLOSED
        return self.Status.PUBLISHED

    @property
    def status(self) -> str:
        return self.get_status()

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)

    @property
    def is_public(self) -> bool:
        return self.published_at is not None and (
            self.withdrawn_at is None or self.withdrawn_at < self.published_at
        )

    def is_open(self, now: dt.datetime | None = None) -> bool:
        return self.get_status(now) == self.Status.PUBLISHED


class TenderDetails(models.Model):
    class Procedure(models.TextChoices):
        OPEN = "open", _("open procedure")
        RESTRICTED = "restricted", _("restricted procedure")
        NEGOTIATED = "negotiated", _("negotiated procedure")
        COMPETITIVE_DIALOGUE = "competitive_dialogue", _("competitive dialogue")
        INNOVATION_PARTNERSHIP = "innovation_partnership", _("innovation partnership")
        INVITED_QUOTES = "invited_quotes", _("invited quotes (below the threshold)")
        OTHER = "other", _("other procedure")

    opportunity = models.OneToOneField(Opportunity, on_delete=models.CASCADE, related_name="tender")
    procedure = models.CharField(
        _("procedure"), max_length=30, choices=Procedure.choices, blank=True
    )
    estimated_value = models.DecimalField(
        _("estimated value (EUR, excl. VAT)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    contract_duration_months = models.PositiveIntegerField(
        _("contract duration (months)"), null=True, blank=True
    )

    def __str__(self) -> str:
        return f"Tender details of {self.opportunity_id}"


class Lot(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="lots")
    number = models.CharField(_("lot"), max_length=30)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    cpv_codes = models.ManyToManyField(CpvCode, blank=True, related_name="+")
    estimated_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["opportunity", "number"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "number"], name="unique_lot_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.title}"


class AwardCriterion(models.Model):
    class Type(models.TextChoices):
        PRICE = "price", _("price")
        QUALITY = "quality", _("quality")
        COST = "cost", _("cost")

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="award_criteria"
    )
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.QUALITY)
    name = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(blank=True)
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    word_limit = models.PositiveIntegerField(_("word limit for the answer"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["opportunity", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight}%)"


class RequiredDocument(models.Model):
    """A document every applicant must supply (UEA/ESPD, KvK extract, insurance ...)."""

    class Type(models.TextChoices):
        UEA = "uea", _("UEA / ESPD (European Single Procurement Document)")
        KVK_EXTRACT = "kvk_extract", _("KvK extract (Chamber of Commerce)")
        INSURANCE = "insurance", _("proof of insurance")
        REFERENCES = "references", _("references")
        CV = "cv", _("CVs of key people")
        PLAN = "plan", _("plan of approach")
        BUDGET = "budget", _("budget")
        OTHER = "other", _("other")

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="required_documents"
    )
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.OTHER)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(blank=True)
    is_required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["opportunity", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class FundingDetails(models.Model):
    opportunity = models.OneToOneField(
        Opportunity, on_delete=models.CASCADE, related_name="funding"
    )
    programme = models.CharField(_("programme"), max_length=200, blank=True)
    call_code = models.CharField(_("call or topic code"), max_length=100, blank=True)
    total_budget = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    amount_min = models.DecimalField(
        _("minimum per applicant"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    amount_max = models.DecimalField(
        _("maximum per applicant"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    cofinancing_rate = models.DecimalField(
        _("co-financing rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Share of the costs the applicant pays itself."),
    )
    eligible_sizes = models.JSONField(
        _("who may apply: sizes"),
        default=list,
        blank=True,
        help_text=_("Company size classes that may apply; empty means all."),
    )
    eligible_places = models.TextField(_("who may apply: place"), blank=True)
    eligible_sectors = models.TextField(_("who may apply: sector"), blank=True)
    selection_criteria = models.TextField(_("selection criteria"), blank=True)

    def __str__(self) -> str:
        return f"Funding details of {self.opportunity_id}"

    @property
    def eligible_size_labels(self) -> list[str]:
        labels = dict(Organisation.SizeClass.choices)
        return [str(labels.get(size, size)) for size in self.eligible_sizes or []]


class CoCreationDetails(models.Model):
    opportunity = models.OneToOneField(
        Opportunity, on_delete=models.CASCADE, related_name="co_creation"
    )
    challenge = models.TextField(_("the challenge"), blank=True)
    desired_outcome = models.TextField(_("the outcome wanted"), blank=True)
    pilot_budget = models.DecimalField(
        _("pilot budget (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    offers_data = models.TextField(_("data the buyer offers"), blank=True)
    launching_customer_intent = models.BooleanField(
        _("intends to become launching customer"), default=False
    )
    other_offers = models.TextField(_("what else the buyer offers"), blank=True)
    team_requirements = models.TextField(_("team requirements"), blank=True)

    def __str__(self) -> str:
        return f"Co-creation details of {self.opportunity_id}"


class CoCreationPhase(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("phase"), max_length=200)
    description = models.TextField(blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["opportunity", "position", "starts_on"]

    def __str__(self) -> str:
        return self.name


class TestLocationDetails(models.Model):
    opportunity = models.OneToOneField(
        Opportunity, on_delete=models.CASCADE, related_name="test_location"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    municipality = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": Region.Kind.MUNICIPALITY},
    )
    has_power = models.BooleanField(_("power available"), default=False)
    connectivity = models.CharField(_("connectivity"), max_length=300, blank=True)
    data_feeds = models.TextField(_("data feeds"), blank=True)
    permits = models.TextField(_("permits"), blank=True)
    insurance = models.TextField(_("insurance required"), blank=True)
    privacy_rules = models.TextField(_("privacy and data rules"), blank=True)
    fees = models.CharField(_("fees"), max_length=300, blank=True)
    trl_min = models.PositiveSmallIntegerField(
        _("technology readiness from (TRL)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    trl_max = models.PositiveSmallIntegerField(
        _("technology readiness up to (TRL)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    capacity = models.PositiveIntegerField(_("capacity (parallel pilots)"), null=True, blank=True)

    def __str__(self) -> str:
        return f"Test location details of {self.opportunity_id}"


class AvailabilityWindow(models.Model):
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="availability"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["opportunity", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")), name="window_starts_before_end"
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_on} to {self.ends_on}"


class Award(models.Model):
    """The outcome: a winner (a company on Kansen, or a named supplier from an import) per lot,
    or 'not awarded'."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="awards")
    lot = models.ForeignKey(
        Lot, on_delete=models.CASCADE, null=True, blank=True, related_name="awards"
    )
    company = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="awards_won",
        limit_choices_to={"kind": Organisation.Kind.COMPANY},
    )
    supplier_name = models.CharField(max_length=300, blank=True)
    supplier_id = models.CharField(max_length=120, blank=True)
    value = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    is_awarded = models.BooleanField(default=True, help_text=_("False: ended without a winner."))
    awarded_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["opportunity", "awarded_at"]

    def __str__(self) -> str:
        return self.supplier_name or (self.company.name if self.company else "not awarded")


class Amendment(models.Model):
    """A change after publishing: version, who, when, why, and what changed."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="amendments"
    )
    version = models.PositiveIntegerField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(_("reason"), max_length=500)
    changes = models.JSONField(default=dict, help_text="{field: [old, new]}")

    class Meta:
        ordering = ["opportunity", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "version"], name="unique_amendment_version"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version}: {self.reason}"


class OpportunityEvent(models.Model):
    """Something followers should hear about. The alerts pipeline turns events into emails."""

    class Type(models.TextChoices):
        PUBLISHED = "published", _("published")
        AMENDED = "amended", _("changed")
        DOCUMENT_ADDED = "document_added", _("new document")
        ANSWER_PUBLISHED = "answer_published", _("new answer to a question")
        WITHDRAWN = "withdrawn", _("withdrawn")
        CANCELLED = "cancelled", _("cancelled")
        AWARDED = "awarded", _("awarded")
        CLOSED = "closed", _("closed")

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=30, choices=Type.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.type} {self.opportunity_id}"
