"""Claiming an imported, unclaimed buyer organisation."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from marketplace.core.errors import ApplicationError, TransitionError
from marketplace.core.models import Membership
from tenders.models import OrganisationClaim
from tenders.services import claims
from tests.factories import PASSWORD, BuyerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported_buyer():
    return BuyerFactory(name="Waterschap Amstel, Gooi en Vecht", is_claimed=False)


@pytest.fixture
def alice():
    return UserFactory(email="alice@agv.example")


@pytest.fixture
def charlie():
    return UserFactory(email="charlie@elsewhere.example")


def test_a_signed_in_person_asks_to_claim_an_imported_buyer(client, imported_buyer, alice):
    client.login(email=alice.email, password=PASSWORD)
    url = f"/organisations/{imported_buyer.pk}/claim/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"message": "Ik ben inkoper bij AGV, alice@agv.example."})
    assert response.status_code == 302
    claim = OrganisationClaim.objects.get()
    assert (claim.user, claim.organisation, claim.status) == (alice, imported_buyer, "pending")
    page = client.get(url).content.decode()
    assert "waiting for approval" in page
    client.post(url, {"message": "nog een keer"})
    assert OrganisationClaim.objects.count() == 1


def test_an_empty_request_names_the_field(client, imported_buyer, alice):
    client.login(email=alice.email, password=PASSWORD)
    page = client.post(
        f"/organisations/{imported_buyer.pk}/claim/", {"message": ""}
    ).content.decode()
    assert "error-summary" in page
    assert not OrganisationClaim.objects.exists()


def test_anonymous_people_sign_in_first(client, imported_buyer):
    response = client.get(f"/organisations/{imported_buyer.pk}/claim/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_claimed_organisations_cannot_be_claimed(client, charlie):
    claimed = BuyerFactory(is_claimed=True)
    client.login(email=charlie.email, password=PASSWORD)
    assert client.get(f"/organisations/{claimed.pk}/claim/").status_code == 404
    with pytest.raises(ApplicationError):
        claims.organisation_claim_request(organisation=claimed, user=charlie, message="mine")


def test_approving_makes_the_requester_admin_and_rejects_the_others(imported_buyer, alice, charlie):
    mine = claims.organisation_claim_request(
        organisation=imported_buyer, user=alice, message="inkoper"
    )
    theirs = claims.organisation_claim_request(
        organisation=imported_buyer, user=charlie, message="ik ook"
    )
    operator = UserFactory(is_staff=True)
    claims.organisation_claim_approve(claim=mine, by=operator)
    imported_buyer.refresh_from_db()
    assert imported_buyer.is_claimed
    assert Membership.objects.get(organisation=imported_buyer).user == alice
    assert Membership.objects.get(organisation=imported_buyer).role == "admin"
    theirs.refresh_from_db()
    assert theirs.status == "rejected"
    with pytest.raises(TransitionError):
        claims.organisation_claim_approve(claim=theirs, by=operator)


def test_operators_approve_in_the_admin(imported_buyer, alice):
    claim = claims.organisation_claim_request(
        organisation=imported_buyer, user=alice, message="inkoper"
    )
    operator = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().post("/admin/tenders/organisationclaim/")
    request.user = operator
    request._messages = type("M", (), {"add": lambda *a, **k: None})()
    model_admin = site._registry[OrganisationClaim]
    model_admin.approve(request, OrganisationClaim.objects.filter(pk=claim.pk))
    claim.refresh_from_db()
    assert claim.status == "approved"
    assert claim.decided_by == operator
    assert Membership.objects.filter(organisation=imported_buyer, user=alice, role="admin").exists()
