"""Sign-up with email verification, sign-in, sign-out and password reset (django-allauth)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from marketplace.core.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_sign_up_needs_email_verification_before_sign_in(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "Nieuw@Startup.example", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(email="nieuw@startup.example")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nieuw@startup.example"]

    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "nieuw@startup.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")

    confirm = _link(mail.outbox[-1])
    response = client.post(confirm)
    assert response.status_code == 302
    assert user.emailaddress_set.get().verified

    response = client.post(
        reverse("account_login"), {"login": "nieuw@startup.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_sign_up_with_mismatched_passwords_shows_field_error(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "a@b.example", "password1": PASSWORD, "password2": PASSWORD + "x"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="a@b.example").exists()
    assert response.context["form"].errors


def test_sign_in_with_wrong_password_is_refused(client):
    user = UserFactory()
    response = client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_sign_out_ends_the_session(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = UserFactory()
    client.post(reverse("account_reset_password"), {"email": user.email})
    assert len(mail.outbox) == 1
    link = _link(mail.outbox[0])
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(
        form_url, {"password1": "een nieuw wachtwoord 42", "password2": "een nieuw wachtwoord 42"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("een nieuw wachtwoord 42")


def test_language_choice_is_remembered_for_a_signed_in_user(client):
    user = UserFactory(language="nl")
    client.force_login(user)
    client.post(reverse("language-set"), {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"
    page = client.get("/")
    assert page.content.decode().startswith('<!DOCTYPE html>\n<html lang="en">')
