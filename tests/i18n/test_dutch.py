"""Pages, API errors and emails in Dutch for whoever asks for Dutch, English for whoever asks for
English; the language switch is remembered (issue 9)."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from marketplace.core import services as core_services
from suppliers import services_alerts
from tests.factories import BuyerFactory, CompanyFactory, UserFactory, member_of
from tests.suppliers.helpers import NOW, opportunity

pytestmark = pytest.mark.django_db
DUTCH = {"Accept-Language": "nl"}


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
def call(amsterdam, buyer_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # indexed for search after commit
        return opportunity(
            amsterdam,
            buyer_user,
            title="Drukte voorspellen op pleinen",
            budget_min=10000,
            budget_max=50000,
            is_sme_suitable=True,
        )


def page(client, url, **headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def test_home_page_in_dutch_and_in_english(client, call):
    dutch = page(client, reverse("home"), **DUTCH)
    assert '<html lang="nl">' in dutch
    assert "Kansen van overheden in de regio Amsterdam" in dutch
    assert "Co-creatie-uitvragen (1)" in dutch and "Aanbestedingen (0)" in dutch
    assert "Inloggen" in dutch and "Account maken" in dutch
    assert "Zo werkt Kansen" in dutch
    assert "How Kansen works" not in dutch

    english = page(client, reverse("home"))
    assert '<html lang="en">' in english
    assert "Opportunities from public parties in the Amsterdam region" in english
    assert "Co-creation calls (1)" in english
    assert "Zo werkt Kansen" not in english


def test_search_page_in_dutch(client, call):
    dutch = page(client, reverse("search") + "?q=drukte", **DUTCH)
    assert "Wat zoek je?" in dutch
    assert "1 kans gevonden" in dutch
    assert "co-creatie-uitvraag" in dutch  # the kind facet
    assert "Mail mij over nieuwe resultaten" in dutch
    english = page(client, reverse("search") + "?q=drukte")
    assert "1 opportunity found" in english


def test_opportunity_page_in_dutch_with_dutch_money_and_dates(client, call):
    dutch = page(client, call.get_absolute_url(), **DUTCH)
    assert "Co-creatie-uitvraag" in dutch
    assert "In één minuut" in dutch
    assert "Zo meld je je aan" in dutch
    assert "Geschikt voor kleine en middelgrote bedrijven." in dutch
    assert "€\xa010.000 \u2013 €\xa050.000" in dutch
    assert "1 april 2026" in dutch  # closes 30 days after 2 March
    assert "Tips als je dit voor het eerst doet" in dutch
    assert "In one minute" not in dutch


def test_sign_up_and_sign_in_in_dutch_say_je(client):
    signup = page(client, reverse("account_signup"), **DUTCH)
    assert "Account maken" in signup
    assert "Heb je al een account?" in signup
    assert "Je wachtwoord moet minstens 8 tekens bevatten." in signup
    assert "Uw wachtwoord" not in signup
    login = page(client, reverse("account_login"), **DUTCH)
    assert "Heb je nog geen account?" in login
    assert "Aanmelden" not in login  # on Kansen that word means applying


def test_api_errors_in_dutch(api):
    response = api.post(
        reverse("api-auth-token"),
        {"email": "nobody@example.org", "password": "wrong"},
        format="json",
        headers=DUTCH,
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Het e-mailadres of wachtwoord klopt niet."
    english = api.post(
        reverse("api-auth-token"), {"email": "nobody@example.org", "password": "x"}, format="json"
    )
    assert english.json()["detail"] == "Email address or password is not correct."


def test_language_switch_is_remembered_for_visitors(client):
    response = client.post(reverse("language-set"), {"language": "nl", "next": "/"})
    assert response.status_code == 302
    # The browser asks for English, but the choice made on the site wins.
    assert "Kansen van overheden in de regio Amsterdam" in page(client, reverse("home"))


def test_signed_in_user_reads_their_language_on_a_new_device(client):
    user = UserFactory(language="nl")
    client.force_login(user)
    dutch = page(client, reverse("alerts-preferences"))  # the browser asks for English
    assert '<html lang="nl">' in dutch
    assert "Uitloggen" in dutch


def test_alert_email_in_each_recipients_language(
    amsterdam, buyer_user, django_capture_on_commit_callbacks
):
    dutch_user = UserFactory(email="femke@startup.example", name="Femke", language="nl")
    english_user = UserFactory(email="fatima@startup.example", name="Fatima", language="en")
    for user in (dutch_user, english_user):
        services_alerts.saved_search_create(
            user=user, name="Drukte", params={"q": "drukte"}, cadence="instant"
        )
    with django_capture_on_commit_callbacks(execute=True):
        call = opportunity(amsterdam, buyer_user, title="Drukte voorspellen op pleinen")

    sent = {message.to[0]: message for message in mail.outbox}
    assert len(mail.outbox) == 2
    dutch = sent["femke@startup.example"]
    assert dutch.subject == f"Nieuwe kans: {call.title}"
    assert "Hallo Femke," in dutch.body
    assert "Past bij je bewaarde zoekopdracht “Drukte”." in dutch.body
    assert "Stop deze e-mails" in dutch.body
    html = dutch.alternatives[0][0]
    assert 'lang="nl"' in html and "Er is een nieuwe kans voor je op Kansen." in html
    english = sent["fatima@startup.example"]
    assert english.subject == f"New opportunity: {call.title}"
    assert "Matches your saved search “Drukte”." in english.body


def test_invitation_email_in_the_language_of_whoever_invites(django_capture_on_commit_callbacks):
    company = CompanyFactory(name="Stadsdata Lab B.V.")
    admin = member_of(company, "admin", email="sanne@stadsdata.example", language="nl")
    with django_capture_on_commit_callbacks(execute=True):
        core_services.invitation_create(
            organisation=company, email="joris@stadsdata.example", by=admin
        )
    (message,) = mail.outbox
    assert (
        message.subject == "Je bent uitgenodigd om lid te worden van Stadsdata Lab B.V. op Kansen"
    )
    assert "De link werkt 14 dagen." in message.body


def test_counts_use_the_thousands_separator_of_the_language():
    from django.template import Context, Template
    from django.utils import translation

    template = Template("{% load kansen %}{{ n|number }} · {{ amount|money }}")
    with translation.override("nl"):
        assert (
            template.render(Context({"n": 12345, "amount": 1250000})) == "12.345 · €\xa01.250.000"
        )
    with translation.override("en"):
        assert (
            template.render(Context({"n": 12345, "amount": 1250000})) == "12,345 · €\xa01,250,000"
        )
    assert Template("{% load kansen %}{{ n|number }}").render(Context({"n": "n/a"})) == "n/a"


@pytest.mark.parametrize(
    ("asks", "language", "subject_word"), [("nl", "nl", "Bevestig"), ("en", "en", "Confirm")]
)
def test_a_new_account_keeps_the_language_it_signed_up_in(client, asks, language, subject_word):
    from marketplace.core.models import User

    password = "een lang wachtwoord 42"
    response = client.post(
        reverse("account_signup"),
        {"email": "nieuw@startup.example", "password1": password, "password2": password},
        headers={"Accept-Language": asks},
    )
    assert response.status_code == 302
    assert User.objects.get(email="nieuw@startup.example").language == language
    (confirmation,) = mail.outbox
    assert subject_word in confirmation.subject
