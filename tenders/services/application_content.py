"""What an application contains, per kind of opportunity, and the rules for it.

Three steps, all without database writes:
- `draft_clean`: merge a change into the working copy. Refuses only what cannot be stored
  (unknown fields, a number that is not a number, a choice that is not offered), so a company
  never loses work because a text is still too long.
- `draft_missing`: what still stops submission, per field, in plain words (empty answers,
  word limits, amounts outside the call's range, dates that are not available ...).
- `content_render`: the self-describing content of a submitted version, and its hash.

The working copy (`Application.draft`) holds plain JSON: decimals as strings, dates as ISO
strings, ids as string keys:

    {"criteria": {"<criterion id>": "text"},       answers to quality award criteria
     "lot_prices": {"<lot id>": "1000.00"},         tenders with lots
     "price": "1000.00",                            tenders without lots
     "project_plan", "requested_amount", "budget": [{"item", "amount"}],   funding calls
     "approach", "team", "pilot_plan",              co-creation calls
     "starts_on", "ends_on", "test_plan", "safety_privacy",               test locations
     "answers": {"<question id>": value},           the buyer's own questions
     "partners": [{"name", "kvk_number", "role"}],  a consortium: the lead company plus these
     "files": {"<slot>": file id}}                  managed by the file services
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.core.errors import ApplicationError
from tenders.models import (
    AvailabilityWindow,
    AwardCriterion,
    FundingDetails,
    Lot,
    Opportunity,
    RequiredDocument,
)
from tenders.models.applications import ApplicationQuestion

Kind = Opportunity.Kind
QType = ApplicationQuestion.Type

MAX_TEXT = 100_000  # characters; a guard against abuse, far above any word limit
MAX_ROWS = 50
MAX_PARTNERS = 20
MAX_AMOUNT = Decimal("1000000000000")

# Word limits for the fixed parts of each kind (buyers set their own for criteria and questions).
WORD_LIMITS = {
    "project_plan": 2000,
    "approach": 1000,
    "team": 500,
    "pilot_plan": 1000,
    "test_plan": 1000,
    "safety_privacy": 1000,
}
LABELS = {
    "price": gettext_lazy("Price (EUR, excluding VAT)"),
    "project_plan": gettext_lazy("Project plan"),
    "requested_amount": gettext_lazy("Requested amount (EUR)"),
    "budget": gettext_lazy("Budget"),
    "approach": gettext_lazy("Approach"),
    "team": gettext_lazy("Team"),
    "pilot_plan": gettext_lazy("Pilot plan"),
    "dates": gettext_lazy("Requested dates"),
    "starts_on": gettext_lazy("First day"),
    "ends_on": gettext_lazy("Last day"),
    "test_plan": gettext_lazy("What will be tested"),
    "safety_privacy": gettext_lazy("Safety and privacy statement"),
    "partners": gettext_lazy("Partners in the consortium"),
}
COMMON_FIELDS = {"criteria", "answers", "partners"}
KIND_FIELDS = {
    Kind.TENDER: {"lot_prices", "price"},
    Kind.FUNDING: {"project_plan", "requested_amount", "budget"},
    Kind.CO_CREATION: {"approach", "team", "pilot_plan"},
    Kind.TEST_LOCATION: {"starts_on", "ends_on", "test_plan", "safety_privacy"},
}
KIND_TEXTS = {
    Kind.FUNDING: ["project_plan"],
    Kind.CO_CREATION: ["approach", "team", "pilot_plan"],
    Kind.TEST_LOCATION: ["test_plan", "safety_privacy"],
}
KVK = re.compile(r"^\d{8}$")


@dataclass
class FormSpec:
    """Everything about an opportunity that shapes its application form."""

    opportunity: Opportunity
    criteria: list[AwardCriterion] = field(default_factory=list)  # quality: answered in words
    lots: list[Lot] = field(default_factory=list)
    documents: list[RequiredDocument] = field(default_factory=list)
    questions: list[ApplicationQuestion] = field(default_factory=list)
    funding: FundingDetails | None = None
    windows: list[AvailabilityWindow] = field(default_factory=list)
    capacity: int = 1

    @property
    def kind(self) -> str:
        return self.opportunity.kind

    @property
    def fields(self) -> set[str]:
        return COMMON_FIELDS | KIND_FIELDS[self.kind]

    def amount_range(self) -> tuple[Decimal | None, Decimal | None]:
        f, o = self.funding, self.opportunity
        low = f.amount_min if f and f.amount_min is not None else o.budget_min
        high = f.amount_max if f and f.amount_max is not None else o.budget_max
        return low, high

    def slots(self) -> dict[str, str]:
        """Upload slots and their labels."""
        out = {f"document:{d.pk}": d.name for d in self.documents}
        out.update({f"question:{q.pk}": q.text for q in self.questions if q.type == QType.FILE})
        return out


def word_count(text: str) -> int:
    return len(text.split())


class _Errors(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors


def _fail(key: str, message: str):
    raise _Errors({key: [message]})


def _text(key: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        _fail(key, _("Write text here."))
    if len(value) > MAX_TEXT:
        _fail(key, _("This text is far too long; keep it under the word limit."))
    value = value.strip()
    return value or None


def _decimal(key: str, value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        _fail(key, _("Enter an amount, like 12500 or 12500.50."))
    try:
        number = Decimal(str(value).strip().replace(" ", "").replace("€", ""))
    except InvalidOperation:
        _fail(key, _("Enter an amount, like 12500 or 12500.50."))
    if not number.is_finite():
        _fail(key, _("Enter an amount, like 12500 or 12500.50."))
    if number < 0:
        _fail(key, _("An amount cannot be negative."))
    if number >= MAX_AMOUNT:
        _fail(key, _("This amount is too large."))
    return str(number.quantize(Decimal("0.01")))


def _date(key: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        _fail(key, _("Enter a date as YYYY-MM-DD."))


def _id_map(key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        _fail(key, _("Give an object with an entry per id."))
    return {str(k): v for k, v in value.items()}


def _merge(current: Any, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Merge per id; None removes an entry."""
    merged = dict(current or {})
    for k, v in changes.items():
        if v is None:
            merged.pop(k, None)
        else:
            merged[k] = v
    return merged


def _clean_criteria(spec: FormSpec, value: Any, current: Any) -> dict | None:
    known = {str(c.pk) for c in spec.criteria}
    changes, errors = {}, {}
    for k, v in _id_map("criteria", value).items():
        if k not in known:
            errors[f"criteria.{k}"] = [_("There is no such award criterion to answer.")]
            continue
        try:
            changes[k] = _text(f"criteria.{k}", v)
        except _Errors as exc:
            errors.update(exc.errors)
    if errors:
        raise _Errors(errors)
    return _merge(current, changes) or None


def _clean_lot_prices(spec: FormSpec, value: Any, current: Any) -> dict | None:
    known = {str(lot.pk) for lot in spec.lots}
    if not known:
        _fail("lot_prices", _("This tender has no lots; give one price."))
    changes, errors = {}, {}
    for k, v in _id_map("lot_prices", value).items():
        if k not in known:
            errors[f"lot_prices.{k}"] = [_("There is no such lot.")]
            continue
        try:
            changes[k] = _decimal(f"lot_prices.{k}", v)
        except _Errors as exc:
            errors.update(exc.errors)
    if errors:
        raise _Errors(errors)
    return _merge(current, changes) or None


def _clean_price(spec: FormSpec, value: Any, current: Any) -> str | None:
    if spec.lots and value not in (None, ""):
        _fail("price", _("This tender has lots; give a price per lot."))
    return _decimal("price", value)


def _yes_no(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("yes", "true", "ja", "1"):
        return True
    if text in ("no", "false", "nee", "0"):
        return False
    _fail(key, _("Answer yes or no."))


def _clean_answers(spec: FormSpec, value: Any, current: Any) -> dict | None:
    questions = {str(q.pk): q for q in spec.questions}
    changes, errors = {}, {}
    for k, v in _id_map("answers", value).items():
        key = f"answers.{k}"
        question = questions.get(k)
        try:
            if question is None:
                _fail(key, _("There is no such question."))
            if v is None or v == "":
                changes[k] = None
            elif question.type == QType.TEXT:
                changes[k] = _text(key, v)
            elif question.type == QType.NUMBER:
                changes[k] = _number(key, v)
            elif question.type == QType.YES_NO:
                changes[k] = _yes_no(key, v)
            elif question.type == QType.CHOICE:
                if str(v) not in [str(c) for c in question.choices]:
                    _fail(key, _("Choose one of the options."))
                changes[k] = str(v)
            else:
                _fail(key, _("Upload the file for this question instead."))
        except _Errors as exc:
            errors.update(exc.errors)
    if errors:
        raise _Errors(errors)
    return _merge(current, changes) or None


def _number(key: str, value: Any) -> str:
    if isinstance(value, bool):
        _fail(key, _("Enter a number."))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        _fail(key, _("Enter a number."))
    if not number.is_finite() or abs(number) >= MAX_AMOUNT:
        _fail(key, _("Enter a number."))
    return str(number.normalize()) if number == number.to_integral() else str(number)


def _rows(key: str, value: Any, limit: int) -> list[Mapping]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(r, Mapping) for r in value):
        _fail(key, _("Give a list of rows."))
    if len(value) > limit:
        _fail(key, _("At most %(n)d rows.") % {"n": limit})
    return list(value)


def _clean_budget(spec: FormSpec, value: Any, current: Any) -> list | None:
    rows, errors = [], {}
    for i, row in enumerate(_rows("budget", value, MAX_ROWS)):
        try:
            item = _text(f"budget.{i}.item", row.get("item"))
            if item and len(item) > 200:
                _fail(f"budget.{i}.item", _("Keep the description under 200 characters."))
            amount = _decimal(f"budget.{i}.amount", row.get("amount"))
        except _Errors as exc:
            errors.update(exc.errors)
            continue
        if item or amount:
            rows.append({"item": item or "", "amount": amount})
    if errors:
        raise _Errors(errors)
    return rows or None


def _clean_partners(spec: FormSpec, value: Any, current: Any) -> list | None:
    rows, errors = [], {}
    for i, row in enumerate(_rows("partners", value, MAX_PARTNERS)):
        try:
            name = _text(f"partners.{i}.name", row.get("name")) or ""
            kvk = (_text(f"partners.{i}.kvk_number", row.get("kvk_number")) or "").replace(" ", "")
            role = _text(f"partners.{i}.role", row.get("role")) or ""
            if kvk and not KVK.match(kvk):
                _fail(f"partners.{i}.kvk_number", _("A KvK number has exactly 8 digits."))
            if len(name) > 200 or len(role) > 500:
                _fail(f"partners.{i}.name", _("Keep the name and role short."))
        except _Errors as exc:
            errors.update(exc.errors)
            continue
        if name or kvk or role:
            rows.append({"name": name, "kvk_number": kvk, "role": role})
    if errors:
        raise _Errors(errors)
    return rows or None


def _clean_kind_text(name: str):
    def clean(spec: FormSpec, value: Any, current: Any) -> str | None:
        return _text(name, value)

    return clean


def _clean_kind_date(name: str):
    def clean(spec: FormSpec, value: Any, current: Any) -> str | None:
        return _date(name, value)

    return clean


CLEANERS = {
    "criteria": _clean_criteria,
    "lot_prices": _clean_lot_prices,
    "price": _clean_price,
    "answers": _clean_answers,
    "budget": _clean_budget,
    "partners": _clean_partners,
    "requested_amount": lambda spec, value, current: _decimal("requested_amount", value),
    "starts_on": _clean_kind_date("starts_on"),
    "ends_on": _clean_kind_date("ends_on"),
    **{name: _clean_kind_text(name) for name in WORD_LIMITS},
}


def draft_clean(spec: FormSpec, current: Mapping[str, Any], data: Mapping[str, Any]) -> dict:
    """The working copy with `data` merged in. Per-id maps (criteria, lot_prices, answers) merge
    entry by entry; lists and single values replace; None or an empty value removes.
    Raises ApplicationError naming every field whose value cannot be stored."""
    unknown = sorted(set(data) - spec.fields)
    if unknown:
        raise ApplicationError(
            _("These fields do not belong to this application: %(fields)s.")
            % {"fields": ", ".join(unknown)},
            errors={f: [_("This field does not exist here.")] for f in unknown},
        )
    draft = copy.deepcopy(dict(current or {}))
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        try:
            cleaned = CLEANERS[key](spec, value, draft.get(key))
        except _Errors as exc:
            errors.update(exc.errors)
            continue
        if cleaned is None:
            draft.pop(key, None)
        else:
            draft[key] = cleaned
    if errors:
        raise ApplicationError(_("Please correct the errors below."), errors=errors)
    return draft


def _eur(value: Decimal | str | None) -> str:
    if value is None:
        return ""
    return "€ " + number_format(Decimal(value), decimal_pos=2, use_l10n=True, force_grouping=True)


def _days(start: dt.date, end: dt.date):
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def dates_problem(
    spec: FormSpec, starts_on: dt.date, ends_on: dt.date, *, today: dt.date, booked: Counter
) -> str | None:
    """Why these dates cannot be booked, or None. `booked` counts approved bookings per day
    (of other applications)."""
    if ends_on < starts_on:
        return _("The last day cannot be before the first day.")
    if starts_on < today:
        return _("The first day has already passed.")
    if not any(w.starts_on <= starts_on and ends_on <= w.ends_on for w in spec.windows):
        return _(
            "These dates are not inside one of the periods in which the location is available."
        )
    full = [day for day in _days(starts_on, ends_on) if booked.get(day, 0) >= spec.capacity]
    if full:
        return _("Already booked by others on: %(days)s. Choose other dates.") % {
            "days": ", ".join(d.isoformat() for d in full[:10])
        }
    return None


def draft_missing(
    spec: FormSpec,
    draft: Mapping[str, Any],
    *,
    company_kvk: str = "",
    today: dt.date,
    booked: Counter | None = None,
) -> dict[str, list[str]]:
    """What stops submission, per field. Empty: ready to submit."""
    missing: dict[str, list[str]] = {}

    def need(key: str, message: str) -> None:
        missing.setdefault(key, []).append(str(message))

    def words(key: str, text: str | None, limit: int | None, label: str) -> None:
        if not text:
            need(key, _("Answer: %(label)s.") % {"label": label})
        elif limit and word_count(text) > limit:
            need(
                key,
                _("%(label)s has %(count)d words; the limit is %(limit)d.")
                % {"label": label, "count": word_count(text), "limit": limit},
            )

    criteria = draft.get("criteria") or {}
    for c in spec.criteria:
        words(f"criteria.{c.pk}", criteria.get(str(c.pk)), c.word_limit, c.name)

    kind = spec.kind
    if kind == Kind.TENDER:
        if spec.lots:
            prices = draft.get("lot_prices") or {}
            if not any(prices.get(str(lot.pk)) is not None for lot in spec.lots):
                need("lot_prices", _("Give a price for at least one lot you bid on."))
        elif draft.get("price") is None:
            need("price", _("Give your price."))
    for name in KIND_TEXTS.get(kind, []):
        words(name, draft.get(name), WORD_LIMITS[name], str(LABELS[name]))
    if kind == Kind.FUNDING:
        _funding_missing(spec, draft, need)
    if kind == Kind.TEST_LOCATION:
        starts, ends = draft.get("starts_on"), draft.get("ends_on")
        if not starts:
            need("starts_on", _("Choose the first day."))
        if not ends:
            need("ends_on", _("Choose the last day."))
        if starts and ends:
            problem = dates_problem(
                spec,
                dt.date.fromisoformat(starts),
                dt.date.fromisoformat(ends),
                today=today,
                booked=booked or Counter(),
            )
            if problem:
                need("starts_on", problem)

    files = draft.get("files") or {}
    for d in spec.documents:
        if d.is_required and f"document:{d.pk}" not in files:
            need(f"documents.{d.pk}", _("Upload: %(name)s.") % {"name": d.name})
    answers = draft.get("answers") or {}
    for q in spec.questions:
        key = f"answers.{q.pk}"
        if q.type == QType.FILE:
            if q.is_required and f"question:{q.pk}" not in files:
                need(key, _("Upload a file for: %(q)s") % {"q": q.text})
            continue
        answer = answers.get(str(q.pk))
        if answer is None:
            if q.is_required:
                need(key, _("Answer: %(q)s") % {"q": q.text})
        elif q.type == QType.TEXT and q.word_limit and word_count(answer) > q.word_limit:
            need(
                key,
                _("Your answer to '%(q)s' has %(count)d words; the limit is %(limit)d.")
                % {"q": q.text, "count": word_count(answer), "limit": q.word_limit},
            )
        elif q.type == QType.CHOICE and answer not in [str(c) for c in q.choices]:
            need(key, _("Choose one of the options again; they have changed."))

    seen = set()
    for i, partner in enumerate(draft.get("partners") or []):
        if not partner.get("name"):
            need(f"partners.{i}.name", _("Give the name of each partner company."))
        kvk = partner.get("kvk_number", "")
        if not kvk:
            need(f"partners.{i}.kvk_number", _("Give the KvK number of each partner company."))
        elif company_kvk and kvk == company_kvk:
            need(f"partners.{i}.kvk_number", _("The lead company cannot also be a partner."))
        elif kvk in seen:
            need(f"partners.{i}.kvk_number", _("This partner is listed twice."))
        seen.add(kvk)
    return missing


def _funding_missing(spec: FormSpec, draft: Mapping[str, Any], need) -> None:
    requested = draft.get("requested_amount")
    low, high = spec.amount_range()
    if requested is None:
        need("requested_amount", _("Say how much you ask for."))
    else:
        amount = Decimal(requested)
        if low is not None and amount < low:
            need(
                "requested_amount",
                _("This call gives at least %(min)s; you ask %(amount)s.")
                % {"min": _eur(low), "amount": _eur(amount)},
            )
        if high is not None and amount > high:
            need(
                "requested_amount",
                _("This call gives at most %(max)s; you ask %(amount)s.")
                % {"max": _eur(high), "amount": _eur(amount)},
            )
    budget = draft.get("budget") or []
    if not budget:
        need("budget", _("Fill in the budget table: what the project costs, per item."))
        return
    for i, row in enumerate(budget):
        if not row.get("item"):
            need(f"budget.{i}.item", _("Describe each budget item."))
        if row.get("amount") is None:
            need(f"budget.{i}.amount", _("Give an amount for each budget item."))
    total = sum((Decimal(r["amount"]) for r in budget if r.get("amount")), Decimal(0))
    if requested is not None:
        amount = Decimal(requested)
        if amount > total:
            need(
                "budget",
                _("You ask %(amount)s but the budget adds up to %(total)s.")
                % {"amount": _eur(amount), "total": _eur(total)},
            )
        rate = spec.funding.cofinancing_rate if spec.funding else None
        if rate:
            ceiling = (total * (Decimal(100) - rate) / Decimal(100)).quantize(Decimal("0.01"))
            if amount > ceiling:
                need(
                    "requested_amount",
                    _(
                        "You pay %(rate)s%% of the costs yourself, so you can ask at most %(max)s of this budget."
                    )
                    % {"rate": rate.normalize(), "max": _eur(ceiling)},
                )


def budget_total(draft: Mapping[str, Any]) -> str | None:
    rows = draft.get("budget") or []
    if not rows:
        return None
    return str(sum((Decimal(r["amount"]) for r in rows if r.get("amount")), Decimal("0.00")))


def content_items(
    spec: FormSpec, draft: Mapping[str, Any], files: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The form, answered, as labelled rows in the order of the form. `files` maps slots to
    {id, name, size, sha256}. Values are strings, True/False for yes-or-no questions, or None
    when not answered."""
    items: list[dict[str, Any]] = []

    def add(key: str, label: str, value: Any, **extra) -> None:
        items.append({"key": key, "label": str(label), "value": value, **extra})

    criteria = draft.get("criteria") or {}
    for c in spec.criteria:
        add(
            f"criteria.{c.pk}",
            f"{c.name} ({c.weight.normalize():f}%)",
            criteria.get(str(c.pk)),
            word_limit=c.word_limit,
        )
    kind = spec.kind
    if kind == Kind.TENDER:
        prices = draft.get("lot_prices") or {}
        for lot in spec.lots:
            add(
                f"lot_prices.{lot.pk}",
                _("Price for lot %(number)s: %(title)s (EUR, excluding VAT)")
                % {"number": lot.number, "title": lot.title},
                prices.get(str(lot.pk)),
            )
        if not spec.lots:
            add("price", LABELS["price"], draft.get("price"))
    elif kind == Kind.FUNDING:
        add("project_plan", LABELS["project_plan"], draft.get("project_plan"))
        add("requested_amount", LABELS["requested_amount"], draft.get("requested_amount"))
        rows = draft.get("budget") or []
        text = "\n".join(f"{r['item']}: {r['amount'] or ''}" for r in rows)
        if rows:
            text += "\n" + _("Total") + f": {budget_total(draft)}"
        add("budget", LABELS["budget"], text or None, rows=rows)
    elif kind == Kind.CO_CREATION:
        for name in KIND_TEXTS[kind]:
            add(name, LABELS[name], draft.get(name))
    elif kind == Kind.TEST_LOCATION:
        starts, ends = draft.get("starts_on"), draft.get("ends_on")
        add("dates", LABELS["dates"], f"{starts} to {ends}" if starts and ends else None)
        for name in KIND_TEXTS[kind]:
            add(name, LABELS[name], draft.get(name))
    for d in spec.documents:
        slot = f"document:{d.pk}"
        file = files.get(slot)
        add(f"documents.{d.pk}", d.name, file["name"] if file else None, file=file)
    answers = draft.get("answers") or {}
    for q in spec.questions:
        if q.type == QType.FILE:
            file = files.get(f"question:{q.pk}")
            add(f"answers.{q.pk}", q.text, file["name"] if file else None, file=file)
            continue
        add(f"answers.{q.pk}", q.text, answers.get(str(q.pk)), word_limit=q.word_limit)
    partners = draft.get("partners") or []
    if partners:
        add(
            "partners",
            LABELS["partners"],
            "\n".join(
                f"{p['name']} (KvK {p['kvk_number']})" + (f": {p['role']}" if p["role"] else "")
                for p in partners
            ),
        )
    return items


def canonical_json(content: Any) -> bytes:
    """The exact bytes the content hash is computed over: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(content: Any) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()
