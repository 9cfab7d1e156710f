"""Public pages: the overview with the four kinds side by side and their counts, a detail page
per kind, amendment history, a buyer organisation's page; and the list API's query count."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tenders.services import opportunities as services
from tests.factories import BuyerFactory, CompanyFactory, member_of, published_opportunity

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def buyer():
    return BuyerFactory(name="AMS Institute", slug="ams-institute")


@pytest.fixture
def alice(buyer):
    return member_of(buyer, "admin")


@pytest.fixture
def spread(reference_data, buyer, alice):
    """Open: 2 tenders, 1 funding call, 3 co-creation calls, 0 test locations; plus a draft, a
    closed one and a cancelled one that the overview does not count."""
    with time_machine.travel(NOW, tick=False):
        made = {}
        for kind, n in [("tender", 2), ("funding", 1), ("co_creation", 3)]:
            made[kind] = [
                published_opportunity(buyer=buyer, by=alice, kind=kind, title=f"{kind} {i}")
                for i in range(n)
            ]
        services.opportunity_create(
            buyer=buyer, by=alice, kind="test_location", data={"title": "Concept"}
        )
        closing = published_opportunity(
            buyer=buyer,
            by=alice,
            kind="test_location",
            title="Bijna dicht",
            closes_at=NOW + dt.timedelta(hours=1),
            question_deadline=None,
        )
        cancelled = published_opportunity(buyer=buyer, by=alice, kind="tender", title="Gestopt")
        services.opportunity_cancel(opportunity=cancelled, by=alice, reason="Geen geld")
    made["closed"] = closing
    return made


def test_home_and_overview_show_the_four_kinds_side_by_side_with_counts(spread, client):
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        home = client.get(reverse("home")).content.decode()
        overview = client.get(reverse("opportunity-list")).content.decode()
    for html in (home, overview):
        assert "Tenders (2)" in html
        assert "Funding calls (1)" in html
        assert "Co-creation calls (3)" in html
        assert "Test locations (0)" in html
    assert "6 opportunities open now" in home
    assert "All (6)" in overview
    for hidden in ("Concept", "Bijna dicht", "Gestopt"):
        assert hidden not in overview


def test_overview_of_one_kind(spread, client):
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        html = client.get(reverse("opportunity-list"), {"kind": "co_creation"}).content.decode()
    assert html.count('class="kansen-card"') == 3
    assert 'aria-current="page">Co-creation calls (3)' in html
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        unknown = client.get(reverse("opportunity-list"), {"kind": "magic"})
    assert unknown.status_code == 200  # an unknown kind shows everything


def test_detail_page_of_each_kind_shows_its_own_fields(reference_data, buyer, alice, client):
    expected = {
        "tender": ["The tender", "Open procedure", "How the winner is chosen", "Lots"],
        "funding": ["The funding", "Innovatieregeling", "Per applicant"],
        "co_creation": [
            "The challenge",
            "De uitdaging",
            "The outcome we want",
            "Phases and timeline",
        ],
        "test_location": [
            "The test location",
            "Kattenburgerstraat 5",
            "When you can test",
            "Facilities",
        ],
    }
    with time_machine.travel(NOW, tick=False):
        for kind, texts in expected.items():
            opportunity = published_opportunity(buyer=buyer, by=alice, kind=kind)
            html = client.get(opportunity.get_absolute_url()).content.decode()
            for text in texts:
                assert text in html, (kind, text)
            assert "What you need to apply" in html and "Een plan van 2 pagina&#x27;s" in html
            assert html.count("<h1") == 1


def test_amendment_history_on_the_public_page(reference_data, buyer, alice, client):
    with time_machine.travel(NOW, tick=False):
        opportunity = published_opportunity(buyer=buyer, by=alice, kind="co_creation")
        services.opportunity_update(
            opportunity=opportunity,
            by=alice,
            data={"details": {"challenge": "Een scherpere uitdaging"}, "budget_max": 80000},
            reason="Budget en uitdaging aangepast",
        )
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        services.opportunity_close_early(
            opportunity=opportunity, by=alice, reason="Genoeg aanmeldingen"
        )
    html = client.get(opportunity.get_absolute_url()).content.decode()
    history = html[html.index('id="changes"') :]
    assert "Budget en uitdaging aangepast" in history
    assert "the challenge" in history and "budget up to (EUR)" in history
    assert "Genoeg aanmeldingen" in history and "deadline" in history
    assert "<td>2</td>" in history and "<td>3</td>" in history


def test_buyer_page_shows_what_they_publish(spread, client, buyer):
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        html = client.get(reverse("buyer-detail", args=[buyer.slug])).content.decode()
    assert ">AMS Institute</h1>" in html
    assert "6 open" in html and "1 closed" in html and "1 cancelled" in html
    assert "Bijna dicht" in html and "Gestopt" in html  # under "Earlier"
    assert "Concept" not in html
    company = CompanyFactory(slug="een-bedrijf")
    assert client.get(reverse("buyer-detail", args=[company.slug])).status_code == 404
    assert client.get(reverse("buyer-detail", args=["bestaat-niet"])).status_code == 404


def test_opportunity_list_takes_a_fixed_number_of_queries(
    reference_data, buyer, alice, api, django_assert_num_queries
):
    with time_machine.travel(NOW, tick=False):
        published_opportunity(buyer=buyer, by=alice)
    url = reverse("api-opportunities")
    # count, page, then competencies, CPV codes and regions for the page
    with django_assert_num_queries(5):
        assert api.get(url).json()["count"] == 1
    with time_machine.travel(NOW, tick=False):
        for kind in ("tender", "funding", "test_location", "co_creation"):
            published_opportunity(buyer=BuyerFactory(), by=None, kind=kind)
    with django_assert_num_queries(5):
        assert api.get(url).json()["count"] == 5
    api.force_authenticate(alice)  # a buyer also sees its drafts: one more to find its buyers
    with django_assert_num_queries(6):
        assert api.get(url, {"kind": "co_creation"}).json()["count"] == 2
