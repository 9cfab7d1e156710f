"""The buyer's side: suggested companies, invitations to apply, the market scan, and the
interface alerts use."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import translation

from suppliers import match_selectors
from suppliers.matching import WEIGHTS
from suppliers.models import MatchInvitation
from tests.factories import BuyerFactory, member_of
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
def alice(amsterdam):
    return member_of(amsterdam, "admin")


@pytest.fixture
def bob(amsterdam):
    return member_of(amsterdam, "member")


@pytest.fixture
def charlie():
    return member_of(BuyerFactory(name="Gemeente Utrecht"), "admin")


@pytest.fixture
def companies(reference_data):
    return {
        "data": company(
            name="Stadsdata Lab B.V.",
            competencies=["data-aggregation", "behaviour-prediction"],
            regions=["NL32B"],
            description="Wij voorspellen drukte met sensoren.",
        ),
        "prediction": company(
            name="Voorspel B.V.", competencies=["behaviour-prediction"], regions=["GM0344"]
        ),
        "analytics": company(name="Analyse B.V.", competencies=["data-and-analytics"]),
        "private": company(
            name="Stil B.V.",
            competencies=["data-aggregation", "behaviour-prediction"],
            is_public=False,
        ),
        "large": company(
            name="Groot N.V.",
            size_class="large",
            competencies=["data-aggregation", "behaviour-prediction"],
        ),
        "builder": company(name="Bouw B.V.", cpv_codes=["45000000"]),
    }


@pytest.fixture
def call(amsterdam, alice, reference_data):
    return opportunity(
        amsterdam,
        alice,
        kind="co_creation",
        title="Drukte voorspellen op het Museumplein",
        description="Voorspel drukte met sensoren.",
        competencies=["behaviour-prediction", "data-aggregation"],
        regions=["NL32B"],
        is_sme_suitable=True,
    )


def test_suggested_companies_are_ranked_with_reasons(call, companies):
    rows = match_selectors.matches_for_opportunity(opportunity=call)
    names = [r.company.name for r in rows]
    assert names == ["Stadsdata Lab B.V.", "Voorspel B.V.", "Analyse B.V."]
    assert rows[0].reasons[:2] == [
        "Has the competencies behaviour prediction and data aggregation",
        "Works in Groot-Amsterdam",
    ]
    assert "Stil B.V." not in names  # no public page
    assert "Groot N.V." not in names  # large, and the call is for SMEs


def test_alerts_find_every_company_above_the_threshold(call, companies):
    found = match_selectors.matching_companies_for_opportunity(opportunity_id=call.pk, min_score=40)
    assert {m.company.name for m in found} == {"Stadsdata Lab B.V.", "Stil B.V."}
    assert all(m.score >= 40 for m in found)
    assert found[0].reasons[0].startswith("Matches your competencies")  # worded for the company
    everyone = match_selectors.matching_companies_for_opportunity(
        opportunity_id=call.pk, min_score=0
    )
    assert "Groot N.V." not in {m.company.name for m in everyone}
    assert match_selectors.matching_companies_for_opportunity(opportunity_id=999999) == []


@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("bob", 200), ("charlie", 404)])
def test_only_the_owning_buyer_sees_its_suggested_companies(
    api, client, call, companies, alice, bob, charlie, who, status
):
    user = {"alice": alice, "bob": bob, "charlie": charlie}[who]
    api.force_authenticate(user)
    response = api.get(f"/api/v1/opportunities/{call.pk}/matches/")
    assert response.status_code == status
    client.force_login(user)
    page = client.get(reverse("suggested-companies", kwargs={"pk": call.pk}))
    assert page.status_code == status
    if status == 200:
        assert response.data["results"][0]["name"] == "Stadsdata Lab B.V."
        assert response.data["results"][0]["reasons"][0].startswith("Has the competencies")
        assert "Stadsdata Lab B.V." in page.content.decode()


def test_a_company_member_cannot_see_suggested_companies(api, call, companies):
    api.force_authenticate(member_of(companies["data"], "admin"))
    assert api.get(f"/api/v1/opportunities/{call.pk}/matches/").status_code == 404
    assert api.get(f"/api/v1/opportunities/{call.pk}/market-scan/").status_code == 404
    api.force_authenticate(None)
    assert api.get(f"/api/v1/opportunities/{call.pk}/matches/").status_code in (401, 403)


def test_suggested_companies_query_count_is_fixed(
    api, call, companies, alice, django_assert_num_queries
):
    for i in range(5):
        company(name=f"Extra {i} B.V.", competencies=["behaviour-prediction"])
    api.force_authenticate(alice)
    # buyer membership, opportunity (+3 prefetches), taxonomy, opportunity for facts
    # (+3 prefetches), candidates by competency and by earlier awards from this buyer,
    # profiles (+3 prefetches), awards, home towns, invitations
    with django_assert_num_queries(20):
        response = api.get(f"/api/v1/opportunities/{call.pk}/matches/")
    assert response.data["count"] == 8


def test_invite_records_and_emails_once_after_commit(
    api, call, companies, alice, django_capture_on_commit_callbacks
):
    member_of(companies["data"], "admin", email="fatima@stadsdata.example")
    member_of(companies["data"], "member", email="sam@stadsdata.example")
    api.force_authenticate(alice)
    url = f"/api/v1/opportunities/{call.pk}/matches/{companies['data'].pk}/invite/"
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url, {"message": "Doe mee!"}, format="json")
    assert response.status_code == 201
    from suppliers.models_alerts import Alert

    assert sorted(Alert.objects.filter(reason="invite").values_list("status", flat=True)) == [
        "sent",
        "sent",
    ]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "fatima@stadsdata.example",
        "sam@stadsdata.example",
    ]
    message = mail.outbox[0]
    assert "Gemeente Amsterdam invites you to apply" in message.subject
    assert "Doe mee!" in message.body
    assert "Has the competencies" not in message.body  # worded for the company
    invitation = MatchInvitation.objects.get()
    assert invitation.sent_at is not None and invitation.invited_by == alice
    again = api.post(url, {}, format="json")
    assert again.status_code == 400
    assert again.data["errors"]["company"] == ["Already invited."]
    listed = api.get(f"/api/v1/opportunities/{call.pk}/matches/").data["results"]
    assert next(r for r in listed if r["id"] == companies["data"].pk)["invited"] is True


def test_invite_rules(api, amsterdam, call, companies, alice, charlie, reference_data):
    private = companies["private"]
    api.force_authenticate(alice)
    url = f"/api/v1/opportunities/{call.pk}/matches/{private.pk}/invite/"
    assert api.post(url, {}, format="json").status_code == 404  # no public page
    large = companies["large"]
    response = api.post(f"/api/v1/opportunities/{call.pk}/matches/{large.pk}/invite/", {})
    assert response.status_code == 400  # not eligible
    draft = opportunity(amsterdam, alice, title="Concept", publish=False)
    response = api.post(
        f"/api/v1/opportunities/{draft.pk}/matches/{companies['data'].pk}/invite/", {}
    )
    assert response.status_code == 409
    api.force_authenticate(charlie)
    response = api.post(f"/api/v1/opportunities/{call.pk}/matches/{companies['data'].pk}/invite/")
    assert response.status_code == 404
    assert not MatchInvitation.objects.exists()


def test_invite_from_the_page(client, call, companies, alice, django_capture_on_commit_callbacks):
    member_of(companies["data"], "admin")
    client.force_login(alice)
    url = reverse("suggested-invite", kwargs={"pk": call.pk, "company_id": companies["data"].pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"message": ""})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    page = client.get(reverse("suggested-companies", kwargs={"pk": call.pk})).content.decode()
    assert "Invited to apply." in page


def test_market_scan_counts_matching_companies_and_rare_competencies(
    api, amsterdam, alice, companies, reference_data
):
    draft = opportunity(
        amsterdam,
        alice,
        title="Concept: gedrag beinvloeden",
        competencies=["behaviour-prediction", "behaviour-influencing"],
        regions=["NL32B"],
        publish=False,
    )
    api.force_authenticate(alice)
    response = api.get(f"/api/v1/opportunities/{draft.pk}/market-scan/")
    assert response.status_code == 200
    supply = {c["slug"]: c for c in response.data["competencies"]}
    assert supply["behaviour-prediction"]["companies"] == 4  # public or not
    assert supply["behaviour-prediction"]["is_rare"] is False
    assert supply["behaviour-influencing"] == {
        "slug": "behaviour-influencing",
        "label": "Behaviour influencing",
        "companies": 0,
        "is_rare": True,
    }
    scan = match_selectors.market_scan(opportunity=draft)
    assert response.data["matching_companies"] == scan.matching
    assert scan.matching == len(
        match_selectors.matches_for_opportunity(
            opportunity=draft, public_only=False, min_score=WEIGHTS.threshold
        )
    )
    page = api.get(reverse("suggested-companies", kwargs={"pk": draft.pk}))
    assert page.status_code in (302, 403)  # pages need a session, not the API client

    company(name="Nudge B.V.", competencies=["behaviour-influencing"])
    rescan = api.get(f"/api/v1/opportunities/{draft.pk}/market-scan/").data
    assert {c["slug"]: c["companies"] for c in rescan["competencies"]}["behaviour-influencing"] == 1


def test_suggested_page_shows_the_market_scan(client, amsterdam, alice, companies):
    draft = opportunity(
        amsterdam,
        alice,
        title="Concept",
        competencies=["behaviour-influencing"],
        publish=False,
    )
    client.force_login(alice)
    html = client.get(reverse("suggested-companies", kwargs={"pk": draft.pk})).content.decode()
    assert "Market scan" in html
    assert "Rare: few companies have this" in html
    assert "Invite to apply" not in html  # a draft cannot invite yet


def test_earlier_awards_from_the_buyer_count_in_history(amsterdam, alice, reference_data):
    import datetime as dt

    from tenders.services.opportunities import opportunity_award

    winner = company(name="Eerder B.V.", competencies=["behaviour-prediction"])
    company(name="Nieuw B.V.", competencies=["behaviour-prediction"])
    earlier = opportunity(
        amsterdam,
        alice,
        title="Eerdere opdracht",
        competencies=["behaviour-prediction"],
        now=NOW - dt.timedelta(days=60),
    )
    opportunity_award(opportunity=earlier, by=alice, winners=[{"company": winner}], now=NOW)
    call = opportunity(
        amsterdam, alice, title="Nieuwe vraag", competencies=["behaviour-prediction"]
    )
    rows = match_selectors.matches_for_opportunity(opportunity=call)
    assert [r.company.name for r in rows] == ["Eerder B.V.", "Nieuw B.V."]
    assert "Won 1 earlier contract from Gemeente Amsterdam" in rows[0].reasons
    for_you = match_selectors.matches_for_company(company=winner)
    assert for_you[0].opportunity == call
    assert "You won 1 earlier contract from Gemeente Amsterdam" in for_you[0].reasons
