"""Writing imported notices (TED eForms, OCDS, EU funding calls) as opportunities.

One opportunity per procedure (source, procedure id). A notice seen before with the same
content changes nothing; a new notice of a known procedure (a change notice, a contract award
notice after the contract notice, new OCDS releases) updates the opportunity and records an
amendment with its reason ("Updated from TED notice 123-2024"). Notices older than the one
applied last are recorded but not applied. Buyers are matched by identifier, else by name and
country, else created as unclaimed organisations. Search and alerts hear of every changed
opportunity once, after the batch commits (`tenders.hooks`).

Bad items never stop a batch: each item is written in its own savepoint and a failure is
reported with the file and the reason.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils.text import slugify

from marketplace.core import clock
from marketplace.core.bulk import rows_insert
from marketplace.core.errors import ApplicationError
from marketplace.core.models import CpvCode, Organisation, Region
from tenders import hooks
from tenders.models import (
    Amendment,
    Award,
    FundingDetails,
    ImportedNotice,
    ImportRecord,
    Lot,
    Opportunity,
    OpportunityEvent,
    TenderDetails,
)
from tenders.opendata.items import ImportItem, NoticeRejected, Party, summary_from
from tenders.services.opportunities import _jsonable, _snapshot

logger = logging.getLogger(__name__)

Outcome = ImportedNotice.Outcome
SOURCE_LABELS = {"ted": "TED notice", "ocds": "OCDS release", "eu_funding": "EU funding call"}


@dataclass
class ImportReport:
    """What a run did. `problems` lists (file, kind, reason) for every item not imported."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    older: int = 0
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    changed_ids: set[int] = field(default_factory=set)

    @property
    def invalid(self) -> int:
        return sum(1 for p in self.problems if p[1] == "invalid")

    @property
    def unsupported(self) -> int:
        return sum(1 for p in self.problems if p[1] == "unsupported")

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.older + len(self.problems)

    def reject(self, file_name: str, exc: NoticeRejected) -> None:
        self.problems.append((file_name, exc.kind, exc.reason))

    def summary(self) -> str:
        return (
            f"{self.total} notices: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.older} older than imported, "
            f"{self.invalid} invalid, {self.unsupported} unsupported"
        )


class _Context:
    """What a run looks up once: known codes and the buyers found so far."""

    def __init__(self, now: dt.datetime):
        self.now = now
        self.cpv = set(CpvCode.objects.values_list("code", flat=True))
        self.regions = set(Region.objects.values_list("code", flat=True))
        self.buyers: dict[tuple, Organisation] = {}
        self.events: dict[int, str] = {}

    def forget_buyers_since(self, keys: set[tuple]) -> None:
        """Buyers found or created in a rolled-back savepoint may not exist: look them up again."""
        for key in set(self.buyers) - keys:
            del self.buyers[key]


def buyer_for_party(
    *, party: Party, cache: dict[tuple, Organisation] | None = None
) -> Organisation:
    """The buyer organisation a notice names: matched by KvK or OIN number, or by the source's
    identifier (external_scheme, external_id), else by exact name and country; otherwise a new
    unclaimed buyer organisation that the real buyer can claim."""
    cache = {} if cache is None else cache
    key = (
        (party.scheme, party.identifier)
        if party.identifier
        else ("name", party.name.lower(), party.country)
    )
    if key in cache:
        return cache[key]
    buyers = Organisation.objects.filter(kind=Organisation.Kind.BUYER)
    org = None
    if party.scheme == "NL-KVK":
        org = _first(buyers.filter(kvk_number=party.identifier))
    elif party.scheme == "NL-OIN":
        org = _first(buyers.filter(oin=party.identifier))
    if org is None and party.identifier:
        org = _first(buyers.filter(external_scheme=party.scheme, external_id=party.identifier))
    if org is None:
        same_name = buyers.filter(name__iexact=party.name, country=party.country or "NL")
        for candidate in same_name.order_by()[:5]:
            if not party.identifier or candidate.external_id in ("", party.identifier):
                org = candidate
                break
    if org is None:
        org = Organisation.objects.create(
            kind=Organisation.Kind.BUYER,
            name=party.name[:200],
            slug=_unique_slug(party.name),
            buyer_type=party.buyer_type or Organisation.BuyerType.OTHER,
            city=party.city[:120],
            country=(party.country or "NL")[:2],
            website=party.website if party.website.startswith("http") else "",
            kvk_number=party.identifier if party.scheme == "NL-KVK" else "",
            oin=party.identifier if party.scheme == "NL-OIN" else "",
            external_scheme=party.scheme[:40],
            external_id=party.identifier[:120],
            is_claimed=False,
        )
    cache[key] = org
    return org


def _first(qs):
    """The first row of an unordered lookup: no ORDER BY, so the database uses the index of the
    filter instead of walking the table in primary key or name order."""
    return next(iter(qs.order_by()[:1]), None)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:200] or "organisation"
    taken = set(Organisation.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _fields(item: ImportItem, ctx: _Context) -> dict[str, Any]:
    """The opportunity's own fields as the item gives them (empty ones left out on updates)."""
    main_cpv = item.main_cpv if item.main_cpv in ctx.cpv else None
    return {
        "title": item.title[:300],
        "summary": summary_from(item.description) or item.title[:300],
        "description": item.description,
        "main_cpv_id": main_cpv,
        "budget_max": item.estimated_value,
        "opens_at": (
            dt.datetime.fromisoformat(item.funding["opens_at"])
            if item.funding and item.funding.get("opens_at")
            else item.published_at
        ),
        "closes_at": item.closes_at,
        "question_deadline": item.question_deadline,
        "is_sme_suitable": item.is_sme_suitable,
        "languages": item.languages,
        "source_url": item.source_url[:500],
    }


def _details(item: ImportItem) -> dict[str, Any]:
    if item.kind == Opportunity.Kind.FUNDING:
        funding = item.funding or {}
        return {
            "programme": funding.get("programme", "")[:200],
            "call_code": funding.get("call_code", "")[:100],
            "total_budget": funding.get("total_budget"),
        }
    return {
        "procedure": item.procedure,
        "estimated_value": item.estimated_value,
        "contract_duration_months": item.duration_months,
    }


def _write_children(
    opportunity: Opportunity, item: ImportItem, ctx: _Context, *, replace: bool
) -> None:
    """Codes, details, lots and awards. On updates, lists the item leaves empty are kept."""
    cpv = [c for c in item.cpv_codes if c in ctx.cpv]
    regions = [r for r in item.regions if r in ctx.regions]
    if cpv or not replace:
        if replace:
            opportunity.cpv_codes.clear()
        Opportunity.cpv_codes.through.objects.bulk_create(
            [
                Opportunity.cpv_codes.through(opportunity_id=opportunity.pk, cpvcode_id=c)
                for c in cpv
            ]
        )
    if regions or not replace:
        if replace:
            opportunity.regions.clear()
        Opportunity.regions.through.objects.bulk_create(
            [
                Opportunity.regions.through(opportunity_id=opportunity.pk, region_id=r)
                for r in regions
            ]
        )
    details = {k: v for k, v in _details(item).items() if v not in (None, "") or not replace}
    model = FundingDetails if item.kind == Opportunity.Kind.FUNDING else TenderDetails
    if replace:
        model.objects.update_or_create(opportunity=opportunity, defaults=details)
    else:
        model.objects.create(opportunity=opportunity, **details)

    lots_by_number: dict[str, Lot] = {}
    if item.lots or not replace:
        if replace:
            opportunity.lots.all().delete()
        unique = {lot.number: lot for lot in item.lots}
        rows = Lot.objects.bulk_create(
            [
                Lot(
                    opportunity=opportunity,
                    number=lot.number[:30],
                    title=lot.title[:300] or lot.number,
                    description=lot.description,
                    estimated_value=lot.estimated_value,
                )
                for lot in unique.values()
            ]
        )
        lots_by_number = {row.number: row for row in rows}
        through = Lot.cpv_codes.through
        through.objects.bulk_create(
            [
                through(lot_id=row.pk, cpvcode_id=code)
                for row in rows
                for code in dict.fromkeys(unique[row.number].cpv_codes)
                if code in ctx.cpv
            ]
        )
    elif item.awards:
        lots_by_number = {lot.number: lot for lot in opportunity.lots.all()}

    if item.awards or not replace:
        if replace:
            opportunity.awards.all().delete()
        fallback = item.issued_at or item.published_at or ctx.now
        Award.objects.bulk_create(
            [
                Award(
                    opportunity=opportunity,
                    lot=lots_by_number.get(award.lot),
                    supplier_name=award.supplier_name[:300],
                    supplier_id=award.supplier_id[:120],
                    value=award.value,
                    is_awarded=award.is_awarded,
                    awarded_at=award.awarded_at or fallback,
                    note=award.note,
                )
                for award in item.awards
            ]
        )


def _lifecycle(item: ImportItem, ctx: _Context) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if item.awards:
        dates = [a.awarded_at for a in item.awards if a.awarded_at]
        out["awarded_at"] = max(dates) if dates else item.issued_at or ctx.now
    if item.cancelled:
        out["cancelled_at"] = item.issued_at or ctx.now
        out["cancel_reason"] = str(item.extra.get("cancel_reason") or "Cancelled by the buyer")[
            :2000
        ]
    return out


def _record_notices(record: ImportRecord, item: ImportItem, outcome: str, ctx: _Context) -> None:
    ids = item.notice_ids or [item.notice_id]
    known = set(
        ImportedNotice.objects.filter(source=item.source, notice_id__in=ids).values_list(
            "notice_id", flat=True
        )
    )
    content_hash = item.content_hash()
    ImportedNotice.objects.bulk_create(
        [
            ImportedNotice(
                source=item.source,
                notice_id=notice_id,
                record=record,
                publication_number=item.publication_number if notice_id == item.notice_id else "",
                version=item.version[:20],
                notice_type=item.notice_type[:40],
                issued_at=item.issued_at,
                file_name=item.file_name[-500:],
                content_hash=content_hash,
                outcome=outcome,
                imported_at=ctx.now,
            )
            for notice_id in ids
            if notice_id not in known
        ]
    )
    ImportedNotice.objects.filter(source=item.source, notice_id__in=known).update(
        content_hash=content_hash, outcome=outcome, record=record
    )


def _create(item: ImportItem, ctx: _Context) -> Opportunity:
    if item.buyer is None:
        raise NoticeRejected("no buyer")
    buyer = buyer_for_party(party=item.buyer, cache=ctx.buyers)
    published_at = item.published_at or ctx.now
    opportunity = Opportunity.objects.create(
        kind=item.kind,
        buyer=buyer,
        source=item.source,
        source_id=item.procedure_id[:200],
        published_at=published_at,
        created_at=ctx.now,
        updated_at=ctx.now,
        is_sealed=False,
        **_fields(item, ctx),
        **_lifecycle(item, ctx),
    )
    _write_children(opportunity, item, ctx, replace=False)
    record = ImportRecord.objects.create(
        opportunity=opportunity,
        source=item.source,
        procedure_id=item.procedure_id[:200],
        primary_language=item.language[:8],
        translations=item.translations,
        notice_type=item.notice_type[:40],
        last_notice_id=item.notice_id[:200],
        last_notice_at=item.issued_at,
        content_hash=item.content_hash(),
        extra=item.extra,
        first_imported_at=ctx.now,
        last_imported_at=ctx.now,
    )
    _record_notices(record, item, Outcome.CREATED, ctx)
    OpportunityEvent.objects.create(
        opportunity=opportunity,
        type=OpportunityEvent.Type.PUBLISHED,
        created_at=ctx.now,
        payload={"source": item.source, "notice": item.publication_number or item.notice_id},
    )
    ctx.events[opportunity.pk] = OpportunityEvent.Type.PUBLISHED
    return opportunity


@dataclass(frozen=True)
class _NewLot:
    pk: int
    number: str


def _bulk_create(items: list[ImportItem], ctx: _Context) -> None:
    """Create the opportunities of many new procedures with a few queries per batch instead of
    a dozen per notice. All or nothing: the caller falls back to one item at a time."""
    buyers = []
    for item in items:
        if item.buyer is None:
            raise NoticeRejected("no buyer")
        buyers.append(buyer_for_party(party=item.buyer, cache=ctx.buyers))
    rows = []
    for item, buyer in zip(items, buyers, strict=True):
        row = {
            "kind": item.kind,
            "buyer_id": buyer.pk,
            "source": item.source,
            "source_id": item.procedure_id[:200],
            "published_at": item.published_at or ctx.now,
            "created_at": ctx.now,
            "updated_at": ctx.now,
            "is_sealed": False,
            "awarded_at": None,
            "cancelled_at": None,
            "cancel_reason": "",
            **_fields(item, ctx),
            **_lifecycle(item, ctx),
        }
        rows.append(row)
    columns = list(rows[0]) if rows else []
    opportunities = rows_insert(
        Opportunity, columns, [[row[c] for c in columns] for row in rows], returning=True
    )
    pairs = list(zip(items, opportunities, strict=True))
    # The rows nobody needs the ids of go in as plain tuples (`rows_insert`): no model
    # instance per code, notice or event.
    rows_insert(
        Opportunity.cpv_codes.through,
        ["opportunity_id", "cpvcode_id"],
        [
            (o, code)
            for item, o in pairs
            for code in dict.fromkeys(item.cpv_codes)
            if code in ctx.cpv
        ],
    )
    rows_insert(
        Opportunity.regions.through,
        ["opportunity_id", "region_id"],
        [
            (o, code)
            for item, o in pairs
            for code in dict.fromkeys(item.regions)
            if code in ctx.regions
        ],
    )
    for model, is_funding in ((TenderDetails, False), (FundingDetails, True)):
        chosen = [
            (item, o) for item, o in pairs if (item.kind == Opportunity.Kind.FUNDING) == is_funding
        ]
        if chosen:
            names = list(_details(chosen[0][0]))
            rows_insert(
                model,
                ["opportunity_id", *names],
                [(o, *_details(item).values()) for item, o in chosen],
            )
    lot_items = [
        (item, o, lot)
        for item, o in pairs
        for lot in {lot.number[:30]: lot for lot in item.lots}.values()
    ]
    lots = [
        _NewLot(pk, lot.number[:30])
        for (_item, _o, lot), pk in zip(
            lot_items,
            rows_insert(
                Lot,
                ["opportunity_id", "number", "title", "description", "estimated_value"],
                [
                    (
                        o,
                        lot.number[:30],
                        lot.title[:300] or lot.number,
                        lot.description,
                        lot.estimated_value,
                    )
                    for _item, o, lot in lot_items
                ],
                returning=True,
            ),
            strict=True,
        )
    ]
    rows_insert(
        Lot.cpv_codes.through,
        ["lot_id", "cpvcode_id"],
        [
            (row.pk, code)
            for (_item, _o, lot), row in zip(lot_items, lots, strict=True)
            for code in dict.fromkeys(lot.cpv_codes)
            if code in ctx.cpv
        ],
    )
    lot_ids = {
        (o, row.number): row.pk for (_item, o, _lot), row in zip(lot_items, lots, strict=True)
    }
    rows_insert(
        Award,
        [
            "opportunity_id",
            "lot_id",
            "supplier_name",
            "supplier_id",
            "value",
            "is_awarded",
            "awarded_at",
            "note",
        ],
        [
            (
                o,
                lot_ids.get((o, award.lot)),
                award.supplier_name[:300],
                award.supplier_id[:120],
                award.value,
                award.is_awarded,
                award.awarded_at or item.issued_at or item.published_at or ctx.now,
                award.note,
            )
            for item, o in pairs
            for award in item.awards
        ],
    )
    records = rows_insert(
        ImportRecord,
        [
            "opportunity_id",
            "source",
            "procedure_id",
            "primary_language",
            "translations",
            "notice_type",
            "last_notice_id",
            "last_notice_at",
            "content_hash",
            "extra",
            "first_imported_at",
            "last_imported_at",
        ],
        [
            (
                o,
                item.source,
                item.procedure_id[:200],
                item.language[:8],
                item.translations,
                item.notice_type[:40],
                item.notice_id[:200],
                item.issued_at,
                item.content_hash(),
                item.extra,
                ctx.now,
                ctx.now,
            )
            for item, o in pairs
        ],
        returning=True,
    )
    rows_insert(
        ImportedNotice,
        [
            "source",
            "notice_id",
            "record_id",
            "publication_number",
            "version",
            "notice_type",
            "issued_at",
            "file_name",
            "content_hash",
            "outcome",
            "imported_at",
        ],
        [
            (
                item.source,
                notice_id,
                record,
                item.publication_number if notice_id == item.notice_id else "",
                item.version[:20],
                item.notice_type[:40],
                item.issued_at,
                item.file_name[-500:],
                item.content_hash(),
                Outcome.CREATED.value,
                ctx.now,
            )
            for item, record in zip(items, records, strict=True)
            for notice_id in dict.fromkeys(item.notice_ids or [item.notice_id])
        ],
    )
    rows_insert(
        OpportunityEvent,
        ["opportunity_id", "type", "created_at", "payload"],
        [
            (
                o,
                OpportunityEvent.Type.PUBLISHED.value,
                ctx.now,
                {"source": item.source, "notice": item.publication_number or item.notice_id},
            )
            for item, o in pairs
        ],
    )
    for o in opportunities:
        ctx.events[o] = OpportunityEvent.Type.PUBLISHED


def _update(opportunity: Opportunity, record: ImportRecord, item: ImportItem, ctx: _Context) -> str:
    if record.content_hash == item.content_hash():
        _record_notices(record, item, Outcome.UNCHANGED, ctx)
        return Outcome.UNCHANGED
    before = _snapshot(opportunity)
    before_life = (opportunity.awarded_at, opportunity.cancelled_at)
    before_awards = list(opportunity.awards.values_list("supplier_name", "value", "is_awarded"))
    fields = {k: v for k, v in _fields(item, ctx).items() if v not in (None, "", [])}
    fields.update(_lifecycle(item, ctx))
    extra = dict(item.extra)
    if (
        extra.get("deadline_note")
        and opportunity.closes_at
        and not record.extra.get("deadline_note")
    ):
        # A deadline the source gave beats one derived from a notice without any.
        fields.pop("closes_at", None)
        extra.pop("deadline_note")
    if opportunity.buyer_id and item.buyer is not None and not opportunity.buyer.is_claimed:
        fields["buyer"] = buyer_for_party(party=item.buyer, cache=ctx.buyers)
    for name, value in fields.items():
        setattr(opportunity, name, value)
    opportunity.save()
    _write_children(opportunity, item, ctx, replace=True)
    opportunity.refresh_from_db()
    after = _snapshot(opportunity)
    changes = {
        k: [_jsonable(before.get(k)), _jsonable(after[k])]
        for k in after
        if before.get(k) != after[k]
    }
    after_awards = list(opportunity.awards.values_list("supplier_name", "value", "is_awarded"))
    if before_awards != after_awards:
        changes["awards"] = [len(before_awards), len(after_awards)]
    record.translations = {**record.translations, **item.translations}
    record.translations.pop(record.primary_language, None)
    record.notice_type = item.notice_type[:40]
    record.last_notice_id = item.notice_id[:200]
    record.last_notice_at = item.issued_at or record.last_notice_at
    record.content_hash = item.content_hash()
    record.extra = {**record.extra, **extra}
    record.last_imported_at = ctx.now
    record.save()
    life_changed = before_life != (opportunity.awarded_at, opportunity.cancelled_at)
    if not changes and not life_changed:
        _record_notices(record, item, Outcome.UNCHANGED, ctx)
        return Outcome.UNCHANGED
    _record_notices(record, item, Outcome.UPDATED, ctx)
    label = SOURCE_LABELS.get(item.source, "notice")
    reason = f"Updated from {label} {item.publication_number or item.notice_id}"
    event = OpportunityEvent.Type.AMENDED
    if changes:
        opportunity.version += 1
        Opportunity.objects.filter(pk=opportunity.pk).update(version=opportunity.version)
        Amendment.objects.create(
            opportunity=opportunity,
            version=opportunity.version,
            changed_by=None,
            changed_at=ctx.now,
            reason=reason[:500],
            changes=changes,
        )
        OpportunityEvent.objects.create(
            opportunity=opportunity,
            type=event,
            created_at=ctx.now,
            payload={
                "version": opportunity.version,
                "reason": reason[:500],
                "fields": sorted(changes),
            },
        )
    if before_life[0] is None and opportunity.awarded_at is not None:
        event = OpportunityEvent.Type.AWARDED
        OpportunityEvent.objects.create(opportunity=opportunity, type=event, created_at=ctx.now)
    if before_life[1] is None and opportunity.cancelled_at is not None:
        event = OpportunityEvent.Type.CANCELLED
        OpportunityEvent.objects.create(
            opportunity=opportunity,
            type=event,
            created_at=ctx.now,
            payload={"reason": opportunity.cancel_reason[:500]},
        )
    ctx.events.setdefault(opportunity.pk, event)
    return Outcome.UPDATED


def _procedure_for_change(item: ImportItem) -> ImportRecord | None:
    """The record of the notice a change notice changes (by notice id, with or without its
    version suffix, or by publication number)."""
    ref = item.changes_notice
    candidates = _change_refs(item)[0]
    notice = _first(
        ImportedNotice.objects.filter(source=item.source, notice_id__in=candidates).select_related(
            "record"
        )
    )
    if notice is None and ref:
        notice = _first(
            ImportedNotice.objects.filter(
                source=item.source, publication_number=ref.lstrip("0")
            ).select_related("record")
        )
    return notice.record if notice else None


def _change_refs(item: ImportItem) -> tuple[set[str], str]:
    """The notice ids (with and without version suffix) and the publication number under which
    the notice a change notice changes may have been imported."""
    ref = item.changes_notice
    candidates = {ref}
    if len(ref) > 3 and ref[-3] == "-" and ref[-2:].isdigit():
        candidates.add(ref[:-3])
    return candidates, ref.lstrip("0")


def _changes_of_unknown(items: list[ImportItem]) -> set[int]:
    """The change notices among `items` (by id()) that can be created in bulk like any new
    notice, because nothing links them to another notice: the notice each changes is neither
    imported nor among `items`, and no other item changes them. The others go through
    `item_import` one by one, in order, which checks the procedure."""
    refs = {id(i): _change_refs(i) for i in items if i.changes_notice}
    if not refs:
        return set()
    ids = set().union(*(candidates for candidates, _ in refs.values()))
    numbers = {number for _, number in refs.values() if number}
    known_ids: set[str] = {n for i in items for n in (i.notice_ids or [i.notice_id])}
    known_numbers: set[str] = {i.publication_number for i in items if i.publication_number}
    for notice_id, number in ImportedNotice.objects.filter(
        Q(notice_id__in=ids) | Q(publication_number__in=numbers),
        source__in={i.source for i in items if i.changes_notice},
    ).values_list("notice_id", "publication_number"):
        known_ids.add(notice_id)
        known_numbers.add(number)
    return {
        id(item)
        for item in items
        if id(item) in refs
        and not refs[id(item)][0] & known_ids
        and refs[id(item)][1] not in known_numbers
        and not ids.intersection(item.notice_ids or [item.notice_id])
        and (not item.publication_number or item.publication_number not in numbers)
    }


def item_import(*, item: ImportItem, ctx: _Context) -> str:
    """Write one item; returns its outcome. Raises NoticeRejected when it cannot be written."""
    if item.changes_notice:
        changed = _procedure_for_change(item)
        if changed is not None and changed.procedure_id != item.procedure_id:
            raise NoticeRejected(
                f"change notice of {item.changes_notice} has procedure identifier "
                f"{item.procedure_id}, but that notice belongs to {changed.procedure_id}; "
                "the procedure identifier cannot change"
            )
    record = _first(
        ImportRecord.objects.filter(
            source=item.source, procedure_id=item.procedure_id[:200]
        ).select_related("opportunity", "opportunity__buyer")
    )
    if record is None:
        _create(item, ctx)
        return Outcome.CREATED
    if (
        record.last_notice_at
        and item.issued_at
        and item.issued_at < record.last_notice_at
        and record.last_notice_id != item.notice_id
    ):
        _record_notices(record, item, Outcome.OLDER, ctx)
        return Outcome.OLDER
    return _update(record.opportunity, record, item, ctx)


def items_import(
    *,
    items: Iterable[ImportItem | tuple[str, NoticeRejected]],
    now: dt.datetime | None = None,
    batch_size: int = 250,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import items (or rejections from the readers) in batches of `batch_size`, each batch one
    transaction with one savepoint per item. Notices seen before with the same content are
    skipped without writing. Change notices wait until the rest is in, so they find the
    notice they change. Idempotent: running it twice over the same items changes nothing."""
    ctx = _Context(now or clock.now())
    report = ImportReport()
    changes: list[ImportItem] = []
    batch: list[ImportItem] = []

    def flush(chunk: list[ImportItem]) -> None:
        if not chunk:
            return
        known = dict(
            ImportedNotice.objects.filter(
                source__in={i.source for i in chunk},
                notice_id__in=[n for i in chunk for n in (i.notice_ids or [i.notice_id])],
            ).values_list("notice_id", "content_hash")
        )
        todo = []
        for item in chunk:
            ids = item.notice_ids or [item.notice_id]
            if all(known.get(n) == item.content_hash() for n in ids):
                report.unchanged += 1
            else:
                todo.append(item)
        existing = set(
            ImportRecord.objects.filter(
                source__in={i.source for i in todo},
                procedure_id__in=[i.procedure_id[:200] for i in todo],
            ).values_list("source", "procedure_id")
        )
        unknown_changes = _changes_of_unknown(todo)
        new, rest, seen = [], [], set()
        for item in todo:
            key = (item.source, item.procedure_id[:200])
            if (
                key in existing
                or key in seen
                or (item.changes_notice and id(item) not in unknown_changes)
            ):
                rest.append(item)
            else:
                new.append(item)
            # A procedure's first item decides; later ones of it go one by one, in order.
            seen.add(key)
        with transaction.atomic():
            if new:
                buyers_before = set(ctx.buyers)
                try:
                    with transaction.atomic():
                        _bulk_create(new, ctx)
                except (NoticeRejected, ApplicationError, DatabaseError, ValueError, TypeError):
                    # One bad item spoils a bulk insert: write them one by one to find it.
                    ctx.forget_buyers_since(buyers_before)
                    ctx.events.clear()
                    rest = todo
                else:
                    report.created += len(new)
                    for item in new:
                        known.update(
                            dict.fromkeys(item.notice_ids or [item.notice_id], item.content_hash())
                        )
            for item in rest:
                ids = item.notice_ids or [item.notice_id]
                item_hash = item.content_hash()
                if all(known.get(n) == item_hash for n in ids):
                    report.unchanged += 1
                    continue
                buyers_before = set(ctx.buyers)
                try:
                    with transaction.atomic():
                        outcome = item_import(item=item, ctx=ctx)
                except NoticeRejected as exc:
                    ctx.forget_buyers_since(buyers_before)
                    report.reject(item.file_name, exc)
                    continue
                except (ApplicationError, DatabaseError, ValueError, TypeError) as exc:
                    ctx.forget_buyers_since(buyers_before)
                    logger.warning("Import of %s failed", item.file_name, exc_info=True)
                    report.reject(item.file_name, NoticeRejected(f"cannot be saved: {exc}"))
                    continue
                setattr(report, outcome, getattr(report, outcome) + 1)
                known.update(dict.fromkeys(ids, item_hash))
            hooks.opportunities_changed(ctx.events)
            report.changed_ids.update(ctx.events)
            ctx.events.clear()
        if progress:
            progress(len(chunk))

    for entry in items:
        if isinstance(entry, tuple):
            report.reject(entry[0], entry[1])
            if progress:
                progress(1)
            continue
        if entry.changes_notice:
            changes.append(entry)
            continue
        batch.append(entry)
        if len(batch) >= batch_size:
            flush(batch)
            batch = []
    flush(batch)
    changes.sort(key=lambda i: (i.issued_at or ctx.now, i.notice_id))
    for start in range(0, len(changes), batch_size):
        flush(changes[start : start + batch_size])
    return report
