"""import_ocds and import_funding_calls: every OCDS file, merging per ocid, idempotence."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from tenders.models import Amendment, ImportedNotice, Opportunity
from tenders.opendata.funding import parse_budget
from tenders.opendata.runs import funding_items, ocds_items
from tenders.services.imports import items_import

pytestmark = pytest.mark.django_db
OCDS = Path(settings.DATA_DIR) / "ocds"
FUNDING = Path(settings.DATA_DIR) / "eu_funding_calls"


def test_every_ocds_file_imports_once_per_ocid_and_again_changes_nothing(reference_data):
    ocids = set()
    for path in OCDS.glob("*.jsonl"):
        ocids |= {json.loads(line)["ocid"] for line in path.read_text().splitlines() if line}
    report = items_import(items=ocds_items([OCDS]))
    assert report.problems == []
    assert report.created == Opportunity.objects.filter(source="ocds").count() == len(ocids) + 22
    assert set(Opportunity.objects.values_list("source_id", flat=True)) >= ocids
    releases = ImportedNotice.objects.filter(source="ocds").count()
    assert releases >= 380

    again = items_import(items=ocds_items([OCDS]))
    assert (again.created, again.updated, again.unchanged) == (0, 0, report.created)
    assert ImportedNotice.objects.filter(source="ocds").count() == releases
    assert not Amendment.objects.exists()


def test_awards_parties_and_items_are_mapped(reference_data):
    items_import(items=ocds_items([OCDS / "uk_contracts_finder_releases.jsonl"]))
    opportunity = Opportunity.objects.get(
        source_id="ocds-b5fd17-76485a2b-4074-427a-8782-2a6c3f9a2cb4"
    )
    assert opportunity.title == "UOW822 Flooring Term Contract 2021 - AWARD"
    assert opportunity.buyer.name == "University Of Worcester"
    assert opportunity.main_cpv_id == "44112200"
    assert opportunity.is_sme_suitable
    assert opportunity.status == "awarded"
    assert {a.supplier_name for a in opportunity.awards.all()} == {
        "Hennessy Flooring Ltd",
        "LGM Limited",
        "McManus Flooring",
    }
    assert all(a.value is None and a.note == "Value 3380.86 GBP" for a in opportunity.awards.all())
    assert opportunity.source_url.startswith("https://www.contractsfinder.service.gov.uk/Notice/")


def test_releases_are_compiled_in_date_order_and_new_ones_amend(reference_data, tmp_path):
    base = {
        "ocid": "ocds-test-1",
        "initiationType": "tender",
        "buyer": {"id": "b", "name": "Gemeente Voorbeeld"},
        "parties": [{"id": "b", "name": "Gemeente Voorbeeld", "roles": ["buyer"]}],
    }
    first = {
        **base,
        "id": "1",
        "date": "2026-01-01T00:00:00Z",
        "tag": ["tender"],
        "tender": {
            "id": "t",
            "title": "Sensoren",
            "tenderPeriod": {"endDate": "2026-02-01T12:00:00Z"},
        },
    }
    second = {
        **base,
        "id": "2",
        "date": "2026-01-10T00:00:00Z",
        "tag": ["tenderAmendment"],
        "tender": {"id": "t", "tenderPeriod": {"endDate": "2026-03-01T12:00:00Z"}},
    }
    package = tmp_path / "package.json"
    package.write_text(json.dumps({"uri": "x", "version": "1.1", "releases": [second, first]}))
    items_import(items=ocds_items([package]))
    opportunity = Opportunity.objects.get()
    assert opportunity.title == "Sensoren"  # kept from the first release
    assert opportunity.closes_at == dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)

    third = {
        **base,
        "id": "3",
        "date": "2026-01-20T00:00:00Z",
        "tag": ["tenderAmendment"],
        "tender": {"id": "t", "title": "Slimme sensoren"},
    }
    (tmp_path / "later.jsonl").write_text(json.dumps(third) + "\n")
    report = items_import(items=ocds_items([tmp_path / "later.jsonl"]))
    assert report.updated == 1
    opportunity.refresh_from_db()
    assert opportunity.title == "Slimme sensoren"
    assert opportunity.closes_at == dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    assert opportunity.amendments.get().reason == "Updated from OCDS release ocds-test-1/3"


def test_files_that_are_not_ocds_are_reported(reference_data, tmp_path):
    (tmp_path / "a.json").write_text("{not json")
    (tmp_path / "b.json").write_text(json.dumps({"hello": "world"}))
    report = items_import(items=ocds_items([tmp_path]))
    assert [(Path(f).name, kind) for f, kind, _ in report.problems] == [
        ("a.json", "invalid"),
        ("b.json", "invalid"),
    ]


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("7500000.0", "7500000"),
        ("7500000", "7500000"),
        (7500000.0, "7500000"),
        ("EUR 7 500 000", "7500000"),
        ("€7,500,000", "7500000"),
        ("7.500.000,50", "7500000.50"),
        ("7.5 million", "7500000"),
        ("7,5 Mio", "7500000"),
        ("12.000.000", "12000000"),
        ("", None),
        ("to be confirmed", None),
    ],
)
def test_funding_budgets_in_mixed_formats(text, amount):
    assert parse_budget(text) == (Decimal(amount) if amount else None)


def test_horizon_europe_topics_become_funding_calls(reference_data, capsys):
    with time_machine.travel(dt.datetime(2026, 11, 27, tzinfo=dt.UTC), tick=False):
        call_command("import_funding_calls", "--no-progress")
        call_command("import_funding_calls", "--no-progress")
        out = capsys.readouterr().out
        assert "512 created" in out and "512 unchanged" in out
        calls = Opportunity.objects.filter(kind="funding")
        assert calls.count() == 512
        call = calls.get(source_id="HORIZON-CL5-2027-07-D3-27")
        assert call.buyer.name == "European Commission"
        assert call.buyer.buyer_type == "eu_institution"
        assert call.funding.programme == "Horizon Europe"
        assert call.funding.call_code == "HORIZON-CL5-2027-07-D3-27"
        assert call.funding.total_budget == 7_500_000
        assert call.source_url.endswith("/topic-details/horizon-cl5-2027-07-d3-27")
        assert call.status == "published"
        assert calls.filter(closes_at__lt=dt.datetime(2026, 11, 27, tzinfo=dt.UTC)).exists()
        assert all(
            o.status == "closed"
            for o in calls.filter(closes_at__lt=dt.datetime(2026, 11, 27, tzinfo=dt.UTC))
        )


def test_funding_items_limit():
    items = list(funding_items([FUNDING], limit=3))
    assert len(items) == 3
