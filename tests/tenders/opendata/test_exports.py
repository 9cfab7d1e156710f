"""OCDS export (validated against the official 1.1.5 schema), CSV, feeds and calendars."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import feedparser
import icalendar
import jsonschema
import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tenders.models import Opportunity
from tenders.opendata.calendar import opportunities_calendar
from tenders.opendata.runs import eforms_items, funding_items, ocds_items
from tenders.services import opportunities as services
from tenders.services.imports import items_import
from tests.factories import BuyerFactory, CompanyFactory, member_of

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)
SCHEMAS = Path(settings.DATA_DIR) / "ocds-schema-1.1.5"
DATA = Path(settings.DATA_DIR)


def package_validator() -> jsonschema.Draft4Validator:
    """The official release package schema; its $ref to the release schema URL resolves to the
    local copy, so nothing is downloaded."""
    package = json.loads((SCHEMAS / "release-package-schema.json").read_text())
    release = json.loads((SCHEMAS / "release-schema.json").read_text())
    registry = Registry().with_resources(
        [
            (release["id"], Resource.from_contents(release, default_specification=DRAFT4)),
            (package["id"], Resource.from_contents(package, default_specification=DRAFT4)),
        ]
    )
    return jsonschema.Draft4Validator(
        package, registry=registry, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def assert_valid(package: dict) -> None:
    errors = sorted(package_validator().iter_errors(package), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def kansen_tender_with_awards() -> Opportunity:
    buyer = BuyerFactory(name="Gemeente Amsterdam", oin="00000001002564440000")
    alice = member_of(buyer, "admin")
    with time_machine.travel(NOW - dt.timedelta(days=60), tick=False):
        opportunity = services.opportunity_create(
            buyer=buyer,
            by=alice,
            kind="tender",
            data={
                "title": "Slimme verkeerslichten",
                "summary": "Verkeerslichten die drukte voorspellen.",
                "description": "Wij zoeken een leverancier van slimme verkeerslichten.",
                "cpv_codes": ["34996000", "72000000"],
                "main_cpv": "34996000",
                "regions": ["GM0363"],
                "closes_at": NOW - dt.timedelta(days=10),
                "question_deadline": NOW - dt.timedelta(days=20),
                "budget_max": "250000",
                "details": {"procedure": "open", "estimated_value": "200000"},
                "lots": [{"number": "1", "title": "Noord"}, {"number": "2", "title": "Zuid"}],
                "award_criteria": [{"name": "Kwaliteit", "weight": 100}],
            },
        )
        services.opportunity_publish(opportunity=opportunity, by=alice)
    with time_machine.travel(NOW - dt.timedelta(days=5), tick=False):
        services.opportunity_award(
            opportunity=opportunity,
            by=alice,
            winners=[
                {
                    "company": CompanyFactory(name="Stadsdata Lab B.V."),
                    "value": 120000,
                    "lot": opportunity.lots.get(number="1"),
                },
                {
                    "supplier_name": "Verkeer B.V.",
                    "value": 80000,
                    "lot": opportunity.lots.get(number="2"),
                },
            ],
        )
    return opportunity


def import_samples() -> None:
    items_import(
        items=eforms_items(
            [DATA / "eforms-sdk-1.15.1" / "notices", DATA / "ted_real_eforms_notices"]
        )
    )
    items_import(items=ocds_items([DATA / "ocds"]))
    items_import(items=funding_items([DATA / "eu_funding_calls"], limit=20))


def test_the_ocds_export_validates_against_the_official_schema(reference_data, capsys):
    opportunity = kansen_tender_with_awards()
    import_samples()
    call_command("export_ocds")
    package = json.loads(capsys.readouterr().out)
    assert_valid(package)
    assert len(package["releases"]) == Opportunity.objects.public().count()
    release = next(r for r in package["releases"] if r["ocid"] == f"ocds-kansen-{opportunity.pk}")
    assert release["tender"]["classification"] == {
        "scheme": "CPV",
        "id": "34996000",
        "description": release["tender"]["classification"]["description"],
    }
    assert release["tender"]["value"] == {"amount": 200000.0, "currency": "EUR"}
    assert release["tender"]["status"] == "complete"
    assert {a["suppliers"][0]["name"] for a in release["awards"]} == {
        "Stadsdata Lab B.V.",
        "Verkeer B.V.",
    }
    assert release["buyer"]["id"] == "NL-OIN-00000001002564440000"
    assert "award" in release["tag"]


def test_the_ocds_api_pages_through_release_packages(
    reference_data, api, django_assert_num_queries
):
    kansen_tender_with_awards()
    items_import(items=eforms_items([DATA / "ted_real_eforms_notices" / "eforms_sdk_v1.8"]))
    with django_assert_num_queries(5):
        response = api.get("/api/v1/ocds/releases/?page_size=5")
    assert response.status_code == 200
    package = response.json()
    assert_valid(package)
    assert len(package["releases"]) == 5
    assert package["links"]["next"].endswith("page=2&page_size=5")
    last = api.get(package["links"]["next"].replace("page=2", "page=3")).json()
    assert_valid(last)
    assert "next" not in last["links"]

    ocid = package["releases"][0]["ocid"]
    one = api.get(f"/api/v1/ocds/releases/{ocid}/")
    assert one.status_code == 200
    assert_valid(one.json())
    assert [r["ocid"] for r in one.json()["releases"]] == [ocid]


def test_drafts_are_not_exported(reference_data, api):
    buyer = BuyerFactory()
    draft = services.opportunity_create(
        buyer=buyer, by=member_of(buyer), kind="tender", data={"title": "Geheim"}
    )
    assert api.get(f"/api/v1/ocds/releases/ocds-kansen-{draft.pk}/").status_code == 404
    assert api.get("/api/v1/ocds/releases/ocds-other-1/").status_code == 404
    assert api.get("/api/v1/ocds/releases/").json()["releases"] == []


def test_csv_takes_the_filters_of_the_api(reference_data, client):
    import_samples()
    response = client.get("/opportunities.csv?kind=funding")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert len(rows) == 20
    assert {r["kind"] for r in rows} == {"funding"}
    assert rows[0]["url"].startswith(settings.SITE_URL)
    nl = list(
        csv.DictReader(
            io.StringIO(
                b"".join(client.get("/opportunities.csv?region=NL").streaming_content).decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert nl and all(any(code.startswith("NL") for code in r["regions"].split()) for r in nl)
    assert client.get("/opportunities.csv?kind=nonsense").status_code == 400


def test_feeds_parse_and_follow_the_filters(reference_data, client):
    from search.services import search_index

    import_samples()
    search_index(ids=list(Opportunity.objects.values_list("pk", flat=True)))
    atom = feedparser.parse(client.get("/feeds/opportunities.atom?kind=funding").content)
    assert not atom.bozo, atom.get("bozo_exception")
    assert atom.version == "atom10"
    assert len(atom.entries) == 20
    assert all(e.link.startswith(settings.SITE_URL + "/opportunities/") for e in atom.entries)
    rss = feedparser.parse(client.get("/feeds/opportunities.rss?kind=tender&region=NL").content)
    assert not rss.bozo, rss.get("bozo_exception")
    assert rss.version == "rss20"
    titles = {e.title for e in rss.entries}
    assert titles and titles <= set(
        Opportunity.objects.filter(kind="tender").values_list("title", flat=True)
    )
    everything = feedparser.parse(client.get("/feeds/opportunities.atom").content)
    dates = [e.published_parsed for e in everything.entries]
    assert dates == sorted(dates, reverse=True)
    assert client.get("/feeds/opportunities.rss?cpv=x&status=nope").status_code == 400
    # Any search URL works, words included.
    found = feedparser.parse(
        client.get("/feeds/opportunities.atom?q=doctoral&kind=funding").content
    )
    assert found.entries and len(found.entries) < len(atom.entries)


def test_an_opportunity_calendar_has_its_deadlines(reference_data, client):
    opportunity = kansen_tender_with_awards()
    response = client.get(f"/opportunities/{opportunity.pk}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        f"opportunity-{opportunity.pk}-questions@127.0.0.1",
        f"opportunity-{opportunity.pk}-closes@127.0.0.1",
    }
    closes = events[f"opportunity-{opportunity.pk}-closes@127.0.0.1"]
    assert closes.decoded("dtstart") == opportunity.closes_at
    assert "Slimme verkeerslichten" in str(closes["summary"])


def test_a_calendar_of_many_opportunities_is_one_file(reference_data):
    items_import(items=funding_items([DATA / "eu_funding_calls"], limit=5))
    calendar = opportunities_calendar(Opportunity.objects.all(), name="Mijn zoekopdracht", now=NOW)
    parsed = icalendar.Calendar.from_ical(calendar.to_ical())
    assert str(parsed["x-wr-calname"]) == "Mijn zoekopdracht"
    assert len(parsed.walk("VEVENT")) >= 5


def test_drafts_have_no_calendar_for_strangers(reference_data, client):
    buyer = BuyerFactory()
    draft = services.opportunity_create(
        buyer=buyer, by=member_of(buyer), kind="tender", data={"title": "Geheim"}
    )
    assert client.get(f"/opportunities/{draft.pk}/calendar.ics").status_code == 404


def test_the_detail_page_says_where_an_import_comes_from(reference_data, client):
    items_import(
        items=eforms_items(
            [DATA / "ted_real_eforms_notices" / "eforms_sdk_v1.8" / "eform_subtype_11"]
        )
    )
    opportunity = Opportunity.objects.get()
    page = client.get(opportunity.get_absolute_url()).content.decode()
    assert "Imported from TED (eForms)" in page
    assert 'href="https://ted.europa.eu/en/notice/-/detail/599894-2023"' in page
    assert 'lang="fr"' in page  # the French text of this Belgian notice
    assert f"/organisations/{opportunity.buyer_id}/claim/" in page
