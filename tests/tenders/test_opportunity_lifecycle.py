"""The opportunity lifecycle through services and the API (core paths)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from marketplace.core.errors import ApplicationError, TransitionError
from tenders.models import Opportunity, OpportunityEvent
from tenders.services import opportunities as services
from tests.factories import BuyerFactory, CompanyFactory, member_of

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def buyer():
    return BuyerFactory(name="Gemeente Amsterdam")


@pytest.fixture
def alice(buyer):
    return member_of(buyer, "admin")


def complete_co_creation(buyer, by) -> Opportunity:
    return services.opportunity_create(
        buyer=buyer,
        by=by,
        kind="co_creation",
        data={
            "title": "Drukte voorspellen rond de Johan Cruijff ArenA",
            "summary": "Wij zoeken een start-up die drukte voorspelt.",
            "description": "Voorspel de drukte op de Arena Boulevard met sensordata.",
            "competencies": ["behaviour-prediction", "data-aggregation"],
            "regions": ["GM0363"],
            "closes_at": NOW + dt.timedelta(days=30),
            "details": {"challenge": "Drukte", "desired_outcome": "Een werkend model"},
        },
    )


def test_publishing_an_incomplete_draft_names_every_missing_field(reference_data, buyer, alice):
    draft = services.opportunity_create(
        buyer=buyer, by=alice, kind="tender", data={"title": "Sensoren"}
    )
    with pytest.raises(ApplicationError) as exc, time_machine.travel(NOW, tick=False):
        services.opportunity_publish(opportunity=draft, by=alice)
    assert {
        "summary",
        "description",
        "regions",
        "closes_at",
        "details.procedure",
        "award_criteria",
    } <= set(exc.value.errors)
    assert draft.status == Opportunity.Status.DRAFT


def test_status_follows_the_clock(reference_data, buyer, alice):
    with time_machine.travel(NOW, tick=False):
        opportunity = complete_co_creation(buyer, alice)
        services.opportunity_publish(opportunity=opportunity, by=alice)
        assert opportunity.status == "published"
        assert Opportunity.objects.open().filter(pk=opportunity.pk).exists()
    with time_machine.travel(NOW + dt.timedelta(days=31), tick=False):
        opportunity.refresh_from_db()
        assert opportunity.status == "closed"
        assert Opportunity.objects.with_status("closed").filter(pk=opportunity.pk).exists()
        assert services.opportunity_close_sweep() == 1
        assert services.opportunity_close_sweep() == 0
        with pytest.raises(TransitionError):
            services.opportunity_withdraw(opportunity=opportunity, by=alice)
        services.opportunity_award(
            opportunity=opportunity, by=alice, winners=[{"company": CompanyFactory()}]
        )
        opportunity.refresh_from_db()
        assert opportunity.status == "awarded"
        with pytest.raises(TransitionError):
            services.opportunity_cancel(opportunity=opportunity, by=alice, reason="te laat")


def test_change_after_publishing_is_an_amendment_with_reason(reference_data, buyer, alice):
    with time_machine.travel(NOW, tick=False):
        opportunity = complete_co_creation(buyer, alice)
        services.opportunity_publish(opportunity=opportunity, by=alice)
        with pytest.raises(ApplicationError) as exc:
            services.opportunity_update(
                opportunity=opportunity, by=alice, data={"summary": "Nieuw"}
            )
        assert "reason" in exc.value.errors
        services.opportunity_update(
            opportunity=opportunity,
            by=alice,
            data={"summary": "Nieuw"},
            reason="Samenvatting verduidelijkt",
        )
    opportunity.refresh_from_db()
    assert opportunity.version == 2
    amendment = opportunity.amendments.get()
    assert amendment.reason == "Samenvatting verduidelijkt"
    assert amendment.changes["summary"][1] == "Nieuw"
    assert opportunity.events.filter(type=OpportunityEvent.Type.AMENDED).count() == 1


def test_api_create_publish_and_list_with_filters(reference_data, api, buyer, alice):
    api.force_authenticate(alice)
    with time_machine.travel(NOW, tick=False):
        response = api.post(
            reverse("api-opportunities"),
            {
                "kind": "co_creation",
                "title": "Afval scheiden in de buurt",
                "summary": "Help bewoners afval te scheiden.",
                "description": "Een co-creatie met bewoners.",
                "competencies": ["behaviour-influencing"],
                "regions": ["GM0363"],
                "cpv_codes": ["90511000-2"],
                "closes_at": (NOW + dt.timedelta(days=20)).isoformat(),
                "details": {"challenge": "Afval", "desired_outcome": "Minder restafval"},
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        pk = response.json()["id"]
        assert response.json()["status"] == "draft"
        api.force_authenticate(None)
        assert api.get(reverse("api-opportunity-detail", args=[pk])).status_code == 404
        api.force_authenticate(alice)
        assert api.post(reverse("api-opportunity-publish", args=[pk])).status_code == 200
        assert api.post(reverse("api-opportunity-publish", args=[pk])).status_code == 409
        api.force_authenticate(None)
        for params, expected in [
            ({"kind": "co_creation"}, 1),
            ({"kind": "tender"}, 0),
            ({"region": "NL32"}, 1),
            ({"cpv": "90000000"}, 1),
            ({"competency": "people-and-behaviour"}, 1),
            ({"status": "published"}, 1),
            ({"status": "closed"}, 0),
        ]:
            body = api.get(reverse("api-opportunities"), params).json()
            assert body["count"] == expected, params
        row = api.get(reverse("api-opportunities")).json()["results"][0]
        assert row["competencies"] == ["behaviour-influencing"]
        assert row["cpv_codes"] == ["90511000"]
        assert row["buyer"]["name"] == "Gemeente Amsterdam"
        assert row["url"].endswith(f"/opportunities/{pk}/")


def test_unknown_codes_are_named(reference_data, api, buyer, alice):
    api.force_authenticate(alice)
    response = api.post(
        reverse("api-opportunities"),
        {"kind": "tender", "title": "X", "cpv_codes": ["99999999"], "competencies": ["magic"]},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"cpv_codes", "competencies"}
    assert not Opportunity.objects.exists()


def test_supplier_cannot_create_an_opportunity(reference_data, api):
    api.force_authenticate(member_of(CompanyFactory()))
    response = api.post(
        reverse("api-opportunities"), {"kind": "tender", "title": "X"}, format="json"
    )
    assert response.status_code == 403


def test_the_close_sweep_runs_on_a_schedule_and_closes_once(reference_data, buyer, alice):
    from django.conf import settings

    from tenders.tasks import opportunity_close_sweep_task

    entry = settings.CELERY_BEAT_SCHEDULE["opportunities-close-sweep"]
    assert entry["task"] == opportunity_close_sweep_task.name
    with time_machine.travel(NOW, tick=False):
        opportunity = complete_co_creation(buyer, alice)
        services.opportunity_publish(opportunity=opportunity, by=alice)
    with time_machine.travel(NOW + dt.timedelta(days=31), tick=False):
        assert opportunity_close_sweep_task.apply().get() == 1
        assert opportunity_close_sweep_task.apply().get() == 0
    assert opportunity.events.filter(type=OpportunityEvent.Type.CLOSED).count() == 1
