"""Creating, changing and moving opportunities through their lifecycle.

Status is derived from timestamps (`Opportunity.get_status`); only these services set them.
Illegal transitions raise TransitionError (HTTP 409); bad data raises ApplicationError with a
message per field. Every change that others must hear about calls `tenders.hooks` after commit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from marketplace.core import clock
from marketplace.core.errors import ApplicationError, Forbidden, TransitionError
from marketplace.core.models import Competency, CpvCode, Organisation, Region, User
from marketplace.core.selectors import membership_role
from tenders import hooks
from tenders.models import (
    Amendment,
    AvailabilityWindow,
    Award,
    AwardCriterion,
    CoCreationDetails,
    CoCreationPhase,
    FundingDetails,
    Lot,
    Opportunity,
    OpportunityEvent,
    RequiredDocument,
    TenderDetails,
    TestLocationDetails,
)

Status = Opportunity.Status
Kind = Opportunity.Kind

SHARED_FIELDS = [
    "title",
    "summary",
    "description",
    "budget_min",
    "budget_max",
    "opens_at",
    "closes_at",
    "question_deadline",
    "is_sme_suitable",
    "is_first_timer_friendly",
    "languages",
    "apply_checklist",
    "is_sealed",
    "main_cpv",
]
RELATIONS = {
    "competencies": (Competency, "slug"),
    "cpv_codes": (CpvCode, "code"),
    "regions": (Region, "code"),
}
DETAILS = {
    Kind.TENDER: ("tender", TenderDetails),
    Kind.FUNDING: ("funding", FundingDetails),
    Kind.CO_CREATION: ("co_creation", CoCreationDetails),
    Kind.TEST_LOCATION: ("test_location", TestLocationDetails),
}
LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")
CHILDREN = {
    "lots": Lot,
    "award_criteria": AwardCriterion,
    "required_documents": RequiredDocument,
    "phases": CoCreationPhase,
    "availability": AvailabilityWindow,
}


def _lock(opportunity: Opportunity) -> Opportunity:
    """Lock the row for this transaction and bring the caller's instance up to date."""
    list(
        Opportunity.objects.select_for_update()
        .filter(pk=opportunity.pk)
        .values_list("pk", flat=True)
    )
    opportunity.refresh_from_db()
    return opportunity


def _require_member(*, buyer: Organisation, by: User) -> None:
    if not buyer.is_buyer:
        raise ApplicationError(_("Only buyer organisations publish opportunities."))
    if membership_role(user=by, organisation=buyer) is None:
        raise Forbidden(_("Only members of %(org)s can do this.") % {"org": buyer.name})


def _codes(model, field: str, values, name: str) -> list:
    """Resolve codes or slugs to rows, naming every unknown one."""
    wanted = []
    for value in values or []:
        value = str(value).strip()
        if model is CpvCode:
            value = value.split("-")[0]
        wanted.append(value)
    found = {getattr(obj, field): obj for obj in model.objects.filter(**{f"{field}__in": wanted})}
    unknown = [v for v in wanted if v not in found]
    if unknown:
        raise ApplicationError(
            _("Unknown value: %(values)s.") % {"values": ", ".join(unknown)},
            errors={name: [_("Unknown: %(value)s.") % {"value": v} for v in unknown]},
        )
    return [found[v] for v in dict.fromkeys(wanted)]


def _validation_errors(exc: ValidationError, prefix: str = "") -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            f"{prefix}{k}" if k != "__all__" else (prefix.rstrip(".") or "non_field_errors"): v
            for k, v in exc.message_dict.items()
        }
    return {prefix.rstrip(".") or "non_field_errors": exc.messages}


def _snapshot(opportunity: Opportunity) -> dict[str, Any]:
    """A comparable picture of everything an amendment can change."""
    snap: dict[str, Any] = {f: getattr(opportunity, f) for f in SHARED_FIELDS if f != "main_cpv"}
    snap["main_cpv"] = opportunity.main_cpv_id
    for name, (_model, field) in RELATIONS.items():
        snap[name] = sorted(getattr(obj, field) for obj in getattr(opportunity, name).all())
    details = _details(opportunity)
    if details is not None:
        for f in details._meta.concrete_fields:
            if f.name not in ("id", "opportunity"):
                snap[f"details.{f.name}"] = getattr(details, f.attname)
    for name in CHILDREN:
        snap[name] = [
            {
                f.name: getattr(row, f.attname)
                for f in row._meta.concrete_fields
                if f.name not in ("id", "opportunity")
            }
            for row in getattr(opportunity, _child_related_name(name)).all()
        ]
    return snap


def _child_related_name(name: str) -> str:
    return name


def _details(opportunity: Opportunity):
    _attr, model = DETAILS[opportunity.kind]
    return model.objects.filter(opportunity=opportunity).first()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _merge(errors: dict[str, list[str]], more: Mapping[str, list[str]]) -> None:
    for key, messages in more.items():
        errors.setdefault(key, []).extend(str(m) for m in messages)


def _clean_languages(value: Any) -> tuple[list[str], list[str]]:
    """Language codes (ISO 639-1, lower case), without duplicates; and the problems found."""
    if not isinstance(value, list | tuple):
        return [], [_("Give a list of language codes, e.g. nl, en.")]
    codes, problems = [], []
    for item in value:
        code = str(item).strip().lower()
        if not LANGUAGE_CODE.match(code):
            problems.append(_("Not a two-letter language code: %(value)s.") % {"value": item})
        elif code not in codes:
            codes.append(code)
    return codes, problems


def _clean_checklist(value: Any) -> tuple[list[str], list[str]]:
    if not isinstance(value, list | tuple):
        return [], [_("Give a list of short lines.")]
    lines = [str(item).strip() for item in value if str(item).strip()]
    too_long = [line for line in lines if len(line) > 300]
    if too_long:
        return lines, [_("Keep each line under 300 characters.")]
    if len(lines) > 30:
        return lines, [_("Keep the checklist to 30 lines at most.")]
    return lines, []


def _details_problems(kind: str, details) -> dict[str, list[str]]:
    """Rules across fields of one kind's details."""
    problems: dict[str, list[str]] = {}
    if kind == Kind.FUNDING:
        if (
            details.amount_min is not None
            and details.amount_max is not None
            and details.amount_min > details.amount_max
        ):
            problems["amount_min"] = [_("The minimum amount cannot be above the maximum.")]
        sizes = details.eligible_sizes
        if not isinstance(sizes, list) or any(
            s not in Organisation.SizeClass.values for s in sizes
        ):
            problems["eligible_sizes"] = [
                _("Choose from: %(sizes)s.") % {"sizes": ", ".join(Organisation.SizeClass.values)}
            ]
    if kind == Kind.TEST_LOCATION:
        if details.trl_min and details.trl_max and details.trl_min > details.trl_max:
            problems["trl_min"] = [_("The lowest TRL cannot be above the highest.")]
        if (
            details.municipality is not None
            and details.municipality.kind != Region.Kind.MUNICIPALITY
        ):
            problems["municipality"] = [_("Choose a municipality (a GM code).")]
        if (details.latitude is None) != (details.longitude is None):
            problems["latitude"] = [_("Give both latitude and longitude, or neither.")]
    return problems


def _apply(opportunity: Opportunity, data: Mapping[str, Any]) -> None:
    """Write `data` onto a saved opportunity: shared fields, codes, details, child rows.

    Everything is checked before anything is written, and every problem is reported at once,
    keyed like the input: `title`, `details.procedure`, `lots.1.title`, `award_criteria`.
    """
    errors: dict[str, list[str]] = {}
    unknown = set(data) - set(SHARED_FIELDS) - set(RELATIONS) - set(CHILDREN) - {"details"}
    if unknown:
        raise ApplicationError(
            _("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            errors={f: [_("This field does not exist.")] for f in sorted(unknown)},
        )

    # Shared fields.
    for field in SHARED_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if field == "main_cpv" and value not in (None, "") and not isinstance(value, CpvCode):
            try:
                value = _codes(CpvCode, "code", [value], "main_cpv")[0]
            except ApplicationError as exc:
                _merge(errors, exc.errors)
                continue
        elif field == "main_cpv" and value == "":
            value = None
        elif field == "languages":
            value, problems = _clean_languages(value)
            if problems:
                errors["languages"] = problems
        elif field == "apply_checklist":
            value, problems = _clean_checklist(value)
            if problems:
                errors["apply_checklist"] = problems
        elif field in ("title", "summary", "description") and isinstance(value, str):
            value = value.strip()
        setattr(opportunity, field, value)
    try:
        opportunity.full_clean(exclude=["buyer", "created_by"], validate_constraints=False)
    except ValidationError as exc:
        _merge(errors, _validation_errors(exc))
    o = opportunity
    budget_ok = "budget_min" not in errors and "budget_max" not in errors
    low, high = o.budget_min, o.budget_max
    if budget_ok and low is not None and high is not None and low > high:
        _merge(errors, {"budget_min": [_("The lower budget cannot be above the upper budget.")]})
    dates_ok = not {"opens_at", "closes_at", "question_deadline"} & set(errors)
    if dates_ok and o.closes_at is not None:
        if o.opens_at is not None and o.opens_at > o.closes_at:
            _merge(errors, {"opens_at": [_("The opening date must be before the deadline.")]})
        if o.question_deadline is not None and o.question_deadline > o.closes_at:
            _merge(
                errors,
                {"question_deadline": [_("The question deadline must be before the deadline.")]},
            )

    # Codes.
    relations = {}
    for name, (model, field) in RELATIONS.items():
        if name in data and data[name] is not None:
            try:
                relations[name] = _codes(model, field, data[name], name)
            except ApplicationError as exc:
                _merge(errors, exc.errors)

    # Kind-specific details.
    details = None
    if data.get("details") is not None:
        _attr, model = DETAILS[opportunity.kind]
        values = data["details"]
        if not isinstance(values, Mapping):
            raise ApplicationError(
                _("Please correct the errors below."),
                errors={"details": [_("Give the details as an object.")]},
            )
        allowed = {f.name for f in model._meta.concrete_fields} - {"id", "opportunity"}
        extra = set(values) - allowed
        if extra:
            raise ApplicationError(
                _("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(extra))},
                errors={f"details.{f}": [_("This field does not exist.")] for f in sorted(extra)},
            )
        details = (
            model.objects.filter(opportunity=opportunity).first() if opportunity.pk else None
        ) or model(opportunity=opportunity)
        for key, value in values.items():
            if key == "municipality" and value not in (None, "") and not isinstance(value, Region):
                try:
                    value = _codes(Region, "code", [value], "details.municipality")[0]
                except ApplicationError as exc:
                    _merge(errors, exc.errors)
                    continue
            elif key == "municipality" and value == "":
                value = None
            setattr(details, key, value)
        detail_errors: dict[str, list[str]] = {}
        try:
            details.full_clean(exclude=["opportunity"])
        except ValidationError as exc:
            _merge(detail_errors, _validation_errors(exc))
        if not detail_errors:
            _merge(detail_errors, _details_problems(opportunity.kind, details))
        _merge(errors, {f"details.{k}": v for k, v in detail_errors.items()})

    # Child rows (lots, award criteria, required documents, phases, availability).
    children: dict[str, list[tuple[Any, list | None]]] = {}
    for name, model in CHILDREN.items():
        if data.get(name) is None:
            continue
        allowed = {f.name for f in model._meta.concrete_fields} - {"id", "opportunity"}
        if model is Lot:
            allowed.add("cpv_codes")
        rows = []
        seen_numbers: set[str] = set()
        for position, row in enumerate(data[name]):
            prefix = f"{name}.{position}."
            if not isinstance(row, Mapping):
                _merge(errors, {prefix.rstrip("."): [_("Give each row as an object.")]})
                continue
            extra = set(row) - allowed
            if extra:
                _merge(errors, {f"{prefix}{f}": [_("This field does not exist.")] for f in extra})
                continue
            row = dict(row)
            cpv = row.pop("cpv_codes", None)
            obj = model(opportunity=opportunity, **row)
            if hasattr(obj, "position") and "position" not in row:
                obj.position = position
            try:
                obj.full_clean(exclude=["opportunity"], validate_constraints=False)
            except ValidationError as exc:
                _merge(errors, _validation_errors(exc, prefix))
                continue
            if model is Lot:
                if obj.number in seen_numbers:
                    _merge(errors, {f"{prefix}number": [_("Each lot needs its own number.")]})
                seen_numbers.add(obj.number)
            if model is AvailabilityWindow and obj.starts_on > obj.ends_on:
                _merge(errors, {f"{prefix}ends_on": [_("The end must be after the start.")]})
            if cpv is not None:
                try:
                    cpv = _codes(CpvCode, "code", cpv, f"{prefix}cpv_codes")
                except ApplicationError as exc:
                    _merge(errors, exc.errors)
            rows.append((obj, cpv))
        children[name] = rows
    if errors:
        raise ApplicationError(_("Please correct the errors below."), errors=errors)

    opportunity.updated_at = clock.now()
    opportunity.save()
    for name, rows in relations.items():
        getattr(opportunity, name).set(rows)
    if details is not None:
        details.opportunity = opportunity
        details.save()
    for name, rows in children.items():
        getattr(opportunity, name).all().delete()
        for obj, cpv in rows:
            obj.opportunity = opportunity
            obj.save()
            if cpv is not None:
                obj.cpv_codes.set(cpv)


@transaction.atomic
def opportunity_create(
    *, buyer: Organisation, by: User | None, kind: str, data: Mapping[str, Any] | None = None
) -> Opportunity:
    """Create a draft of `kind` for `buyer`. `by` must be a member of the buyer (None: an
    import or a system task). Tenders are sealed by default."""
    if by is not None:
        _require_member(buyer=buyer, by=by)
    if kind not in Kind.values:
        raise ApplicationError(
            _("Unknown kind."),
            errors={"kind": [_("Choose tender, funding, co_creation or test_location.")]},
        )
    data = dict(data or {})
    data.setdefault("is_sealed", kind == Kind.TENDER)
    opportunity = Opportunity(kind=kind, buyer=buyer, created_by=by, title=data.get("title", ""))
    if not opportunity.title:
        raise ApplicationError(
            _("A title is required."), errors={"title": [_("This field is required.")]}
        )
    opportunity.save()
    _apply(opportunity, data)
    return opportunity


@transaction.atomic
def opportunity_update(
    *,
    opportunity: Opportunity,
    by: User | None,
    data: Mapping[str, Any],
    reason: str = "",
    now: dt.datetime | None = None,
) -> Opportunity:
    """Change an opportunity. A draft changes in place. After publishing a change is an
    amendment: it needs a short reason, is versioned with who and when, and followers hear
    of it. Ended opportunities (awarded, cancelled) cannot change."""
    now = now or clock.now()
    _lock(opportunity)
    if by is not None:
        _require_member(buyer=opportunity.buyer, by=by)
    status = opportunity.get_status(now)
    if status in (Status.AWARDED, Status.CANCELLED):
        raise TransitionError(
            _("This opportunity is %(status)s and can no longer be changed.")
            % {"status": opportunity.get_status_display()}
        )
    if status == Status.DRAFT:
        _apply(opportunity, data)
        return opportunity
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Say briefly why you change a published opportunity; followers will see it."),
            errors={"reason": [_("A reason is required for changes after publishing.")]},
        )
    before = _snapshot(opportunity)
    _apply(opportunity, data)
    opportunity.refresh_from_db()
    after = _snapshot(opportunity)
    changes = {
        k: [_jsonable(before.get(k)), _jsonable(after[k])]
        for k in after
        if before.get(k) != after[k]
    }
    if not changes:
        return opportunity
    if "closes_at" in changes and opportunity.closes_at and opportunity.closes_at <= now:
        raise ApplicationError(
            _("To end it now, use 'close early'. A new deadline must be in the future."),
            errors={"closes_at": [_("The deadline must be in the future.")]},
        )
    opportunity.version += 1
    opportunity.save(update_fields=["version", "updated_at"])
    Amendment.objects.create(
        opportunity=opportunity,
        version=opportunity.version,
        changed_by=by,
        changed_at=now,
        reason=reason[:500],
        changes=changes,
    )
    OpportunityEvent.objects.create(
        opportunity=opportunity,
        type=OpportunityEvent.Type.AMENDED,
        created_at=now,
        payload={"version": opportunity.version, "reason": reason[:500], "fields": sorted(changes)},
    )
    hooks.opportunity_changed(opportunity.pk, OpportunityEvent.Type.AMENDED)
    return opportunity


def opportunity_missing_fields(
    opportunity: Opportunity, *, now: dt.datetime | None = None
) -> dict[str, list[str]]:
    """What publishing still needs, per field, in plain words. Empty: ready to publish."""
    now = now or clock.now()
    missing: dict[str, list[str]] = {}

    def need(field: str, message: str) -> None:
        missing.setdefault(field, []).append(message)

    o = opportunity
    if not o.title.strip():
        need("title", _("Give it a title."))
    if not o.summary.strip():
        need("summary", _("Write a short summary: what is asked, for whom, by when."))
    if not o.description.strip():
        need("description", _("Describe the opportunity."))
    if not o.competencies.exists() and not o.cpv_codes.exists():
        need(
            "competencies",
            _("Choose at least one competency or CPV code, so the right companies find it."),
        )
    if not o.regions.exists():
        need("regions", _("Choose at least one region or municipality."))
    if o.kind != Kind.TEST_LOCATION and o.closes_at is None:
        need("closes_at", _("Set a deadline."))
    if o.closes_at is not None and o.closes_at <= now:
        need("closes_at", _("The deadline must be in the future."))
    if o.question_deadline and o.closes_at and o.question_deadline > o.closes_at:
        need("question_deadline", _("The question deadline must be before the deadline."))

    details = _details(o)
    if o.kind == Kind.TENDER:
        if details is None or not details.procedure:
            need("details.procedure", _("Choose the procedure."))
        if not o.cpv_codes.exists():
            need("cpv_codes", _("A tender needs at least one CPV code."))
        criteria = list(o.award_criteria.all())
        if not criteria:
            need("award_criteria", _("Add the award criteria with their weights."))
        elif sum(c.weight for c in criteria) != 100:
            need("award_criteria", _("The weights of the award criteria must add up to 100%."))
        if (details is None or details.estimated_value is None) and o.budget_max is None:
            need("details.estimated_value", _("Give the estimated value or a budget."))
    elif o.kind == Kind.FUNDING:
        if details is None or not details.programme:
            need("details.programme", _("Name the programme."))
        if details is None or (details.amount_max is None and o.budget_max is None):
            need("details.amount_max", _("Say how much an applicant can receive."))
        if (
            details
            and details.amount_min
            and details.amount_max
            and details.amount_min > details.amount_max
        ):
            need("details.amount_min", _("The minimum amount cannot be above the maximum."))
    elif o.kind == Kind.CO_CREATION:
        if details is None or not details.challenge.strip():
            need("details.challenge", _("Describe the challenge."))
        if details is None or not details.desired_outcome.strip():
            need("details.desired_outcome", _("Describe the outcome you want."))
    elif o.kind == Kind.TEST_LOCATION:
        if details is None or not (details.address or details.municipality_id):
            need("details.address", _("Say where the test location is."))
        if not o.availability.exists():
            need("availability", _("Add at least one period in which companies can test."))
    return missing


@transaction.atomic
def opportunity_publish(
    *, opportunity: Opportunity, by: User | None, now: dt.datetime | None = None
) -> Opportunity:
    """Publish a draft (also one that was withdrawn). Raises ApplicationError naming every
    missing field, TransitionError when it is not a draft."""
    now = now or clock.now()
    _lock(opportunity)
    if by is not None:
        _require_member(buyer=opportunity.buyer, by=by)
    if opportunity.get_status(now) != Status.DRAFT:
        raise TransitionError(
            _("Only a draft can be published; this one is %(status)s.")
            % {"status": opportunity.get_status_display()}
        )
    missing = opportunity_missing_fields(opportunity, now=now)
    if missing:
        raise ApplicationError(
            _("This opportunity is not complete yet. Missing: %(fields)s.")
            % {"fields": ", ".join(missing)},
            errors=missing,
        )
    opportunity.published_at = now
    if opportunity.opens_at is None:
        opportunity.opens_at = now
    opportunity.save(update_fields=["published_at", "opens_at", "updated_at"])
    OpportunityEvent.objects.create(
        opportunity=opportunity, type=OpportunityEvent.Type.PUBLISHED, created_at=now
    )
    hooks.opportunity_changed(opportunity.pk, OpportunityEvent.Type.PUBLISHED)
    return opportunity


@transaction.atomic
def opportunity_withdraw(
    *, opportunity: Opportunity, by: User | None, reason: str = "", now: dt.datetime | None = None
) -> Opportunity:
    """Take a published opportunity offline before its deadline. It becomes a draft again
    (invisible to others) and followers are told."""
    now = now or clock.now()
    _lock(opportunity)
    if by is not None:
        _require_member(buyer=opportunity.buyer, by=by)
    if opportunity.get_status(now) != Status.PUBLISHED:
        raise TransitionError(
            _(
                "Only an open opportunity can be withdrawn before its deadline; this one is %(status)s."
            )
            % {"status": opportunity.get_status_display()}
        )
    opportunity.withdrawn_at = now
    opportunity.save(update_fields=["withdrawn_at", "updated_at"])
    OpportunityEvent.objects.create(
        opportunity=opportunity,
        type=OpportunityEvent.Type.WITHDRAWN,
        created_at=now,
        payload={"reason": reason[:500]},
    )
    hooks.opportunity_changed(opportunity.pk, OpportunityEvent.Type.WITHDRAWN)
    return opportunity


@transaction.atomic
def opportunity_close_early(
    *, opportunity: Opportunity, by: User | None, reason: str = "", now: dt.datetime | None = None
) -> Opportunity:
    """End the application period now (recorded as an amendment of the deadline)."""
    now = now or clock.now()
    _lock(opportunity)
    if by is not None:
        _require_member(buyer=opportunity.buyer, by=by)
    if opportunity.get_status(now) != Status.PUBLISHED:
        raise TransitionError(
            _("Only an open opportunity can be closed early; this one is %(status)s.")
            % {"status": opportunity.get_status_display()}
        )
    old = opportunity.closes_at
    opportunity.closes_at = now
    opportunity.version += 1
    opportunity.save(update_fields=["closes_at", "version", "updated_at"])
    Amendment.objects.create(
        opportunity=opportunity,
        version=opportunity.version,
        changed_by=by,
        changed_at=now,
        reason=(reason or _("Closed early"))[:500],
        changes={"closes_at": [_jsonable(old), _jsonable(now)]},
    )
    OpportunityEvent.objects.create(
        opportunity=opportunity, type=OpportunityEvent.Type.CLOSED, created_at=now
    )
    hooks.opportunity_changed(opportunity.pk, OpportunityEvent.Type.CLOSED)
    return opportunity


def opportunity_close_sweep(*, now: dt.datetime | None = None) -> int:
    """Record a `closed` event for every opportunity whose deadline has passed, once. Safe to run
    twice; returns how many were closed now."""
    now = now or clock.now()
    due = (
        Opportunity.objects.with_status(Status.CLOSED, now=now)
        .exclude(events__type=OpportunityEvent.Type.CLOSED)
        .values_list("pk", flat=True)
    )
    due = list(due)
    count = 0
    # In batches (after an import of past notices, thousands close at once): one transaction,
    # one insert and one hook call for search and alerts per batch.
    for start in range(0, len(due), CLOSE_SWEEP_BATCH):
        chunk = due[start : start + CLOSE_SWEEP_BATCH]
        with transaction.atomic():
            done = set(
                OpportunityEvent.objects.filter(
                    opportunity_id__in=chunk, type=OpportunityEvent.Type.CLOSED
                ).values_list("opportunity_id", flat=True)
            )
            todo = [pk for pk in chunk if pk not in done]
            OpportunityEvent.objects.bulk_create(
                [
                    OpportunityEvent(
                        opportunity_id=pk, type=OpportunityEvent.Type.CLOSED, created_at=now
                    )
                    for pk in todo
                ]
            )
            hooks.opportunities_changed(dict.fromkeys(todo, OpportunityEvent.Type.CLOSED))
            count += len(todo)
    return count


CLOSE_SWEEP_BATCH = 250


# Checks other areas add before an award (e.g. written feedback for every rejected applicant).
AWARD_PRECONDITIONS: list[str] = [
    "tenders.services.applications.application_award_precondition",
]


@transaction.atomic
def opportunity_award(
    *,
    opportunity: Opportunity,
    by: User | None,
    winners: list[Mapping[str, Any]] | None = None,
    not_awarded: bool = False,
    note: str = "",
    now: dt.datetime | None = None,
) -> Opportunity:
    """Record the outcome after the deadline: one or more winners (`company` or
    `supplier_name`, optional `value` and `lot`), or `not_awarded`. Applicants and followers
    are told; the award shows on the opportunity."""
    from django.utils.module_loading import import_string

    now = now or clock.now()
    _lock(opportunity)
    if by is not None:
        _require_member(buyer=opportunity.buyer, by=by)
    status = opportunity.get_status(now)
    if status != Status.CLOSED:
        message = (
            _("You can award only after the deadline has passed.")
            if status == Status.PUBLISHED
            else _("This opportunity is %(status)s and cannot be awarded.")
            % {"status": opportunity.get_status_display()}
        )
        raise TransitionError(message)
    if not winners and not not_awarded:
        raise ApplicationError(
            _("Name the winner, or say that it is not awarded."),
            errors={"winners": [_("Name at least one winner, or choose 'not awarded'.")]},
        )
    for dotted in AWARD_PRECONDITIONS:
        import_string(dotted)(opportunity=opportunity, now=now)
    if not_awarded:
        Award.objects.create(opportunity=opportunity, is_awarded=False, awarded_at=now, note=note)
    for winner in winners or []:
        company = winner.get("company")
        if company is not None and not (isinstance(company, Organisation) and company.is_company):
            raise ApplicationError(
                _("The winner must be a company."), errors={"winners": [_("Not a company.")]}
            )
        name = winner.get("supplier_name") or (company.name if company else "")
        if not name:
            raise ApplicationError(
                _("Name the winner."), errors={"winners": [_("Name the winner.")]}
            )
        Award.objects.create(
            opportunity=opportunity,
            company=company,
            supplier_name=name,
            value=winner.get("value"),
            lot=winner.get("lot"),
            awarded_at=now,
            note=note,
        )
    opportunity.awarded_at = now
    opportunity.save(update_fields=["awarded_at", "updated_at"])
    OpportunityEvent.objects.create(
        opportunity=opportunity,
        type=OpportunityEvent.Type.AWARDED,
        created_at=now,
        payload={"not_awarded": not_awarded},
    )
    hooks.opportunity_changed(opportunity.pk, OpportunityEvent.Type.AWARDED)
    return opportunity


@transaction.atomic
def opportunity_cancel(
    *, opportunity: Opportunity, by: User | None, reason: str, now: dt.datetime | None = None
) -> Opportunity:
    """Cancel a published or closed opportunity, with a reason everyone can read."""
    now = now or clock.now()
    _lock(opportunity)
    if by is not None:
        _require_member(buyer=opportunity.buyer, by=by)
    status = opportunity.get_status(now)
    if status not in (Status.PUBLISHED, Status.CLOSED):
        raise TransitionError(
            _("Only an open or closed opportunity can be cancelled; this one is %(status)s.")
            % {"status": opportunity.get_status_display()}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Give a reason; applicants and followers will read it."),
            errors={"reason": [_("A reason is required.")]},
        )
    opportunity.cancelled_at = now
    opportunity.cancel_reason = reason
    opportunity.save(update_fields=["cancelled_at", "cancel_reason", "updated_at"])
    OpportunityEvent.objects.create(
        opportunity=opportunity,
        type=OpportunityEvent.Type.CANCELLED,
        created_at=now,
        payload={"reason": reason[:500]},
    )
    hooks.opportunity_changed(opportunity.pk, OpportunityEvent.Type.CANCELLED)
    return opportunity


@transaction.atomic
def opportunity_delete_draft(*, opportunity: Opportunity, by: User) -> None:
    """Delete a draft that was never published."""
    _require_member(buyer=opportunity.buyer, by=by)
    if opportunity.published_at is not None:
        raise TransitionError(
            _("A published opportunity cannot be deleted; withdraw or cancel it.")
        )
    opportunity.delete()
