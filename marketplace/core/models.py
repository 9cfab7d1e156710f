"""Accounts, organisations, memberships, API tokens and reference data."""

from __future__ import annotations

import hashlib

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

kvk_validator = RegexValidator(r"^\d{8}$", _("A KvK number has exactly 8 digits."))
oin_validator = RegexValidator(r"^\d{20}$", _("An OIN has exactly 20 digits."))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in with an email address; belongs to organisations through memberships."""

    class Language(models.TextChoices):
        NL = "nl", "Nederlands"
        EN = "en", "English"

    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.NL
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


class Organisation(models.Model):
    """A buyer (a public party) or a company (a supplier: start-up or SME)."""

    class Kind(models.TextChoices):
        BUYER = "buyer", _("buyer organisation")
        COMPANY = "company", _("company")

    class BuyerType(models.TextChoices):
        MUNICIPALITY = "municipality", _("municipality")
        PROVINCE = "province", _("province")
        WATER_BOARD = "water_board", _("water board")
        KNOWLEDGE_INSTITUTE = "knowledge_institute", _("knowledge institute")
        PUBLIC_COMPANY = "public_company", _("public company")
        CENTRAL_GOVERNMENT = "central_government", _("central government")
        EU_INSTITUTION = "eu_institution", _("EU institution")
        OTHER = "other", _("other public body")

    class SizeClass(models.TextChoices):
        STARTUP = "startup", _("start-up")
        MICRO = "micro", _("micro (under 10 people)")
        SMALL = "small", _("small (10 to 49 people)")
        MEDIUM = "medium", _("medium (50 to 249 people)")
        LARGE = "large", _("large (250 people or more)")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    buyer_type = models.CharField(
        _("type of buyer"), max_length=30, choices=BuyerType.choices, blank=True
    )
    oin = models.CharField(
        _("OIN"),
        max_length=20,
        blank=True,
        validators=[oin_validator],
        help_text=_("Organisatie-identificatienummer, 20 digits."),
    )
    kvk_number = models.CharField(
        _("KvK number"), max_length=8, blank=True, validators=[kvk_validator]
    )
    size_class = models.CharField(_("size"), max_length=10, choices=SizeClass.choices, blank=True)
    website = models.URLField(_("website"), blank=True)
    city = models.CharField(_("place"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=2, default="NL")
    # Imported buyers nobody has claimed yet; the real buyer can claim them.
    is_claimed = models.BooleanField(_("claimed"), default=True)
    external_scheme = models.CharField(max_length=40, blank=True)
    external_id = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["kind", "name"]),
            models.Index(fields=["external_scheme", "external_id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kvk_number"],
                condition=models.Q(kind="company") & ~models.Q(kvk_number=""),
                name="unique_company_kvk",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_buyer(self) -> bool:
        return self.kind == self.Kind.BUYER

    @property
    def is_company(self) -> bool:
        return self.kind == self.Kind.COMPANY


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("admin")
        MEMBER = "member", _("member")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


class Invitation(models.Model):
    """An invitation by email to join an organisation. Accepted once, expires after 14 days."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(max_length=10, choices=Membership.Role.choices, default="member")
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"


class ApiToken(models.Model):
    """A personal API token. Only a hash is stored; the key is shown once, at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LabelledMixin(models.Model):
    label_en = models.CharField(max_length=400)
    label_nl = models.CharField(max_length=400)

    class Meta:
        abstract = True

    @property
    def label(self) -> str:
        return self.label_en if (get_language() or "nl").startswith("en") else self.label_nl


class CpvCode(LabelledMixin):
    """A code of the Common Procurement Vocabulary 2008 (8 digits, without check digit)."""

    class Level(models.IntegerChoices):
        DIVISION = 1, _("division")
        GROUP = 2, _("group")
        CLASS = 3, _("class")
        CATEGORY = 4, _("category")
        SUBCATEGORY = 5, _("subcategory")

    code = models.CharField(max_length=8, primary_key=True)
    code_with_check_digit = models.CharField(max_length=10, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    division = models.CharField(max_length=2, db_index=True)
    contract_type = models.CharField(max_length=10)

    class Meta:
        verbose_name = _("CPV code")
        verbose_name_plural = _("CPV codes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code_with_check_digit} {self.label}"


class Region(LabelledMixin):
    """A NUTS 2024 region (NL32B) or a Dutch municipality by CBS code (GM0363).

    A municipality's parent is its province's NUTS 2 region, so a filter on a province or on the
    Netherlands also finds what is placed in one of its municipalities.
    """

    class Kind(models.TextChoices):
        COUNTRY = "country", _("country")
        NUTS1 = "nuts1", _("NUTS 1 region")
        PROVINCE = "nuts2", _("province (NUTS 2)")
        NUTS3 = "nuts3", _("NUTS 3 region")
        MUNICIPALITY = "municipality", _("municipality")

    code = models.CharField(max_length=10, primary_key=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    country = models.CharField(max_length=2, db_index=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class Competency(LabelledMixin):
    """A node of the taxonomy of what companies can do. Slugs are stable API values."""

    slug = models.SlugField(max_length=60, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    description_en = models.TextField(blank=True)
    description_nl = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.label

    @property
    def description(self) -> str:
        en = (get_language() or "nl").startswith("en")
        return self.description_en if en else self.description_nl
