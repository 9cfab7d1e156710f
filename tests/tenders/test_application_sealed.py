"""The sealed box: before the deadline nobody reads submitted content (buyer pages, API, file
downloads, CSV export, log, Django admin); the buyer sees how many arrived. After the deadline
a member opens the box, which is logged; then the content is readable."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from marketplace.core.errors import TransitionError
from tenders.models import SealedBoxOpening
from tenders.services import applications as services
from tests.factories import UserFactory
from tests.tenders.application_setup import (
    AFTER,
    DEADLINE,
    NOW,
    SECRET,
    co_creation,
    co_creation_answers,
    people,
    submitted_tender,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    return people()


@pytest.fixture
def bid(p):
    with time_machine.travel(NOW, tick=False):
        return submitted_tender(p)


def buyer_routes(bid):
    o, a = bid.opportunity.pk, bid.pk
    file_id = next(iter(bid.current_version.draft["files"].values()))
    return {
        "page: overview": ("page", reverse("application-evaluation", args=[o])),
        "page: application": ("page", reverse("application-evaluate", args=[o, a])),
        "page: file": ("page", reverse("application-evaluate-file", args=[o, a, file_id])),
        "page: CSV export": ("page", reverse("application-export", args=[o])),
        "page: log": ("page", reverse("application-log", args=[o])),
        "api: list": ("api", reverse("api-opportunity-applications", args=[o])),
        "api: application": ("api", reverse("api-opportunity-application-detail", args=[o, a])),
        "api: file": ("api", reverse("api-opportunity-application-file", args=[o, a, file_id])),
        "api: log": ("api", reverse("api-opportunity-applications-events", args=[o])),
    }


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("moment", [NOW, DEADLINE - dt.timedelta(seconds=1), DEADLINE, AFTER])
def test_nothing_of_a_sealed_application_is_readable_before_the_box_is_opened(
    p, bid, client, api, moment
):
    client.force_login(p.buyer_admin)
    api.force_authenticate(p.buyer_admin)
    with time_machine.travel(moment, tick=False):
        for name, (kind, url) in buyer_routes(bid).items():
            response = (client if kind == "page" else api).get(url)
            body = body_of(response)
            assert SECRET not in body, name
            assert "Stadsdata" not in body, name
            assert "%PDF" not in body, name
            if name in ("page: overview", "api: list"):
                assert response.status_code == 200, name
            else:
                assert response.status_code == 403, name


def test_the_buyer_sees_how_many_arrived(p, bid, client, api):
    api.force_authenticate(p.evaluator)
    with time_machine.travel(NOW, tick=False):
        body = api.get(reverse("api-opportunity-applications", args=[bid.opportunity.pk])).json()
    assert body["count"] == 1
    assert body["results"] == []
    assert body["sealed"] is True
    assert (
        body["detail"] == "The applications are sealed until the deadline. 1 have arrived so far."
    )
    client.force_login(p.evaluator)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("application-evaluation", args=[bid.opportunity.pk]))
    assert "1 application has arrived." in page.content.decode()
    assert "Open the box" not in page.content.decode()


def test_a_draft_and_a_withdrawn_application_are_not_counted(p, bid):
    opportunity = bid.opportunity
    with time_machine.travel(NOW, tick=False):
        services.application_create(opportunity=opportunity, company=p.other_company, by=p.charlie)
        services.application_withdraw(application=bid, by=p.alice)
    from tenders.selectors_applications import application_box

    assert application_box(opportunity=opportunity, now=NOW).received == 0


def test_the_box_cannot_be_opened_before_the_deadline(p, bid, api):
    api.force_authenticate(p.evaluator)
    url = reverse("api-opportunity-applications-open", args=[bid.opportunity.pk])
    with time_machine.travel(DEADLINE - dt.timedelta(seconds=1), tick=False):
        response = api.post(url)
    assert response.status_code == 409
    assert "only after the deadline, 1 April 2026, 12:00:00 CEST" in response.json()["detail"]
    assert not SealedBoxOpening.objects.exists()


def test_opening_the_box_after_the_deadline_is_logged_and_makes_it_readable(p, bid, client, api):
    api.force_authenticate(p.evaluator)
    with time_machine.travel(AFTER, tick=False):
        response = api.post(reverse("api-opportunity-applications-open", args=[bid.opportunity.pk]))
        assert response.status_code == 200
        assert response.json()["application_count"] == 1
        again = api.post(reverse("api-opportunity-applications-open", args=[bid.opportunity.pk]))
        assert again.json()["opened_at"] == response.json()["opened_at"]
    opening = SealedBoxOpening.objects.get()
    assert opening.opened_by == p.evaluator
    assert opening.opened_at == AFTER
    assert opening.deadline == DEADLINE
    event = bid.events.get(type="opened")
    assert (event.actor, event.actor_organisation, event.created_at) == (
        p.evaluator,
        p.buyer,
        AFTER,
    )
    client.force_login(p.buyer_admin)
    api.force_authenticate(p.buyer_admin)
    with time_machine.travel(AFTER, tick=False):
        for name, (kind, url) in buyer_routes(bid).items():
            response = (client if kind == "page" else api).get(url)
            assert response.status_code == 200, name
            if name not in ("page: file", "api: file", "page: log", "api: log"):
                assert SECRET in body_of(response), name
        csv = body_of(client.get(reverse("application-export", args=[bid.opportunity.pk])))
        assert bid.current_version.content_hash in csv


def test_the_company_sees_that_its_application_was_opened(p, bid, api):
    with time_machine.travel(AFTER, tick=False):
        services.applications_open(opportunity=bid.opportunity, by=p.evaluator)
    api.force_authenticate(p.bob)
    events = api.get(reverse("api-application-events", args=[bid.pk])).json()
    assert [e["type"] for e in events] == ["created", "submitted", "opened"]
    assert events[-1]["organisation"] == "Gemeente Amsterdam"


def test_moving_the_deadline_after_opening_seals_the_box_again(p, bid):
    with time_machine.travel(AFTER, tick=False):
        services.applications_open(opportunity=bid.opportunity, by=p.evaluator)
    opportunity = bid.opportunity
    opportunity.closes_at = AFTER + dt.timedelta(days=7)
    opportunity.save()
    from tenders.selectors_applications import application_box

    assert not application_box(opportunity=opportunity, now=AFTER).is_readable


def test_the_company_always_reads_its_own_sealed_application(p, bid, api):
    api.force_authenticate(p.bob)
    with time_machine.travel(NOW, tick=False):
        detail = api.get(reverse("api-application-detail", args=[bid.pk])).json()
        version = api.get(reverse("api-application-version", args=[bid.pk, 1])).json()
    assert SECRET in str(detail["content"])
    assert version["hash_verified"] is True
    assert SECRET in str(version["content"])


def test_an_unsealed_opportunity_is_readable_before_the_deadline_but_never_the_working_copy(p, api):
    opportunity = co_creation(p.buyer)
    assert not opportunity.is_sealed
    with time_machine.travel(NOW, tick=False):
        application = services.application_create(
            opportunity=opportunity,
            company=p.company,
            by=p.alice,
            data={**co_creation_answers(), "team": SECRET},
        )
        api.force_authenticate(p.evaluator)
        listed = api.get(reverse("api-opportunity-applications", args=[opportunity.pk])).json()
        assert listed["count"] == 0  # a draft is not received
        services.application_submit(application=application, by=p.alice)
        services.application_update(
            application=application, by=p.alice, data={"team": "Not submitted yet"}
        )
        listed = api.get(reverse("api-opportunity-applications", args=[opportunity.pk])).json()
    assert listed["sealed"] is False
    assert listed["count"] == 1
    assert SECRET in str(listed["results"][0]["content"])
    assert "Not submitted yet" not in str(listed["results"])


def test_the_django_admin_shows_only_metadata_of_a_sealed_application(p, bid, client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    change = reverse("admin:tenders_application_change", args=[bid.pk])
    changelist = reverse("admin:tenders_application_changelist")
    with time_machine.travel(AFTER, tick=False):
        for url in (change, changelist):
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            assert SECRET not in body, url
            assert "Stadsdata" not in body, url
            assert bid.current_version.content_hash not in body, url
        # Searching cannot probe the content or who applied.
        for term in ("sauce", "Stadsdata"):
            assert "0 results" in client.get(changelist, {"q": term}).content.decode()
        assert "Sealed until the deadline" in client.get(change).content.decode()
        services.applications_open(opportunity=bid.opportunity, by=p.evaluator)
        body = client.get(change).content.decode()
    assert SECRET in body
    assert "Stadsdata" in body


def test_the_admin_cannot_change_or_delete_applications(p, bid, client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.post(
        reverse("admin:tenders_application_change", args=[bid.pk]), {"status": "awarded"}
    )
    assert response.status_code == 403
    assert client.get(reverse("admin:tenders_application_delete", args=[bid.pk])).status_code == 403
    bid.refresh_from_db()
    assert bid.status == "submitted"


def test_evaluating_needs_an_opened_box(p, bid):
    with time_machine.travel(AFTER, tick=False), pytest.raises(TransitionError):
        services.application_decide(application=bid, by=p.evaluator, decision="shortlist")
