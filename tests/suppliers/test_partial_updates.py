"""htmx partial updates answer with a fragment; the same URLs without htmx keep answering with
a redirect or a whole page, so everything also works without JavaScript."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from suppliers.models import MatchFeedback
from suppliers.models_alerts import Follow, SavedSearch
from tests.factories import BuyerFactory, member_of
from tests.suppliers.helpers import NOW, company, opportunity

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def call(reference_data):
    amsterdam = BuyerFactory(name="Gemeente Amsterdam")
    return opportunity(amsterdam, member_of(amsterdam, "admin"), title="Drukte voorspellen")


@pytest.fixture
def alice(reference_data):
    return member_of(company(competencies=["data-aggregation"]), "admin")


def test_follow_with_htmx_swaps_the_button_and_announces_it(call, alice, client):
    client.force_login(alice)
    url = reverse("opportunity-follow", args=[call.pk])
    response = client.post(url, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Stop following" in html and 'hx-swap-oob="true"' in html and 'role="status"' in html
    assert Follow.objects.filter(user=alice, opportunity=call).exists()
    response = client.post(url, {"action": "unfollow"})  # without htmx: a redirect and a message
    assert response.status_code == 302 and response["Location"] == call.get_absolute_url()
    assert not Follow.objects.exists()


def test_follow_button_is_on_the_opportunity_page(call, alice, client):
    assert (
        "Sign in to follow this opportunity" in client.get(call.get_absolute_url()).content.decode()
    )
    client.force_login(alice)
    html = client.get(call.get_absolute_url()).content.decode()
    assert (
        "Follow this opportunity" in html and f'hx-post="/opportunities/{call.pk}/follow/"' in html
    )


def test_feedback_with_htmx_answers_with_the_buttons(call, alice, client):
    client.force_login(alice)
    url = reverse("for-you-feedback", args=[call.pk])
    html = client.post(url, {"relevant": "yes", "next": "/for-you/"}, headers=HTMX).content.decode()
    assert "You marked this relevant." in html and "<html" not in html
    assert "We will show you more opportunities like this one." in html
    assert MatchFeedback.objects.get().is_relevant is True
    assert client.post(url, {"relevant": "undo"}).status_code == 302


def test_saving_a_search_with_htmx_stays_on_the_search_page(alice, client):
    client.force_login(alice)
    url = reverse("saved-search-create")
    form = client.get(url, {"q": "drukte"}, headers=HTMX).content.decode()
    assert "<html" not in form and 'name="q" value="drukte"' in form and "hx-post" in form
    bad = client.post(url, {"q": "drukte", "name": ""}, headers=HTMX).content.decode()
    assert "kansen-error-summary" in bad and "<html" not in bad
    done = client.post(
        url, {"q": "drukte", "name": "Drukte", "cadence": "instant"}, headers=HTMX
    ).content.decode()
    assert "We will email you when something new matches “Drukte”" in done
    assert SavedSearch.objects.get().cadence == "instant"
    response = client.post(url, {"q": "data", "name": "Data", "cadence": "daily"})
    assert response.status_code == 302  # without htmx: to the alert preferences


def test_search_with_htmx_answers_with_the_facets_and_results(call, client):
    response = client.get(reverse("search"), {"q": "drukte", "kind": "co_creation"}, headers=HTMX)
    html = response.content.decode()
    assert "HX-Request" in response["Vary"]
    assert html.startswith('<div id="search-layout"') and "<html" not in html
    assert 'name="kind" value="co_creation"' in html  # a chosen filter stays, to untick
    assert 'id="search-status"' in html and 'hx-swap-oob="true"' in html
    restore = client.get(
        reverse("search"), {"q": "drukte"}, headers={**HTMX, "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.content.decode()  # htmx restoring history gets the whole page
