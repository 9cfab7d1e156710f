""" "For you": ranked open opportunities for the signed-in user's company, and feedback."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from suppliers import match_selectors, services
from suppliers.models import MatchFeedback
from tests.factories import BuyerFactory, UserFactory, member_of
from tests.suppliers.helpers import NOW, company, opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


@pytest.fixture
def amsterdam():
    return BuyerFactory(name="Gemeente Amsterdam")


@pytest.fixture
def buyer_alice(amsterdam):
    return member_of(amsterdam, "admin")


@pytest.fixture
def startup(reference_data):
    return company(
        name="Stadsdata Lab B.V.",
        competencies=["data-aggregation", "behaviour-prediction"],
        cpv_codes=["72000000"],
        regions=["NL32B", "GM0363"],
        description="Wij voorspellen drukte in de stad met sensoren en open data.",
    )


@pytest.fixture
def alice(startup):
    return member_of(startup, "admin")


@pytest.fixture
def bob(startup):
    return member_of(startup, "member")


@pytest.fixture
def charlie(reference_data):
    other = company(name="Bouwbedrijf Groot B.V.", size_class="large", cpv_codes=["45000000"])
    return member_of(other, "admin")


@pytest.fixture
def four_kinds(amsterdam, buyer_alice, reference_data):
    """One opportunity of each kind that fits the start-up, and a few that do not."""
    return {
        "co_creation": opportunity(
            amsterdam,
            buyer_alice,
            kind="co_creation",
            title="Drukte voorspellen op het Museumplein",
            description="Voorspel de drukte met sensordata.",
            competencies=["behaviour-prediction", "data-aggregation"],
        ),
        "tender": opportunity(
            amsterdam,
            buyer_alice,
            kind="tender",
            title="Dataplatform voor verkeersdata",
            cpv_codes=["72300000"],
            competencies=["data-aggregation"],
        ),
        "funding": opportunity(
            amsterdam,
            buyer_alice,
            kind="funding",
            title="Subsidie voor start-ups met data",
            competencies=["data-and-analytics"],
            details={"eligible_sizes": ["startup", "micro"]},
        ),
        "test_location": opportunity(
            amsterdam,
            buyer_alice,
            kind="test_location",
            title="Proeftuin voor sensoren",
            competencies=["sensor-networks", "data-aggregation"],
        ),
        "unrelated": opportunity(
            amsterdam,
            buyer_alice,
            kind="tender",
            title="Nieuwe kademuren",
            cpv_codes=["45000000"],
        ),
        "draft": opportunity(
            amsterdam,
            buyer_alice,
            title="Nog niet gepubliceerd",
            competencies=["data-aggregation"],
            publish=False,
        ),
    }


def test_for_you_ranks_open_opportunities_of_all_four_kinds(startup, four_kinds):
    rows = match_selectors.matches_for_company(company=startup)
    ids = [r.opportunity.pk for r in rows]
    # Full on competencies and region; the tender also on CPV: the two best.
    assert set(ids[:2]) == {four_kinds["co_creation"].pk, four_kinds["tender"].pk}
    assert {r.opportunity.kind for r in rows} == {
        "co_creation",
        "tender",
        "funding",
        "test_location",
    }
    assert four_kinds["draft"].pk not in ids
    assert four_kinds["unrelated"].pk not in ids
    assert [r.score for r in rows] == sorted((r.score for r in rows), reverse=True)
    co_creation = next(r for r in rows if r.opportunity.kind == "co_creation")
    assert co_creation.reasons[:2] == [
        "Matches your competencies behaviour prediction and data aggregation",
        "In Amsterdam",
    ]
    funding = next(r for r in rows if r.opportunity.kind == "funding")
    assert "Open to start-ups" in funding.reasons


def test_a_large_company_is_not_shown_calls_for_start_ups(reference_data, four_kinds):
    large = company(name="Groot Data N.V.", size_class="large", competencies=["data-aggregation"])
    kinds = {r.opportunity.kind for r in match_selectors.matches_for_company(company=large)}
    assert "funding" not in kinds
    assert "co_creation" in kinds


def test_api_matches_has_score_and_reasons(api, alice, four_kinds, django_assert_num_queries):
    api.force_authenticate(alice)
    # user's company, taxonomy, profile (+3 prefetches), awards, home town, feedback,
    # candidates by competency and by CPV, opportunities (+3 prefetches)
    with django_assert_num_queries(16):
        response = api.get("/api/v1/matches/")
    assert response.status_code == 200
    assert response.data["count"] == 4
    first = response.data["results"][0]
    assert first["id"] == four_kinds["tender"].pk
    assert 0 < first["score"] <= 100
    assert first["reasons"] == [
        "Matches your competency data aggregation",
        "In Amsterdam",
        "Fits your CPV interest 72000000 (IT services: consulting, software development, "
        "Internet and support)",
    ]
    assert first["feedback"] is None
    assert {"kind", "title", "buyer", "closes_at", "competencies", "url"} <= set(first)


def test_matches_query_count_does_not_grow_with_the_data(
    api, alice, amsterdam, buyer_alice, four_kinds, django_assert_num_queries
):
    for i in range(6):
        opportunity(
            amsterdam,
            buyer_alice,
            title=f"Nog een datavraag {i}",
            competencies=["data-aggregation"],
            cpv_codes=["72200000"],
        )
        company(name=f"Concurrent {i} B.V.", competencies=["data-aggregation"])
    api.force_authenticate(alice)
    with django_assert_num_queries(16):
        response = api.get("/api/v1/matches/")
    assert response.data["count"] == 10


def test_each_company_sees_only_its_own_matches(api, alice, bob, charlie, four_kinds):
    api.force_authenticate(bob)
    bobs = api.get("/api/v1/matches/").data
    api.force_authenticate(alice)
    assert api.get("/api/v1/matches/").data["count"] == bobs["count"] == 4
    api.force_authenticate(charlie)  # a large construction company: other matches
    assert [r["id"] for r in api.get("/api/v1/matches/").data["results"]] == [
        four_kinds["unrelated"].pk
    ]
    api.force_authenticate(UserFactory())  # no company at all
    assert api.get("/api/v1/matches/").status_code == 404
    api.force_authenticate(None)
    assert api.get("/api/v1/matches/").status_code in (401, 403)


def test_feedback_moves_similar_opportunities_and_is_stored(
    api, alice, amsterdam, buyer_alice, reference_data
):
    noord = BuyerFactory(name="Provincie Noord-Holland")
    noord_admin = member_of(noord, "admin")
    other = opportunity(
        amsterdam, buyer_alice, title="Drukte in de metro", competencies=["behaviour-prediction"]
    )
    liked = opportunity(
        noord, noord_admin, title="Drukte op de pont", competencies=["behaviour-prediction"]
    )
    similar = opportunity(
        noord, noord_admin, title="Drukte op het strand", competencies=["behaviour-prediction"]
    )
    api.force_authenticate(alice)

    def order():
        return [r["id"] for r in api.get("/api/v1/matches/").data["results"]]

    before = order()
    assert before.index(other.pk) < before.index(similar.pk)  # equal scores: older first
    response = api.post(f"/api/v1/matches/{liked.pk}/feedback/", {"relevant": True}, format="json")
    assert response.status_code == 200
    after = order()
    assert after.index(similar.pk) < after.index(other.pk)  # same buyer as the liked one
    stored = MatchFeedback.objects.get(opportunity=liked)
    assert stored.is_relevant and stored.by == alice and stored.score > 0
    assert stored.weights_version

    api.post(f"/api/v1/matches/{similar.pk}/feedback/", {"relevant": False}, format="json")
    after_no = order()
    assert similar.pk not in after_no  # hidden once marked not relevant
    rows = api.get("/api/v1/matches/").data["results"]
    assert next(r for r in rows if r["id"] == liked.pk)["feedback"] is True
    assert api.delete(f"/api/v1/matches/{similar.pk}/feedback/").status_code == 204
    assert similar.pk in order()


def test_feedback_on_a_draft_of_someone_else_is_404(api, alice, four_kinds):
    api.force_authenticate(alice)
    draft = four_kinds["draft"]
    url = f"/api/v1/matches/{draft.pk}/feedback/"
    assert api.post(url, {"relevant": True}, format="json").status_code == 404
    assert api.post(url, {"relevant": "maybe"}, format="json").status_code == 404
    co = four_kinds["co_creation"]
    bad = api.post(f"/api/v1/matches/{co.pk}/feedback/", {"relevant": "maybe"}, format="json")
    assert bad.status_code == 400


def test_match_detail_names_missing_competencies_and_partners(
    api, alice, startup, four_kinds, reference_data
):
    sensor = company(name="Sensorbedrijf B.V.", competencies=["sensor-networks"])
    company(name="Privé Sensoren B.V.", competencies=["sensor-networks"], is_public=False)
    api.force_authenticate(alice)
    location = four_kinds["test_location"]
    response = api.get(f"/api/v1/matches/{location.pk}/")
    assert response.status_code == 200
    assert response.data["missing_competencies"] == ["sensor-networks"]
    assert [p["name"] for p in response.data["partners"]] == [sensor.name]
    assert response.data["partners"][0]["covers"] == ["sensor-networks"]
    assert response.data["partners"][0]["reasons"][0] == "Covers sensor networks, which you do not"
    full = api.get(f"/api/v1/matches/{four_kinds['co_creation'].pk}/")
    assert full.data["missing_competencies"] == [] and full.data["partners"] == []


def test_for_you_page_and_feedback_buttons(client, alice, four_kinds):
    client.force_login(alice)
    page = client.get(reverse("for-you"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Drukte voorspellen op het Museumplein" in html
    assert (
        "Matches your competencies behaviour prediction and data aggregation; in Amsterdam" in html
    )
    tender = four_kinds["tender"]
    response = client.post(
        reverse("for-you-feedback", kwargs={"pk": tender.pk}),
        {"relevant": "no", "next": reverse("for-you")},
    )
    assert response.status_code == 302
    assert "Dataplatform voor verkeersdata" not in client.get(reverse("for-you")).content.decode()
    detail = client.get(reverse("for-you-detail", kwargs={"pk": tender.pk}))
    assert "You marked this not relevant." in detail.content.decode()


def test_for_you_page_without_a_company_invites_to_add_one(client, reference_data):
    client.force_login(UserFactory())
    page = client.get(reverse("for-you"))
    assert page.status_code == 200
    assert "Add your company" in page.content.decode()


def test_feedback_changes_nothing_for_other_companies(alice, startup, four_kinds, reference_data):
    twin = company(
        name="Tweeling B.V.",
        competencies=["data-aggregation", "behaviour-prediction"],
        cpv_codes=["72000000"],
        regions=["NL32B", "GM0363"],
    )
    services.match_feedback_set(
        company=startup, opportunity=four_kinds["tender"], by=alice, is_relevant=False
    )
    mine = [r.opportunity.pk for r in match_selectors.matches_for_company(company=startup)]
    theirs = [r.opportunity.pk for r in match_selectors.matches_for_company(company=twin)]
    assert four_kinds["tender"].pk not in mine
    assert theirs[0] == four_kinds["tender"].pk


def test_the_detail_page_says_why_a_company_cannot_take_part(client, charlie, four_kinds):
    client.force_login(charlie)
    funding = four_kinds["funding"]  # for start-ups and micro companies only
    page = client.get(reverse("for-you-detail", kwargs={"pk": funding.pk})).content.decode()
    assert "Your company cannot take part in this one" in page
    assert "Not open to companies of this size" in page
