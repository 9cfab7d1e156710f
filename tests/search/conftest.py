"""Fixtures for the search tests: every backend (the contract suite runs on each) and a small
corpus of real-looking opportunities built through the services, indexed through the real
after-commit hook."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
import time_machine

from search import get_backend
from tenders.services import opportunities as services
from tests.factories import BuyerFactory, member_of

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture(
    params=[
        # The database backend is SQLite FTS5 in the SQLite pass, PostgreSQL full text in the
        # PostgreSQL pass of `make test`; Elasticsearch runs in the PostgreSQL pass.
        pytest.param("database", id="database"),
        pytest.param("elasticsearch", id="elasticsearch", marks=pytest.mark.services),
    ]
)
def backend(request, settings):
    if request.param == "elasticsearch":
        url = request.getfixturevalue("elasticsearch_url")
        settings.SEARCH_BACKEND = "elasticsearch"
        settings.ELASTICSEARCH_URL = url
        settings.ELASTICSEARCH_INDEX_PREFIX = f"test-{uuid.uuid4().hex[:10]}"
        yield get_backend()
        _drop_indices(url, settings.ELASTICSEARCH_INDEX_PREFIX)
    else:
        settings.SEARCH_BACKEND = "database"
        yield get_backend()


def _drop_indices(url: str, prefix: str) -> None:
    from elasticsearch import Elasticsearch

    client = Elasticsearch(url, request_timeout=30)
    names = list(client.indices.get(index=f"{prefix}-*", expand_wildcards="all").body)
    for name in names:
        client.indices.delete(index=name, ignore_unavailable=True)


@pytest.fixture
def amsterdam(db):
    return BuyerFactory(name="Gemeente Amsterdam", slug="gemeente-amsterdam")


@pytest.fixture
def province(db):
    return BuyerFactory(
        name="Provincie Noord-Holland", slug="provincie-noord-holland", buyer_type="province"
    )


def publish(buyer, by, kind: str, *, at: dt.datetime = NOW - 2 * DAY, **data):
    """Create and publish one opportunity at `at`, filling what its kind needs."""
    data.setdefault("summary", data["title"])
    data.setdefault("description", data["title"])
    data.setdefault("regions", ["GM0363"])
    details = data.pop("details", {})
    if kind == "tender":
        data.setdefault("cpv_codes", ["72000000"])
        data.setdefault("award_criteria", [{"name": "Kwaliteit", "weight": 100}])
        details.setdefault("procedure", "open")
        details.setdefault("estimated_value", Decimal("100000"))
    elif kind == "funding":
        details.setdefault("programme", "Horizon Europe")
        details.setdefault("amount_max", Decimal("500000"))
    elif kind == "co_creation":
        details.setdefault("challenge", "De uitdaging")
        details.setdefault("desired_outcome", "Een werkende pilot")
    else:
        details.setdefault("address", "Korte Papaverweg 2, Amsterdam")
        data.setdefault("availability", [{"starts_on": "2026-01-01", "ends_on": "2026-12-31"}])
    if not data.get("competencies") and not data.get("cpv_codes"):
        data["competencies"] = ["data-aggregation"]
    with time_machine.travel(at, tick=False):
        opportunity = services.opportunity_create(
            buyer=buyer, by=by, kind=kind, data={**data, "details": details}
        )
        services.opportunity_publish(opportunity=opportunity, by=by)
    return opportunity


class Corpus(dict):
    """The opportunities by name, plus helpers."""

    def ids(self, *names: str) -> set[int]:
        return {self[n].pk for n in names}


@pytest.fixture
def corpus(
    backend, reference_data, amsterdam, province, django_capture_on_commit_callbacks
) -> Corpus:
    alice = member_of(amsterdam, "admin")
    pam = member_of(province, "admin")
    c = Corpus()
    with django_capture_on_commit_callbacks(execute=True):
        c["arena"] = publish(
            amsterdam,
            alice,
            "co_creation",
            title="Drukte voorspellen rond de Johan Cruijff ArenA",
            summary="Een start-up gezocht die drukte voorspelt met sensordata.",
            description="Bezoekersstromen op de Arena Boulevard in kaart brengen.",
            competencies=["behaviour-prediction"],
            regions=["GM0363"],
            closes_at=NOW + 5 * DAY,
            budget_min=Decimal("20000"),
            budget_max=Decimal("40000"),
            is_sme_suitable=True,
            is_first_timer_friendly=True,
        )
        c["air"] = publish(
            province,
            pam,
            "tender",
            title="Sensoren voor luchtkwaliteit langs provinciale wegen",
            summary="Wij zoeken leveranciers van meetapparatuur.",
            description="Meten van fijnstof, ook bij drukte op straat.",
            cpv_codes=["38432000"],
            regions=["NL32"],
            closes_at=NOW + 20 * DAY,
            budget_min=Decimal("100000"),
            budget_max=Decimal("200000"),
            is_sme_suitable=True,
        )
        c["energy"] = publish(
            amsterdam,
            alice,
            "funding",
            title="Energy demand forecasts for neighbourhoods",
            summary="Funding for prediction models that help grid operators.",
            description="Open to consortia with at least one SME.",
            competencies=["ai-machine-learning"],
            regions=["GM0363"],
            closes_at=NOW + 60 * DAY,
            budget_max=Decimal("2000000"),
        )
        c["cafe"] = publish(
            amsterdam,
            alice,
            "test_location",
            title="Testlocatie Café de Ceuvel",
            summary="Een living lab aan het water in Amsterdam-Noord.",
            description="Test circulaire oplossingen op een voormalige scheepswerf.",
            competencies=["circular-construction"],
            regions=["GM0363"],
            is_first_timer_friendly=True,
        )
        c["waste"] = publish(
            amsterdam,
            alice,
            "tender",
            title="Afvalinzameling slimmer maken",
            summary="Een dataplatform voor de routes van vuilniswagens.",
            description="Koppelen van sensordata van containers.",
            competencies=["data-aggregation"],
            cpv_codes=["72322000", "90511000"],
            regions=["GM0363"],
            closes_at=NOW + 45 * DAY,
            budget_max=Decimal("300000"),
        )
        c["closed"] = publish(
            amsterdam,
            alice,
            "tender",
            at=NOW - 30 * DAY,
            title="Dataplatform voor afvalinzameling",
            summary="Gegevens van afvalcontainers verzamelen.",
            cpv_codes=["72316000"],
            regions=["GM0363"],
            closes_at=NOW - DAY,
        )
        c["awarded"] = publish(
            province,
            pam,
            "tender",
            at=NOW - 40 * DAY,
            title="Verkeersmodel voor de provincie",
            summary="Een model van het verkeer.",
            cpv_codes=["73100000"],
            regions=["NL32"],
            closes_at=NOW - 10 * DAY,
        )
        with time_machine.travel(NOW - 5 * DAY, tick=False):
            services.opportunity_award(
                opportunity=c["awarded"], by=pam, winners=[{"supplier_name": "Verkeer B.V."}]
            )
        c["cancelled"] = publish(
            amsterdam,
            alice,
            "co_creation",
            title="Fietsparkeren voorspellen bij stations",
            competencies=["behaviour-prediction"],
            closes_at=NOW + 10 * DAY,
        )
        with time_machine.travel(NOW - DAY, tick=False):
            services.opportunity_cancel(opportunity=c["cancelled"], by=alice, reason="Geen budget")
        c["withdrawn"] = publish(
            amsterdam,
            alice,
            "co_creation",
            title="Drukte voorspellen op het Damrak",
            closes_at=NOW + 10 * DAY,
        )
        with time_machine.travel(NOW - DAY, tick=False):
            services.opportunity_withdraw(opportunity=c["withdrawn"], by=alice)
        c["draft"] = services.opportunity_create(
            buyer=amsterdam,
            by=alice,
            kind="co_creation",
            data={"title": "Geheime drukte voorspelling", "summary": "Nog niet klaar."},
        )
    backend.refresh()
    c.alice, c.pam = alice, pam
    return c


PUBLIC = ("arena", "air", "energy", "cafe", "waste", "closed", "awarded", "cancelled")
