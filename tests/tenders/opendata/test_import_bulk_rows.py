"""The batch path of an import (plain-row inserts, `marketplace.core.bulk.rows_insert`) writes
exactly what the one-notice-at-a-time path writes: the same opportunities, codes, details,
lots, awards, import records, notices, events and search documents."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError

from marketplace.core.bulk import rows_insert
from search.models import SearchDocument, SearchValue
from suppliers.models_alerts import ProcessedEvent
from tenders.models import (
    Award,
    ImportedNotice,
    ImportRecord,
    Lot,
    Opportunity,
    OpportunityEvent,
    TenderDetails,
)
from tenders.opendata.runs import eforms_items, ocds_items
from tenders.services import imports
from tenders.services.imports import items_import

pytestmark = pytest.mark.django_db
REAL = Path(settings.DATA_DIR) / "ted_real_eforms_notices"
SDK = Path(settings.DATA_DIR) / "eforms-sdk-1.15.1" / "notices"
OCDS = Path(settings.DATA_DIR) / "ocds" / "uk_sell2wales_releases.jsonl"
NOW = dt.datetime(2026, 1, 15, 10, 30, tzinfo=dt.UTC)


def _without(row: dict, *names: str) -> dict:
    return {k: v for k, v in row.items() if k not in names}


def _snapshot() -> dict:
    """Everything an import wrote, keyed by procedure, without the database ids."""
    out = {}
    for o in Opportunity.objects.order_by("source", "source_id"):
        pk = o.pk
        lots = {lot.pk: lot.number for lot in Lot.objects.filter(opportunity_id=pk)}
        record = ImportRecord.objects.get(opportunity_id=pk)
        out[(o.source, o.source_id)] = {
            "opportunity": _without(
                Opportunity.objects.filter(pk=pk).values().get(), "id", "buyer_id"
            ),
            "buyer": o.buyer.name,
            "cpv": sorted(o.cpv_codes.values_list("code", flat=True)),
            "regions": sorted(o.regions.values_list("code", flat=True)),
            "details": _without(
                TenderDetails.objects.filter(opportunity_id=pk).values().get(),
                "id",
                "opportunity_id",
            ),
            "lots": sorted(
                (
                    (
                        _without(row, "id", "opportunity_id"),
                        sorted(
                            Lot.cpv_codes.through.objects.filter(lot_id=row["id"]).values_list(
                                "cpvcode_id", flat=True
                            )
                        ),
                    )
                    for row in Lot.objects.filter(opportunity_id=pk).values()
                ),
                key=repr,
            ),
            "awards": sorted(
                (
                    {
                        **_without(row, "id", "opportunity_id", "lot_id"),
                        "lot": lots.get(row["lot_id"]),
                    }
                    for row in Award.objects.filter(opportunity_id=pk).values()
                ),
                key=repr,
            ),
            "record": _without(
                ImportRecord.objects.filter(pk=record.pk).values().get(), "id", "opportunity_id"
            ),
            "notices": sorted(
                (
                    _without(row, "id", "record_id")
                    for row in ImportedNotice.objects.filter(record=record).values()
                ),
                key=repr,
            ),
            "events": sorted(
                (
                    _without(row, "id", "opportunity_id")
                    for row in OpportunityEvent.objects.filter(opportunity_id=pk).values()
                ),
                key=repr,
            ),
            "search": (
                _without(
                    SearchDocument.objects.filter(opportunity_id=pk).values().first() or {},
                    "opportunity_id",
                    "buyer_id",
                    "indexed_at",
                ),
                sorted(SearchValue.objects.filter(document_id=pk).values_list("field", "value")),
            ),
            "processed": ProcessedEvent.objects.filter(event__opportunity_id=pk).count(),
        }
    return out


def _import(items_of, *, one_by_one: bool, monkeypatch, capture) -> dict:
    if one_by_one:

        def refuse(items, ctx):
            raise DatabaseError("batch refused: write one by one")

        monkeypatch.setattr(imports, "_bulk_create", refuse)
    with capture(execute=True):
        report = items_import(items=items_of(), now=NOW)
    monkeypatch.undo()
    assert report.created > 0 and not report.problems
    snapshot = _snapshot()
    Opportunity.objects.all().delete()
    return snapshot


@pytest.mark.parametrize(
    "items_of",
    [
        pytest.param(
            lambda: eforms_items([REAL / "eforms_sdk_v1.7", REAL / "eforms_sdk_v1.10"]),
            id="eforms-real",
        ),
        pytest.param(
            lambda: eforms_items(
                [
                    SDK / "can_24_maximal.xml",
                    SDK / "cn_24_maximal.xml",
                    SDK / "pin-only_24_maximal.xml",
                ]
            ),
            id="eforms-sdk-maximal",
        ),
        pytest.param(lambda: ocds_items([OCDS], limit=40), id="ocds"),
    ],
)
def test_the_batch_path_writes_what_the_one_by_one_path_writes(
    items_of, reference_data, monkeypatch, django_capture_on_commit_callbacks
):
    batch = _import(
        items_of,
        one_by_one=False,
        monkeypatch=monkeypatch,
        capture=django_capture_on_commit_callbacks,
    )
    single = _import(
        items_of,
        one_by_one=True,
        monkeypatch=monkeypatch,
        capture=django_capture_on_commit_callbacks,
    )
    assert batch.keys() == single.keys()
    for key in batch:
        assert batch[key] == single[key], key
    # Between them the fixtures cover what the plain rows carry: lots with codes, regions,
    # awards (checked in `test_the_fixtures_cover_lots_awards_and_codes`).
    assert any(entry["cpv"] for entry in batch.values())


def test_the_fixtures_cover_lots_awards_and_codes(reference_data):
    items = [
        *eforms_items([REAL / "eforms_sdk_v1.7", REAL / "eforms_sdk_v1.10"]),
        *eforms_items([SDK / "can_24_maximal.xml", SDK / "cn_24_maximal.xml"]),
        *ocds_items([OCDS], limit=40),
    ]
    assert any(i.awards for i in items) and any(i.lots for i in items)
    assert any(lot.cpv_codes for i in items for lot in i.lots) and any(i.regions for i in items)


def test_rows_insert_adapts_values_fills_defaults_and_returns_ids_in_order(reference_data, db):
    from tests.factories import OpportunityFactory

    amsterdam = zoneinfo.ZoneInfo("Europe/Amsterdam")
    opportunities = [OpportunityFactory() for _ in range(3)]
    ids = rows_insert(
        OpportunityEvent,
        ["opportunity_id", "type", "created_at", "payload"],
        [
            (o.pk, OpportunityEvent.Type.AMENDED.value, NOW.astimezone(amsterdam), {"n": n})
            for n, o in enumerate(opportunities)
        ],
        returning=True,
    )
    events = OpportunityEvent.objects.in_bulk(ids)
    assert [events[i].opportunity_id for i in ids] == [o.pk for o in opportunities]
    assert [events[i].payload for i in ids] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert all(e.created_at == NOW and e.type == "amended" for e in events.values())

    # Left-out columns take their defaults; decimals keep their cents.
    count = rows_insert(
        Award,
        ["opportunity_id", "supplier_name", "value"],
        [(opportunities[0].pk, "Bouw BV", Decimal("1234.56")), (opportunities[1].pk, "X", None)],
    )
    assert count == 2
    award = Award.objects.get(supplier_name="Bouw BV")
    assert award.value == Decimal("1234.56") and award.is_awarded and award.note == ""
    assert award.awarded_at is not None and award.lot_id is None

    with pytest.raises(ValueError, match="has no default"):
        rows_insert(Award, ["supplier_name"], [("no opportunity",)])


def test_rows_insert_on_conflict_updates_the_named_columns(reference_data, db):
    from tests.factories import OpportunityFactory

    o = OpportunityFactory()
    columns = ["opportunity_id", "kind", "title", "buyer_id", "buyer_slug", "published_at"]
    rows_insert(
        SearchDocument,
        columns,
        [(o.pk, "tender", "First", 1, "a", NOW)],
        conflict=["opportunity_id"],
        update=columns[1:],
    )
    rows_insert(
        SearchDocument,
        columns,
        [(o.pk, "tender", "Second", 2, "b", NOW)],
        conflict=["opportunity_id"],
        update=columns[1:],
    )
    document = SearchDocument.objects.get()
    assert (document.title, document.buyer_id, document.buyer_slug) == ("Second", 2, "b")


def test_rows_insert_raises_django_errors_that_a_savepoint_rolls_back(reference_data, db):
    from django.db import IntegrityError, transaction

    from tests.factories import OpportunityFactory

    o = OpportunityFactory()
    columns = ["opportunity_id", "kind", "title", "buyer_id", "buyer_slug", "published_at"]
    row = (o.pk, "tender", "Title", 1, "a", NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        # On PostgreSQL this goes in with COPY: its error comes back as Django's, so the
        # import's fallback (one notice at a time) catches it.
        rows_insert(SearchDocument, columns, [row, row])
    assert not SearchDocument.objects.exists()
    rows_insert(SearchDocument, columns, [row])
    assert SearchDocument.objects.count() == 1
