"""API tokens, the error format, organisations and members over the API."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from marketplace.core.models import ApiToken
from tests.factories import PASSWORD, CompanyFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


def token_for(api, user) -> str:
    response = api.post(
        reverse("api-auth-token"), {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()["token"]


def test_token_is_issued_for_email_and_password_and_authenticates(api):
    user = UserFactory()
    token = token_for(api, user)
    assert token.startswith("kns_")
    assert not ApiToken.objects.filter(key_hash=token).exists()  # stored hashed
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get(reverse("api-me"))
    assert me.status_code == 200
    assert me.json()["email"] == user.email


def test_wrong_password_gets_a_4xx_in_the_error_format(api):
    user = UserFactory()
    response = api.post(
        reverse("api-auth-token"), {"email": user.email, "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Email address or password is not correct."
    assert "non_field_errors" in body["errors"]


def test_missing_fields_are_named_in_errors(api):
    response = api.post(reverse("api-auth-token"), {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"email", "password"}


def test_unconfirmed_email_gets_no_token(api):
    user = UserFactory()
    EmailAddress.objects.filter(user=user).update(verified=False)
    response = api.post(
        reverse("api-auth-token"), {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert "email" in response.json()["errors"]


def test_revoked_token_no_longer_works(api):
    user = UserFactory()
    token = token_for(api, user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    tokens = api.get(reverse("api-auth-tokens")).json()
    assert len(tokens) == 1
    assert token.startswith(tokens[0]["prefix"])
    assert api.delete(reverse("api-auth-token-detail", args=[tokens[0]["id"]])).status_code == 204
    response = api.get(reverse("api-me"))
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid or revoked token."


def test_revoke_current_token(api):
    user = UserFactory()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(api, user)}")
    assert api.post(reverse("api-auth-token-revoke")).status_code == 204
    assert api.get(reverse("api-me")).status_code == 401


def test_someone_elses_token_cannot_be_revoked(api):
    alice, bob = UserFactory(), UserFactory()
    token_for(api, alice)
    alice_token = ApiToken.objects.get(user=alice)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(api, bob)}")
    assert api.delete(reverse("api-auth-token-detail", args=[alice_token.pk])).status_code == 404
    alice_token.refresh_from_db()
    assert alice_token.revoked_at is None


def test_anonymous_gets_401_on_private_resources(api):
    response = api.get(reverse("api-me"))
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


def test_create_a_company_over_the_api_and_see_it_in_me(api):
    user = UserFactory()
    api.force_authenticate(user)
    response = api.post(
        reverse("api-organisations"),
        {
            "kind": "company",
            "name": "Slimme Stad B.V.",
            "kvk_number": "87654321",
            "size_class": "startup",
        },
        format="json",
    )
    assert response.status_code == 201
    memberships = api.get(reverse("api-me")).json()["memberships"]
    assert memberships[0]["role"] == "admin"
    assert memberships[0]["organisation"]["name"] == "Slimme Stad B.V."


def test_company_without_kvk_is_refused_with_field_messages(api):
    api.force_authenticate(UserFactory())
    response = api.post(
        reverse("api-organisations"), {"kind": "company", "name": "Naamloos"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"kvk_number", "size_class"}


@pytest.mark.parametrize(
    ("who", "members", "invite"),
    [("alice", 200, 201), ("bob", 200, 403), ("charlie", 404, 404)],
)
def test_organisation_permissions_over_the_api(api, who, members, invite):
    company = CompanyFactory()
    people = {
        "alice": member_of(company, "admin"),
        "bob": member_of(company, "member"),
        "charlie": member_of(CompanyFactory(), "admin"),
    }
    api.force_authenticate(people[who])
    assert api.get(reverse("api-organisation-members", args=[company.pk])).status_code == members
    response = api.post(
        reverse("api-organisation-invitations", args=[company.pk]),
        {"email": "new@x.example"},
        format="json",
    )
    assert response.status_code == invite


def test_unknown_api_path_answers_json_404(api, settings):
    settings.DEBUG = False
    response = api.get("/api/v1/does-not-exist/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}


def test_schema_is_served(api):
    response = api.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/auth/token/" in schema["paths"]


def test_organisation_list_query_count_is_fixed(api, django_assert_num_queries):
    user = UserFactory()
    for _ in range(4):
        member_of(CompanyFactory(), "member").delete()
    for _ in range(3):
        company = CompanyFactory()
        from marketplace.core.models import Membership

        Membership.objects.create(user=user, organisation=company, role="member")
    api.force_authenticate(user)
    with django_assert_num_queries(1):
        response = api.get(reverse("api-organisations"))
    assert len(response.json()) == 3
