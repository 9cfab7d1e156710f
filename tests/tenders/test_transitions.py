"""Every lifecycle action from every status: what is allowed happens, what is not raises a
TransitionError (HTTP 409) and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketplace.core.errors import ApplicationError, TransitionError
from tenders.models import Opportunity
from tenders.services import documents as document_services
from tenders.services import opportunities as services
from tenders.services import questions as question_services
from tests.factories import BuyerFactory, CompanyFactory, member_of, opportunity_data

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(days=40)  # after the deadline
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
STATUSES = ["draft", "published", "closed", "awarded", "cancelled", "withdrawn"]


@pytest.fixture
def world(reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buyer = BuyerFactory()
    return {
        "buyer": buyer,
        "alice": member_of(buyer, "admin"),
        "supplier": member_of(CompanyFactory()),
    }


def make(world, status: str) -> Opportunity:
    """An opportunity in `status` at LATER (made at NOW)."""
    alice = world["alice"]
    still_open = status in ("draft", "published", "withdrawn")
    closes = {"closes_at": LATER + dt.timedelta(days=30)} if still_open else {}
    with time_machine.travel(NOW, tick=False):
        opportunity = services.opportunity_create(
            buyer=world["buyer"],
            by=alice,
            kind="co_creation",
            data=opportunity_data("co_creation", now=NOW, question_deadline=None, **closes),
        )
        if status == "draft":
            return opportunity
        services.opportunity_publish(opportunity=opportunity, by=alice)
        if status == "withdrawn":
            return services.opportunity_withdraw(opportunity=opportunity, by=alice)
    with time_machine.travel(LATER, tick=False):
        if status == "awarded":
            services.opportunity_award(opportunity=opportunity, by=alice, not_awarded=True)
        if status == "cancelled":
            services.opportunity_cancel(opportunity=opportunity, by=alice, reason="Geen budget")
    opportunity.refresh_from_db()
    return opportunity


def act(world, opportunity, action: str):
    alice = world["alice"]
    if action == "publish":
        return services.opportunity_publish(opportunity=opportunity, by=alice)
    if action == "withdraw":
        return services.opportunity_withdraw(opportunity=opportunity, by=alice)
    if action == "close_early":
        return services.opportunity_close_early(opportunity=opportunity, by=alice)
    if action == "award":
        return services.opportunity_award(opportunity=opportunity, by=alice, not_awarded=True)
    if action == "cancel":
        return services.opportunity_cancel(opportunity=opportunity, by=alice, reason="Stop")
    if action == "update":
        return services.opportunity_update(
            opportunity=opportunity, by=alice, data={"summary": "Anders"}, reason="Beter"
        )
    if action == "delete":
        return services.opportunity_delete_draft(opportunity=opportunity, by=alice)
    if action == "add_document":
        upload = SimpleUploadedFile("bijlage.pdf", PDF)
        return document_services.document_add(opportunity=opportunity, by=alice, upload=upload)
    if action == "ask":
        return question_services.question_ask(
            opportunity=opportunity, by=world["supplier"], text="Een vraag?"
        )
    raise AssertionError(action)


ALLOWED = {
    "publish": {"draft", "withdrawn"},
    "withdraw": {"published"},
    "close_early": {"published"},
    "award": {"closed"},
    "cancel": {"published", "closed"},
    "update": {"draft", "withdrawn", "published", "closed"},
    "delete": {"draft"},
    "add_document": {"draft", "withdrawn", "published", "closed"},
    "ask": {"published"},
}
CASES = [(action, status) for action in ALLOWED for status in STATUSES]


@pytest.mark.parametrize(("action", "status"), CASES)
def test_lifecycle_action_from_each_status(world, action, status):
    opportunity = make(world, status)
    before = (opportunity.get_status(LATER), opportunity.version, opportunity.updated_at)
    with time_machine.travel(LATER, tick=False):
        if status in ALLOWED[action]:
            act(world, opportunity, action)
            return
        with pytest.raises(TransitionError) as exc:
            act(world, opportunity, action)
    assert exc.value.message  # says why, in words
    assert str(exc.value.status_code) == "409"
    opportunity.refresh_from_db()
    assert (opportunity.get_status(LATER), opportunity.version, opportunity.updated_at) == before


@pytest.mark.parametrize(
    ("status", "action", "url_name", "data"),
    [
        ("published", "publish", "api-opportunity-publish", {}),
        ("draft", "withdraw", "api-opportunity-withdraw", {}),
        ("closed", "close", "api-opportunity-close", {}),
        ("published", "award", "api-opportunity-award", {"not_awarded": True}),
        ("awarded", "cancel", "api-opportunity-cancel", {"reason": "Stop"}),
        ("cancelled", "publish", "api-opportunity-publish", {}),
    ],
)
def test_illegal_transitions_answer_409_in_the_api(world, api, status, action, url_name, data):
    opportunity = make(world, status)
    api.force_authenticate(world["alice"])
    with time_machine.travel(LATER, tick=False):
        response = api.post(reverse(url_name, args=[opportunity.pk]), data, format="json")
    assert response.status_code == 409, response.json()
    assert response.json()["detail"]
    assert response.json()["errors"] == {}


def test_award_before_the_deadline_says_to_wait(world):
    opportunity = make(world, "published")
    with time_machine.travel(LATER, tick=False), pytest.raises(TransitionError) as exc:
        act(world, opportunity, "award")
    assert "after the deadline" in exc.value.message


def test_a_published_deadline_cannot_move_into_the_past(world):
    opportunity = make(world, "published")
    with time_machine.travel(LATER, tick=False), pytest.raises(ApplicationError) as exc:
        services.opportunity_update(
            opportunity=opportunity,
            by=world["alice"],
            data={"closes_at": LATER - dt.timedelta(hours=1)},
            reason="Eerder",
        )
    assert "closes_at" in exc.value.errors


def test_withdrawn_opportunity_is_a_draft_again_and_can_be_republished(world):
    opportunity = make(world, "withdrawn")
    assert opportunity.get_status(LATER) == "draft"
    assert not Opportunity.objects.public().filter(pk=opportunity.pk).exists()
    with time_machine.travel(LATER, tick=False):
        services.opportunity_update(
            opportunity=opportunity,
            by=world["alice"],
            data={"closes_at": LATER + dt.timedelta(days=10)},
        )
        act(world, opportunity, "publish")
    assert Opportunity.objects.public().filter(pk=opportunity.pk).exists()
