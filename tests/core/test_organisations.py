"""Organisations, memberships and roles; ownership answers 404 both for missing and not yours."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from marketplace.core import selectors, services
from marketplace.core.errors import ApplicationError, Forbidden, NotFound
from marketplace.core.models import Membership, Organisation
from tests.factories import BuyerFactory, CompanyFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    return CompanyFactory()


@pytest.fixture
def alice(company):
    """Admin of the company."""
    return member_of(company, "admin", email="alice@startup.example")


@pytest.fixture
def bob(company):
    """Member of the same company."""
    return member_of(company, "member", email="bob@startup.example")


@pytest.fixture
def charlie():
    """A stranger, admin of another company."""
    return member_of(CompanyFactory(), "admin", email="charlie@other.example")


def test_creator_of_an_organisation_becomes_its_admin():
    user = UserFactory()
    org = services.organisation_create(
        kind="company", name="Datadromen B.V.", kvk_number="12345678", size_class="micro", by=user
    )
    assert selectors.membership_role(user=user, organisation=org) == "admin"
    assert org.slug == "datadromen-bv"


@pytest.mark.parametrize("kvk", ["1234567", "123456789", "1234567a"])
def test_kvk_number_must_have_eight_digits(kvk):
    with pytest.raises(ApplicationError) as exc:
        services.organisation_create(
            kind="company", name="X", kvk_number=kvk, size_class="small", by=UserFactory()
        )
    assert "kvk_number" in exc.value.errors
    assert not Organisation.objects.filter(name="X").exists()


def test_accessor_answers_not_found_for_missing_and_for_not_yours(company, alice, bob, charlie):
    assert selectors.organisation_get_for_member(user=alice, pk=company.pk) == company
    assert selectors.organisation_get_for_member(user=bob, pk=company.pk) == company
    with pytest.raises(NotFound) as not_yours:
        selectors.organisation_get_for_member(user=charlie, pk=company.pk)
    with pytest.raises(NotFound) as missing:
        selectors.organisation_get_for_member(user=charlie, pk=999_999)
    assert str(not_yours.value) == str(missing.value)


def test_stranger_gets_the_same_404_page_as_for_a_missing_organisation(client, company, charlie):
    client.force_login(charlie)
    not_yours = client.get(reverse("organisation-members", args=[company.pk]))
    missing = client.get(reverse("organisation-members", args=[999_999]))
    assert not_yours.status_code == missing.status_code == 404
    main = lambda page: re.search(rb"<main.*</main>", page.content, re.S).group(0)  # noqa: E731
    assert main(not_yours) == main(missing)


def test_admin_invites_a_colleague_who_accepts(
    client, company, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisation-members", args=[company.pk]),
            {"email": "dora@startup.example", "role": "member"},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dora@startup.example"]
    assert company.name in mail.outbox[0].subject
    path = re.search(r"https?://[^/\s]+(/invitations/\S+/)", mail.outbox[0].body).group(1)

    dora = UserFactory(email="dora@startup.example")
    client.force_login(dora)
    response = client.post(path)
    assert response.status_code == 302
    assert selectors.membership_role(user=dora, organisation=company) == "member"
    assert client.post(path).status_code == 400  # used once


def test_invitation_for_another_address_is_refused(company, alice):
    invitation = services.invitation_create(
        organisation=company, email="dora@startup.example", by=alice
    )
    with pytest.raises(ApplicationError, match=r"dora@startup\.example"):
        services.invitation_accept(token=services.invitation_token(invitation), user=UserFactory())


def test_invitation_expires_after_fourteen_days(company, alice):
    with time_machine.travel("2026-03-01 10:00 +01:00", tick=False):
        invitation = services.invitation_create(
            organisation=company, email="dora@startup.example", by=alice
        )
        token = services.invitation_token(invitation)
    dora = UserFactory(email="dora@startup.example")
    with (
        time_machine.travel("2026-03-15 10:01 +01:00", tick=False),
        pytest.raises(ApplicationError, match="expired"),
    ):
        services.invitation_accept(token=token, user=dora)


def test_member_cannot_invite_or_change_roles(company, alice, bob):
    with pytest.raises(Forbidden):
        services.invitation_create(organisation=company, email="x@y.example", by=bob)
    with pytest.raises(Forbidden):
        services.membership_set_role(organisation=company, user=alice, role="member", by=bob)


def test_admin_promotes_a_member_and_the_last_admin_cannot_step_down(company, alice, bob):
    with pytest.raises(ApplicationError, match="at least one admin"):
        services.membership_set_role(organisation=company, user=alice, role="member", by=alice)
    services.membership_set_role(organisation=company, user=bob, role="admin", by=alice)
    services.membership_set_role(organisation=company, user=alice, role="member", by=bob)
    assert selectors.membership_role(user=alice, organisation=company) == "member"


def test_members_page_shows_role_controls_only_to_admins(client, company, alice, bob):
    client.force_login(bob)
    page = client.get(reverse("organisation-members", args=[company.pk])).content.decode()
    assert "alice@startup.example" in page
    assert "Invite a colleague" not in page
    client.force_login(alice)
    page = client.get(reverse("organisation-members", args=[company.pk])).content.decode()
    assert "Invite a colleague" in page


def test_member_may_leave_but_not_remove_others(company, alice, bob):
    with pytest.raises(Forbidden):
        services.membership_remove(organisation=company, user=alice, by=bob)
    services.membership_remove(organisation=company, user=bob, by=bob)
    assert not Membership.objects.filter(user=bob).exists()


def test_company_form_shows_an_error_summary_for_a_bad_kvk_number(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("organisation-create", args=["company"]),
        {"name": "Nieuwe Start-up", "kvk_number": "12", "size_class": "startup"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "kansen-error-summary" in page
    assert "8 digits" in page


def test_buyer_organisation_validates_the_oin():
    with pytest.raises(ApplicationError) as exc:
        services.organisation_create(
            kind="buyer", name="Gemeente X", buyer_type="municipality", oin="123", by=UserFactory()
        )
    assert "oin" in exc.value.errors
    buyer = BuyerFactory(oin="00000001002564440000")
    assert buyer.is_buyer
