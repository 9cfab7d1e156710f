"""`OpportunityQuery`: one frozen description of a search. The search page, the API, saved
searches and alerts all build one, hand it to a backend, and store it as JSON.

Filter names are the API's (DESIGN.md): kind, status, competency, cpv, region, buyer,
closes_after, closes_before, budget_min, budget_max; plus q, sme_suitable,
first_timer_friendly, and the facet-only filters budget_band and closing; sort and page.
Several values of one filter mean "any of these"; different filters must all hold.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from marketplace.core.errors import ApplicationError

KINDS = ("tender", "funding", "co_creation", "test_location")
STATUSES = ("published", "closed", "awarded", "cancelled")  # drafts are never searchable
SORTS = ("relevance", "closing", "newest")
CLOSING_WINDOWS = ("this_week", "this_month", "later")
# (value, lower bound inclusive, upper bound exclusive) on the budget's upper end, in EUR.
BUDGET_BANDS = (
    ("under_50k", None, 50_000),
    ("50k_250k", 50_000, 250_000),
    ("250k_1m", 250_000, 1_000_000),
    ("over_1m", 1_000_000, None),
)
BUDGET_BAND_VALUES = tuple(b[0] for b in BUDGET_BANDS)
MULTI = ("kind", "status", "competency", "cpv", "region", "buyer", "budget_band", "closing")
MAX_PAGE_SIZE = 100
MAX_VALUES = 50
MAX_Q = 200
_CPV_RE = re.compile(r"^\d{2,8}(-\d)?$")
_REGION_RE = re.compile(r"^[A-Z]{2}[A-Z0-9]{0,8}$")
_SLUG_RE = re.compile(r"^[-a-z0-9_]{1,220}$")


def budget_band(budget_min: Decimal | None, budget_max: Decimal | None) -> str:
    """The band of a budget range, by its upper end ("" when no budget is given)."""
    top = budget_max if budget_max is not None else budget_min
    if top is None:
        return ""
    for value, low, high in BUDGET_BANDS:
        if (low is None or top >= low) and (high is None or top < high):
            return value
    return ""


def closing_window(closes_at: dt.datetime | None, now: dt.datetime) -> str:
    """this_week (within 7 days), this_month (in 8 to 30 days), later (or no deadline);
    "" once the deadline has passed."""
    if closes_at is None:
        return "later"
    if closes_at <= now:
        return ""
    if closes_at <= now + dt.timedelta(days=7):
        return "this_week"
    if closes_at <= now + dt.timedelta(days=30):
        return "this_month"
    return "later"


def cpv_prefix(code: str) -> str:
    """The significant digits of a CPV code: 72200000 -> 722, 72000000 -> 72."""
    digits = code.split("-")[0].strip()
    significant = digits.rstrip("0")
    return significant if len(significant) >= 2 else digits[:2]


def cpv_prefixes(code: str) -> list[str]:
    """Every ancestor of a CPV code as a prefix, itself included: 72212000 -> 72, 722, 7221,
    72212. A filter on any ancestor matches by one exact term."""
    prefix = cpv_prefix(code)
    return [prefix[:n] for n in range(2, len(prefix) + 1)]


@dataclasses.dataclass(frozen=True)
class OpportunityQuery:
    q: str = ""
    kind: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    competency: tuple[str, ...] = ()
    cpv: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    buyer: tuple[str, ...] = ()
    closes_after: dt.datetime | None = None
    closes_before: dt.datetime | None = None
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    budget_band: tuple[str, ...] = ()
    closing: tuple[str, ...] = ()
    sme_suitable: bool | None = None
    first_timer_friendly: bool | None = None
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20

    # --- building ----------------------------------------------------------------------------

    @classmethod
    def from_params(
        cls, params: Mapping[str, Any], *, page_size: int | None = None
    ) -> OpportunityQuery:
        """From query parameters (a QueryDict or a dict). Several values come as repeated
        parameters or comma-separated. Raises ApplicationError naming each bad parameter."""
        errors: dict[str, list[str]] = {}
        values: dict[str, Any] = {}

        def get_list(name: str) -> list[str]:
            raw = params.getlist(name) if hasattr(params, "getlist") else params.get(name, [])
            if isinstance(raw, str):
                raw = [raw]
            out: list[str] = []
            for item in raw or []:
                out.extend(p.strip() for p in str(item).split(",") if p.strip())
            return out

        def get_one(name: str) -> str:
            items = get_list(name) if name not in ("q",) else None
            if name == "q":
                raw = params.get("q", "")
                return str(raw if raw is not None else "").strip()
            return items[-1] if items else ""

        values["q"] = get_one("q")[:MAX_Q]
        for name in MULTI:
            values[name] = get_list(name)
        for name in ("closes_after", "closes_before", "budget_min", "budget_max", "sort"):
            values[name] = get_one(name)
        for name in ("sme_suitable", "first_timer_friendly"):
            values[name] = get_one(name)
        values["page"] = get_one("page")
        values["page_size"] = get_one("page_size")
        try:
            query = cls._clean(values, default_page_size=page_size)
        except ApplicationError as exc:
            errors.update(exc.errors)
            raise ApplicationError(
                _("Please correct the search parameters."), errors=errors
            ) from None
        return query

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OpportunityQuery:
        """From what `to_json` stored. Raises ApplicationError on bad data."""
        values = {
            k: v for k, v in dict(data).items() if k in {f.name for f in dataclasses.fields(cls)}
        }
        for name in MULTI:
            v = values.get(name) or []
            values[name] = [v] if isinstance(v, str) else list(v)
        for name in ("closes_after", "closes_before", "budget_min", "budget_max"):
            values[name] = "" if values.get(name) is None else str(values[name])
        for name in ("sme_suitable", "first_timer_friendly"):
            v = values.get(name)
            values[name] = "" if v is None else str(v).lower()
        for name in ("page", "page_size"):
            values[name] = "" if values.get(name) is None else str(values[name])
        values["sort"] = values.get("sort") or ""
        values["q"] = str(values.get("q") or "")
        return cls._clean(values, default_page_size=None)

    @classmethod
    def _clean(cls, v: dict[str, Any], *, default_page_size: int | None) -> OpportunityQuery:
        errors: dict[str, list[str]] = {}

        def choice(name: str, allowed: Iterable[str]) -> tuple[str, ...]:
            allowed = tuple(allowed)
            bad = [x for x in v[name] if x not in allowed]
            if bad:
                errors[name] = [
                    _("Unknown value %(value)s; choose from %(allowed)s.")
                    % {"value": x, "allowed": ", ".join(allowed)}
                    for x in bad
                ]
            return tuple(dict.fromkeys(x for x in v[name] if x in allowed))

        def pattern(name: str, regex: re.Pattern, normalise=lambda s: s) -> tuple[str, ...]:
            out = []
            for x in v[name]:
                x = normalise(x)
                if regex.match(x):
                    out.append(x)
                else:
                    errors.setdefault(name, []).append(
                        _("Not a valid value: %(value)s.") % {"value": x[:50]}
                    )
            return tuple(dict.fromkeys(out))

        for name in MULTI:
            if len(v[name]) > MAX_VALUES:
                errors[name] = [_("At most %(n)s values.") % {"n": MAX_VALUES}]
                v[name] = v[name][:MAX_VALUES]

        fields: dict[str, Any] = {"q": v["q"]}
        fields["kind"] = choice("kind", KINDS)
        fields["status"] = choice("status", STATUSES)
        fields["closing"] = choice("closing", CLOSING_WINDOWS)
        fields["budget_band"] = choice("budget_band", BUDGET_BAND_VALUES)
        fields["competency"] = pattern("competency", _SLUG_RE, str.lower)
        fields["cpv"] = tuple(
            c.split("-")[0].ljust(8, "0") for c in pattern("cpv", _CPV_RE, str.strip)
        )
        fields["region"] = pattern("region", _REGION_RE, str.upper)
        fields["buyer"] = pattern("buyer", _SLUG_RE, str.lower)

        for name in ("closes_after", "closes_before"):
            raw = v[name]
            if not raw:
                fields[name] = None
                continue
            parsed = _parse_datetime(raw, end_of_day=name == "closes_before")
            if parsed is None:
                errors[name] = [_("Use a date (2026-03-31) or a date and time (ISO 8601).")]
            fields[name] = parsed
        for name in ("budget_min", "budget_max"):
            raw = v[name]
            if not raw:
                fields[name] = None
                continue
            try:
                amount = Decimal(raw)
                if not amount.is_finite() or amount < 0 or amount > Decimal("1e13"):
                    raise InvalidOperation
                fields[name] = amount
            except (InvalidOperation, ValueError):
                errors[name] = [_("Enter an amount in euros, such as 50000.")]
                fields[name] = None
        for name in ("sme_suitable", "first_timer_friendly"):
            raw = str(v[name]).strip().lower()
            if raw in ("", "any"):
                fields[name] = None
            elif raw in ("true", "1", "yes", "on"):
                fields[name] = True
            elif raw in ("false", "0", "no", "off"):
                fields[name] = False
            else:
                errors[name] = [_("Use true or false.")]
        sort = v["sort"] or "relevance"
        if sort not in SORTS:
            errors["sort"] = [_("Sort by relevance, closing or newest.")]
            sort = "relevance"
        fields["sort"] = sort
        fields["page"] = _positive_int(v["page"], 1, "page", errors, maximum=10_000)
        fields["page_size"] = _positive_int(
            v["page_size"], default_page_size or 20, "page_size", errors, maximum=MAX_PAGE_SIZE
        )
        if errors:
            raise ApplicationError(_("Please correct the search parameters."), errors=errors)
        return cls(**fields)

    # --- describing ----------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict of what differs from the defaults (page is not kept)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name in ("page", "page_size"):
                continue
            value = getattr(self, f.name)
            if value == f.default:
                continue
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, dt.datetime):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = str(value)
            out[f.name] = value
        return out

    def to_params(self) -> list[tuple[str, str]]:
        """Query parameters for a shareable URL (defaults left out; several values repeated)."""
        out: list[tuple[str, str]] = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value == f.default or (f.name == "page_size" and value == 20):
                continue
            if isinstance(value, tuple):
                out.extend((f.name, str(x)) for x in value)
            elif isinstance(value, bool):
                out.append((f.name, "true" if value else "false"))
            elif isinstance(value, dt.datetime):
                out.append((f.name, value.isoformat()))
            else:
                out.append((f.name, str(value)))
        return out

    def replace(self, **changes: Any) -> OpportunityQuery:
        return dataclasses.replace(self, **changes)

    @property
    def filters(self) -> dict[str, Any]:
        """The filters that are set, by name."""
        names = (*MULTI, "closes_after", "closes_before", "budget_min", "budget_max")
        out = {n: getattr(self, n) for n in names if getattr(self, n) not in ((), None)}
        for n in ("sme_suitable", "first_timer_friendly"):
            if getattr(self, n) is not None:
                out[n] = getattr(self, n)
        return out

    @property
    def is_empty(self) -> bool:
        return not self.q.strip() and not self.filters


def _positive_int(raw: str, default: int, name: str, errors: dict, *, maximum: int) -> int:
    if raw in ("", None):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        errors[name] = [_("Enter a whole number.")]
        return default
    if value < 1 or value > maximum:
        errors[name] = [_("Enter a number from 1 to %(max)s.") % {"max": maximum}]
        return default
    return value


def _parse_datetime(raw: str, *, end_of_day: bool) -> dt.datetime | None:
    raw = raw.strip().replace(" ", "+") if "T" in raw else raw.strip()
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        try:
            day = parse_date(raw)
        except ValueError:
            day = None
        if day is None:
            return None
        value = dt.datetime.combine(day, dt.time.max if end_of_day else dt.time.min)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value
