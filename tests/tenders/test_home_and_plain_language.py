"""The home page as the one easy overview, the plain-language parts of an opportunity page, and
the glossary (issue 9)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from suppliers import services_alerts
from suppliers.selectors import coming_deadlines
from tenders.models import Application
from tenders.services.applications import application_create
from tests.factories import BuyerFactory, member_of
from tests.suppliers.helpers import NOW, company, opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def amsterdam(reference_data):
    return BuyerFactory(name="Gemeente Amsterdam")


@pytest.fixture
def buyer_user(amsterdam):
    return member_of(amsterdam, "admin")


@pytest.fixture
def startup(reference_data):
    return company(
        name="Stadsdata Lab B.V.",
        competencies=["behaviour-prediction"],
        regions=["GM0363"],
        description="Wij voorspellen drukte in de stad.",
    )


@pytest.fixture
def alice(startup):
    return member_of(startup, "admin")


def test_home_shows_newest_of_each_kind_and_a_search_box(amsterdam, buyer_user, client):
    older = opportunity(amsterdam, buyer_user, title="Oude oproep", now=NOW - dt.timedelta(days=5))
    newer = opportunity(amsterdam, buyer_user, title="Nieuwe oproep")
    html = client.get(reverse("home")).content.decode()
    assert html.index(newer.title) < html.index(older.title)
    assert 'role="search"' in html and 'action="/search/"' in html
    assert "Co-creation calls (2)" in html and "Tenders (0)" in html
    assert "Best matches" not in html  # only for a signed-in company


def test_home_shows_a_companys_matches_and_coming_deadlines_soonest_first(
    amsterdam, buyer_user, startup, alice, client
):
    later = opportunity(
        amsterdam,
        buyer_user,
        title="Drukte voorspellen",
        competencies=["behaviour-prediction"],
        closes_at=NOW + dt.timedelta(days=40),
    )
    sooner = opportunity(
        amsterdam, buyer_user, title="Sensoren testen", closes_at=NOW + dt.timedelta(days=3)
    )
    services_alerts.follow(user=alice, opportunity=later)
    application_create(opportunity=sooner, company=startup, by=alice, data={})
    rows = coming_deadlines(user=alice, company=startup)
    assert [r.opportunity for r in rows] == [sooner, later]
    assert rows[0].application is not None and not rows[0].is_followed
    assert rows[1].application is None and rows[1].is_followed

    client.force_login(alice)
    html = client.get(reverse("home")).content.decode()
    assert "Best matches for Stadsdata Lab B.V." in html
    assert "Match " in html and "Drukte voorspellen" in html
    deadlines = html[html.index("Your coming deadlines") :]
    assert deadlines.index("Sensoren testen") < deadlines.index("Drukte voorspellen")
    assert "3 days left" in deadlines
    assert "Your draft application" in deadlines
    application = Application.objects.get()
    assert reverse("application-detail", args=[application.pk]) in deadlines


def test_deadlines_leave_out_closed_opportunities_and_other_users_follows(
    amsterdam, buyer_user, alice, startup
):
    closing = opportunity(amsterdam, buyer_user, closes_at=NOW + dt.timedelta(hours=1))
    services_alerts.follow(user=alice, opportunity=closing)
    services_alerts.follow(user=buyer_user, opportunity=opportunity(amsterdam, buyer_user))
    assert [r.opportunity for r in coming_deadlines(user=alice, company=startup)] == [closing]
    later = NOW + dt.timedelta(hours=2)
    assert coming_deadlines(user=alice, company=startup, now=later) == []


def test_opportunity_page_explains_itself_in_one_minute(amsterdam, buyer_user, client):
    call = opportunity(
        amsterdam,
        buyer_user,
        title="Drukte voorspellen",
        summary="Wij zoeken een start-up die drukte voorspelt.",
        budget_max=45000,
        is_first_timer_friendly=True,
        closes_at=NOW + dt.timedelta(days=12),
    )
    html = client.get(call.get_absolute_url()).content.decode()
    box = html[html.index("In one minute") : html.index("</section>", html.index("In one minute"))]
    assert "A challenge: the buyer looks for a company" in box
    assert "Wij zoeken een start-up die drukte voorspelt." in box
    assert "Friendly to companies that have never done this before." in box
    assert "€\xa045,000" in box or "€&nbsp;45,000" in box
    assert "12 days left" in box
    assert "press Apply" in box
    assert "What you need to apply" in html
    assert "Tips if this is your first time" in html
    assert 'href="/help/glossary/#launching-customer"' in html  # a tip links the glossary


def test_money_and_dates_follow_the_language(amsterdam, buyer_user, client):
    call = opportunity(
        amsterdam,
        buyer_user,
        budget_min=10000,
        budget_max=1250000,
        closes_at=dt.datetime(2026, 5, 4, 15, 0, tzinfo=dt.UTC),
    )
    english = client.get(call.get_absolute_url()).content.decode()
    assert "€\xa010,000 \u2013 €\xa01,250,000" in english
    assert "Monday 4 May 2026, 17:00" in english
    dutch = client.get(call.get_absolute_url(), headers={"Accept-Language": "nl"}).content.decode()
    assert "€\xa010.000 \u2013 €\xa01.250.000" in dutch
    assert "4 mei 2026, 17:00" in dutch


def test_glossary_in_the_active_language(client):
    english = client.get(reverse("glossary")).content.decode()
    assert 'id="uea"' in english and "ESPD (European Single Procurement Document)" in english
    assert "In Dutch" in english and "UEA (Uniform Europees Aanbestedingsdocument)" in english
    dutch = client.get(reverse("glossary"), headers={"Accept-Language": "nl"}).content.decode()
    assert 'lang="nl"' in dutch
    assert "Een standaardformulier waarin je verklaart" in dutch
    assert "glossary" in client.get(reverse("home")).content.decode()  # linked from the footer


def test_outcome_of_an_imported_award_without_a_company_on_kansen(amsterdam, buyer_user, client):
    from tenders.models import Award, Opportunity

    awarded = opportunity(
        amsterdam, buyer_user, title="Gegund", closes_at=NOW + dt.timedelta(days=1)
    )
    Award.objects.create(opportunity=awarded, supplier_name="Sensorbedrijf B.V.", value=120000)
    Opportunity.objects.filter(pk=awarded.pk).update(awarded_at=NOW)
    response = client.get(awarded.get_absolute_url())
    assert response.status_code == 200
    assert "Sensorbedrijf B.V., €\xa0120,000" in response.content.decode()
