"""Writes for company profiles, match feedback and invitations to apply.

Every service checks that `by` may act (a member of the company, or of the buyer) and raises
ApplicationError with a message per field for bad data; nothing is saved then.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from marketplace.core import clock
from marketplace.core.errors import ApplicationError, Forbidden, TransitionError
from marketplace.core.files import IMAGE_TYPES, MB, file_check
from marketplace.core.models import Competency, CpvCode, Membership, Organisation, Region, User
from marketplace.core.selectors import membership_role
from suppliers.models import (
    CompanyCompetency,
    CompanyProfile,
    CompanyReference,
    MatchFeedback,
    MatchInvitation,
)
from suppliers.text import analyse_all

logger = logging.getLogger(__name__)

LOGO_MAX_SIZE = 2 * MB
PROFILE_FIELDS = [
    "description",
    "main_offering",
    "trl",
    "founding_year",
    "team_size",
    "languages",
    "is_public",
]
ORGANISATION_FIELDS = ["website", "size_class", "city"]
LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")


def _require_member(*, company: Organisation, by: User | None) -> None:
    if not company.is_company:
        raise ApplicationError(_("Only companies have a company profile."))
    if by is not None and membership_role(user=by, organisation=company) is None:
        raise Forbidden(_("Only members of %(org)s can do this.") % {"org": company.name})


def company_profile_ensure(*, company: Organisation) -> CompanyProfile:
    """The company's profile, created empty the first time. Idempotent."""
    if not company.is_company:
        raise ApplicationError(_("Only companies have a company profile."))
    profile, _created = CompanyProfile.objects.get_or_create(organisation=company)
    return profile


def _resolve(model, field: str, values, name: str) -> list:
    """Rows for codes or slugs, naming every unknown one."""
    wanted = []
    for value in values or []:
        value = str(value).strip()
        if model is CpvCode:
            value = value.split("-")[0]
        elif model is Region:
            value = value.upper()
        if value:
            wanted.append(value)
    found = {getattr(o, field): o for o in model.objects.filter(**{f"{field}__in": wanted})}
    unknown = [v for v in wanted if v not in found]
    if unknown:
        raise ApplicationError(
            _("Unknown value: %(values)s.") % {"values": ", ".join(unknown)},
            errors={name: [_("Unknown: %(value)s.") % {"value": v} for v in unknown]},
        )
    return [found[v] for v in dict.fromkeys(wanted)]


def _errors(exc: ValidationError, prefix: str = "") -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {f"{prefix}{k}": v for k, v in exc.message_dict.items()}
    return {prefix.rstrip(".") or "non_field_errors": exc.messages}


def profile_match_text_refresh(*, profile: CompanyProfile) -> None:
    """Recompute the stemmed words matching compares with opportunities: the description,
    main offering, references, the labels and keywords of the competencies and the labels of
    the CPV interests (so "gegevens analyseren" in a call meets "Analyseren van gegevens")."""
    from marketplace.core.reference import competency_rows

    keywords = {row["slug"]: row.get("keywords", []) for row in competency_rows()}
    texts = [profile.description, profile.main_offering]
    for ref in profile.references.all():
        texts.extend([ref.title, ref.client, ref.description])
    for cc in profile.competency_levels.select_related("competency"):
        c = cc.competency
        texts.extend([c.label_en, c.label_nl, " ".join(keywords.get(c.slug, []))])
    for cpv in profile.cpv_interests.all():
        texts.extend([cpv.label_en, cpv.label_nl])
    analysed = analyse_all(texts)
    profile.match_text = {"terms": dict(analysed.terms), "surface": analysed.surface}
    profile.save(update_fields=["match_text"])


@transaction.atomic
def company_profile_update(
    *,
    company: Organisation,
    by: User | None,
    data: Mapping[str, Any],
    now: dt.datetime | None = None,
) -> CompanyProfile:
    """Change a company's profile. `data` may hold the profile fields, `website`,
    `size_class` and `city` (kept on the organisation), `cpv_codes` and `regions` (codes),
    `competencies` ([{slug, level 1-3, evidence_url, evidence_reference}]) and `references`
    ([{title, client, year, description, url}]); a list given replaces the old one.
    Any member of the company may change it."""
    now = now or clock.now()
    _require_member(company=company, by=by)
    profile = company_profile_ensure(company=company)
    known = (
        set(PROFILE_FIELDS)
        | set(ORGANISATION_FIELDS)
        | {"cpv_codes", "regions", "competencies", "references"}
    )
    unknown = set(data) - known
    if unknown:
        raise ApplicationError(
            _("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            errors={f: [_("This field does not exist.")] for f in sorted(unknown)},
        )
    errors: dict[str, list[str]] = {}
    for field in PROFILE_FIELDS:
        if field in data:
            setattr(profile, field, data[field] if data[field] is not None else _empty(field))
    for field in ORGANISATION_FIELDS:
        if field in data:
            setattr(company, field, data[field] or "")
    if "languages" in data:
        languages = [str(v).strip().lower() for v in data["languages"] or []]
        bad = [v for v in languages if not LANGUAGE_CODE.match(v)]
        if bad:
            errors["languages"] = [_("Use two-letter language codes, such as nl or en.")]
        profile.languages = list(dict.fromkeys(languages))
    if profile.founding_year and profile.founding_year > now.year:
        errors["founding_year"] = [_("The founding year cannot be in the future.")]
    try:
        profile.full_clean(exclude=["organisation", "logo"])
    except ValidationError as exc:
        for key, messages in _errors(exc).items():
            errors.setdefault(key, []).extend(messages)
    try:
        company.full_clean()
    except ValidationError as exc:
        for key, messages in _errors(exc).items():
            if key in ORGANISATION_FIELDS:
                errors.setdefault(key, []).extend(messages)
    relations = {}
    for name, model, field in (("cpv_codes", CpvCode, "code"), ("regions", Region, "code")):
        if name in data:
            try:
                relations[name] = _resolve(model, field, data[name], name)
            except ApplicationError as exc:
                errors.update(exc.errors)
    competencies = None
    if "competencies" in data:
        try:
            competencies = _competency_rows(data["competencies"] or [])
        except ApplicationError as exc:
            errors.update(exc.errors)
    references = None
    if "references" in data:
        try:
            references = _reference_rows(data["references"] or [])
        except ApplicationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ApplicationError(_("Please correct the errors below."), errors=errors)

    company.save()
    profile.updated_at = now
    profile.save()
    if "cpv_codes" in relations:
        profile.cpv_interests.set(relations["cpv_codes"])
    if "regions" in relations:
        profile.regions.set(relations["regions"])
    if references is not None:
        profile.references.all().delete()
        for position, ref in enumerate(references):
            ref.profile = profile
            ref.position = position
            ref.save()
    if competencies is not None:
        _competencies_replace(profile=profile, rows=competencies)
    profile_match_text_refresh(profile=profile)
    return profile


def _empty(field: str):
    return (
        [] if field == "languages" else ("" if field in ("description", "main_offering") else None)
    )


def _competency_rows(items) -> list[dict]:
    slugs = [str(item.get("slug", "")).strip() for item in items]
    found = {c.slug: c for c in Competency.objects.filter(slug__in=slugs)}
    errors: dict[str, list[str]] = {}
    rows = []
    for i, item in enumerate(items):
        slug = slugs[i]
        if slug not in found:
            errors[f"competencies.{i}.slug"] = [_("Unknown competency: %(slug)s.") % {"slug": slug}]
            continue
        level = item.get("level", CompanyCompetency.Level.EXPERIENCED)
        if level not in CompanyCompetency.Level.values:
            errors[f"competencies.{i}.level"] = [
                _("Choose 1 (basic), 2 (experienced) or 3 (expert).")
            ]
            continue
        row = CompanyCompetency(
            competency=found[slug], level=level, evidence_url=item.get("evidence_url") or ""
        )
        try:
            row.full_clean(exclude=["profile", "competency", "evidence_reference"])
        except ValidationError as exc:
            errors.update(_errors(exc, f"competencies.{i}."))
            continue
        rows.append({"row": row, "reference": item.get("evidence_reference")})
    if errors:
        raise ApplicationError(_("Please correct the errors below."), errors=errors)
    return rows


def _competencies_replace(*, profile: CompanyProfile, rows: list[dict]) -> None:
    references = {r.pk: r for r in profile.references.all()}
    titles = {r.title: r for r in references.values()}
    profile.competency_levels.all().delete()
    seen = set()
    for item in rows:
        row = item["row"]
        if row.competency_id in seen:
            continue
        seen.add(row.competency_id)
        ref = item["reference"]
        if ref not in (None, ""):
            match = references.get(ref) if isinstance(ref, int) else titles.get(str(ref))
            if match is None:
                raise ApplicationError(
                    _("Unknown reference project."),
                    errors={
                        "competencies": [_("Evidence must be one of your reference projects.")]
                    },
                )
            row.evidence_reference = match
        row.profile = profile
        row.save()


def _reference_rows(items) -> list[CompanyReference]:
    errors: dict[str, list[str]] = {}
    rows = []
    for i, item in enumerate(items):
        allowed = {"title", "client", "year", "description", "url"}
        extra = set(item) - allowed - {"id"}
        if extra:
            errors[f"references.{i}"] = [
                _("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(extra))}
            ]
            continue
        row = CompanyReference(
            title=(item.get("title") or "").strip(),
            client=(item.get("client") or "").strip(),
            year=item.get("year") or None,
            description=item.get("description") or "",
            url=item.get("url") or "",
        )
        try:
            row.full_clean(exclude=["profile"])
        except ValidationError as exc:
            errors.update(_errors(exc, f"references.{i}."))
            continue
        rows.append(row)
    if errors:
        raise ApplicationError(_("Please correct the errors below."), errors=errors)
    return rows


@transaction.atomic
def company_reference_add(
    *, company: Organisation, by: User | None, data: Mapping[str, Any]
) -> CompanyReference:
    """Add one reference project to the company's profile."""
    _require_member(company=company, by=by)
    profile = company_profile_ensure(company=company)
    (row,) = _reference_rows([dict(data)])
    row.profile = profile
    row.position = profile.references.count()
    row.save()
    profile_match_text_refresh(profile=profile)
    return row


@transaction.atomic
def company_reference_delete(*, company: Organisation, by: User | None, reference_id: int) -> None:
    """Remove one reference project (evidence that pointed at it is kept without it)."""
    _require_member(company=company, by=by)
    profile = company_profile_ensure(company=company)
    deleted, _rows = profile.references.filter(pk=reference_id).delete()
    if not deleted:
        raise ApplicationError(_("That reference project does not exist."))
    profile_match_text_refresh(profile=profile)


@transaction.atomic
def company_logo_set(*, company: Organisation, by: User | None, upload) -> CompanyProfile:
    """Replace the logo with a PNG or JPEG of at most 2 MB (checked by content)."""
    _require_member(company=company, by=by)
    checked = file_check(upload, allowed=IMAGE_TYPES, max_size=LOGO_MAX_SIZE, field="logo")
    profile = company_profile_ensure(company=company)
    old = profile.logo.name if profile.logo else ""
    upload.seek(0)
    profile.logo.save(
        f"{company.slug}-{checked.sha256[:12]}.{checked.extension}",
        ContentFile(upload.read()),
        save=True,
    )
    if old and old != profile.logo.name:
        transaction.on_commit(lambda: profile.logo.storage.delete(old))
    return profile


@transaction.atomic
def company_logo_remove(*, company: Organisation, by: User | None) -> CompanyProfile:
    _require_member(company=company, by=by)
    profile = company_profile_ensure(company=company)
    if profile.logo:
        old = profile.logo.name
        profile.logo = ""
        profile.save(update_fields=["logo"])
        transaction.on_commit(lambda: profile.logo.storage.delete(old))
    return profile


# -- Feedback -----------------------------------------------------------------------------------


@transaction.atomic
def match_feedback_set(
    *,
    company: Organisation,
    opportunity,
    by: User | None,
    is_relevant: bool,
    now: dt.datetime | None = None,
) -> MatchFeedback:
    """Record (or change) the company's "relevant" / "not relevant" on an opportunity it may
    see. Stored with the score at that moment and the weights' version, for evaluation.
    Similar opportunities move up or down in the company's "For you"; one marked not relevant
    leaves it."""
    from suppliers.match_selectors import match_for_pair

    now = now or clock.now()
    _require_member(company=company, by=by)
    match = match_for_pair(company=company, opportunity=opportunity, with_feedback=False)
    from suppliers.matching import WEIGHTS

    feedback, created = MatchFeedback.objects.get_or_create(
        company=company,
        opportunity=opportunity,
        defaults={
            "by": by,
            "is_relevant": is_relevant,
            "score": match.score if match else 0,
            "weights_version": WEIGHTS.version,
            "created_at": now,
            "updated_at": now,
        },
    )
    if not created:
        feedback.by = by
        feedback.is_relevant = is_relevant
        feedback.score = match.score if match else 0
        feedback.weights_version = WEIGHTS.version
        feedback.updated_at = now
        feedback.save()
    return feedback


@transaction.atomic
def match_feedback_clear(*, company: Organisation, opportunity, by: User | None) -> None:
    """Forget the company's feedback on an opportunity (undo)."""
    _require_member(company=company, by=by)
    MatchFeedback.objects.filter(company=company, opportunity=opportunity).delete()


# -- Invitations to apply -----------------------------------------------------------------------


@transaction.atomic
def match_invitation_create(
    *,
    opportunity,
    company: Organisation,
    by: User | None,
    message: str = "",
    now: dt.datetime | None = None,
) -> MatchInvitation:
    """A buyer invites a suggested company to apply. Only members of the opportunity's buyer,
    only while it is open, only companies with a public profile that are eligible, and once
    per company and opportunity. The email goes out after commit (match_invitation_send)."""
    from suppliers.match_selectors import match_for_pair, match_reasons

    now = now or clock.now()
    if by is not None and membership_role(user=by, organisation=opportunity.buyer) is None:
        raise Forbidden(_("Only members of %(org)s can do this.") % {"org": opportunity.buyer})
    if not opportunity.is_open(now):
        raise TransitionError(
            _("You can invite companies only while the opportunity is open; it is %(status)s.")
            % {"status": opportunity.get_status_display()}
        )
    profile = CompanyProfile.objects.filter(organisation=company, is_public=True).first()
    if not company.is_company or profile is None:
        raise ApplicationError(
            _("This company cannot be invited."),
            errors={"company": [_("Only companies with a public profile can be invited.")]},
        )
    match = match_for_pair(company=company, opportunity=opportunity, with_feedback=False)
    if match is None or not match.eligible:
        raise ApplicationError(
            _("This company is not eligible for this opportunity."),
            errors={"company": [_("Not eligible.")]},
        )
    if MatchInvitation.objects.filter(opportunity=opportunity, company=company).exists():
        raise ApplicationError(
            _("%(company)s has already been invited.") % {"company": company.name},
            errors={"company": [_("Already invited.")]},
        )
    try:
        with transaction.atomic():
            invitation = MatchInvitation.objects.create(
                opportunity=opportunity,
                company=company,
                invited_by=by,
                message=(message or "").strip()[:2000],
                score=match.score,
                reasons=match_reasons(match, audience="company", language="en"),
                created_at=now,
            )
    except IntegrityError:
        raise ApplicationError(
            _("%(company)s has already been invited.") % {"company": company.name},
            errors={"company": [_("Already invited.")]},
        ) from None
    transaction.on_commit(lambda: match_invitation_send(invitation_id=invitation.pk))
    return invitation


def match_invitation_send(*, invitation_id: int, now: dt.datetime | None = None) -> int:
    """Put the invitation in the alerts outbox for every member of the invited company, once,
    rendered in each member's language (returns how many messages were queued; 0 when it was
    handed over before). Delivery follows after commit, exactly once per member."""
    from suppliers.match_selectors import match_reasons_for_language
    from suppliers.models_alerts import Alert
    from suppliers.outbox import notice_add
    from suppliers.tasks import alerts_enqueue

    now = now or clock.now()
    with transaction.atomic():
        invitation = (
            MatchInvitation.objects.select_for_update(of=("self",))
            .select_related("opportunity__buyer", "company", "invited_by")
            .filter(pk=invitation_id, sent_at__isnull=True)
            .first()
        )
        if invitation is None:
            return 0
        members = list(
            Membership.objects.filter(organisation=invitation.company)
            .select_related("user")
            .filter(user__is_active=True)
        )
        ids = []
        for membership in members:
            user = membership.user
            alert = notice_add(
                user=user,
                opportunity=invitation.opportunity,
                reason=Alert.Reason.INVITE,
                reason_key=f"invite:{invitation.pk}",
                template="match_invitation",
                context={
                    "invitation": invitation,
                    "opportunity": invitation.opportunity,
                    "company": invitation.company,
                    "buyer": invitation.opportunity.buyer,
                    "reasons": match_reasons_for_language(invitation, user.language),
                    "path": invitation.opportunity.get_absolute_url(),
                },
            )
            if alert is not None:
                ids.append(alert.pk)
        invitation.sent_at = now
        invitation.save(update_fields=["sent_at"])
        alerts_enqueue(ids)
    return len(ids)
