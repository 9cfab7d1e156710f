"""Every kind through its whole life over the API: create, validate, publish, amend, ask and
answer, close when the time passes, award; and cancel."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse

from tenders.models import Opportunity, OpportunityEvent, Question
from tenders.services.opportunities import opportunity_close_sweep
from tests.factories import BuyerFactory, CompanyFactory, member_of, opportunity_data

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
KINDS = ["tender", "funding", "co_creation", "test_location"]

# What each kind shows that the others do not (on the page and in the API).
KIND_FIELDS = {
    "tender": ({"procedure": "open"}, "Open procedure"),
    "funding": ({"programme": "Innovatieregeling"}, "Innovatieregeling"),
    "co_creation": ({"challenge": "De uitdaging"}, "De uitdaging"),
    "test_location": ({"address": "Kattenburgerstraat 5, Amsterdam"}, "Kattenburgerstraat 5"),
}


def as_json(data: dict) -> dict:
    """Service input as an API client would send it."""
    return json.loads(json.dumps(data, default=str))


@pytest.fixture
def buyer():
    return BuyerFactory(name="Gemeente Amsterdam", slug="gemeente-amsterdam")


@pytest.fixture
def alice(buyer):
    return member_of(buyer, "admin")


@pytest.fixture
def supplier():
    return member_of(CompanyFactory(name="Stadsdata Lab B.V."), "admin", email="fatima@lab.example")


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_from_draft_to_award(reference_data, api, client, buyer, alice, supplier, kind):
    complete = as_json(opportunity_data(kind, now=NOW))
    api.force_authenticate(alice)
    with time_machine.travel(NOW, tick=False) as traveller:
        # Create: a bad value is named per field and nothing is stored.
        bad = {**complete, "kind": kind, "regions": ["XX999"], "budget_min": "90000"}
        response = api.post(reverse("api-opportunities"), bad, format="json")
        assert response.status_code == 400
        assert {"regions", "budget_min"} <= set(response.json()["errors"])
        assert not Opportunity.objects.exists()

        # An incomplete draft saves, but publishing names what is missing.
        response = api.post(
            reverse("api-opportunities"), {"kind": kind, "title": complete["title"]}, format="json"
        )
        assert response.status_code == 201, response.json()
        pk = response.json()["id"]
        response = api.post(reverse("api-opportunity-publish", args=[pk]))
        assert response.status_code == 400
        missing = response.json()["errors"]
        assert {"summary", "description", "regions"} <= set(missing)
        assert any(key.startswith("details.") or key == "availability" for key in missing)

        # Complete it and publish.
        patch = {k: v for k, v in complete.items() if k != "title"}
        response = api.patch(reverse("api-opportunity-detail", args=[pk]), patch, format="json")
        assert response.status_code == 200, response.json()
        assert api.get(reverse("api-opportunity-missing", args=[pk])).json() == {}
        response = api.post(reverse("api-opportunity-publish", args=[pk]))
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["status"] == "published"
        expected_details, page_text = KIND_FIELDS[kind]
        assert expected_details.items() <= body["details"].items()
        assert page_text in client.get(reverse("opportunity-detail", args=[pk])).content.decode()

        # Amend: a reason is required; the change is versioned and shown on the page.
        url = reverse("api-opportunity-detail", args=[pk])
        response = api.patch(url, {"summary": "Nieuwe samenvatting."}, format="json")
        assert response.status_code == 400
        assert "reason" in response.json()["errors"]
        response = api.patch(
            url, {"summary": "Nieuwe samenvatting.", "reason": "Verduidelijkt"}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["version"] == 2
        assert response.json()["amendments"] == [
            {
                "version": 2,
                "changed_at": "2026-03-02T10:00:00+01:00",
                "reason": "Verduidelijkt",
                "changed_fields": ["summary"],
            }
        ]
        page = client.get(reverse("opportunity-detail", args=[pk])).content.decode()
        assert "Verduidelijkt" in page and "summary" in page

        # Ask and answer: the supplier asks, the buyer sees it unanswered and answers publicly.
        api.force_authenticate(supplier)
        questions_url = reverse("api-opportunity-questions", args=[pk])
        response = api.post(questions_url, {"text": "Mag ik met twee bedrijven samen?"})
        assert response.status_code == 201, response.json()
        question_id = response.json()["id"]
        api.force_authenticate(alice)
        unanswered = api.get(questions_url, {"answered": "false"}).json()["results"]
        assert [q["id"] for q in unanswered] == [question_id]
        response = api.post(
            reverse("api-opportunity-question-answer", args=[pk, question_id]),
            {"answer": "Ja, als consortium."},
        )
        assert response.status_code == 200
        api.force_authenticate(None)
        public = api.get(questions_url).json()["results"]
        assert public[0]["answer"] == "Ja, als consortium."
        assert "fatima" not in json.dumps(public) and "Stadsdata" not in json.dumps(public)

        # The deadline passes: closed, questions refused, the sweep records it once.
        opportunity = Opportunity.objects.get(pk=pk)
        traveller.move_to(opportunity.closes_at + dt.timedelta(minutes=1))
        assert api.get(url).json()["status"] == "closed"
        api.force_authenticate(supplier)
        assert api.post(questions_url, {"text": "Nog een vraag"}).status_code == 409
        assert opportunity_close_sweep() == 1
        assert opportunity_close_sweep() == 0

        # Award to a company on Kansen.
        api.force_authenticate(alice)
        company = supplier.memberships.get().organisation
        response = api.post(
            reverse("api-opportunity-award", args=[pk]),
            {"winners": [{"company": company.pk, "value": "42000.00"}]},
            format="json",
        )
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "awarded"
        assert response.json()["awards"][0]["company"] == "Stadsdata Lab B.V."
    events = list(OpportunityEvent.objects.filter(opportunity_id=pk).values_list("type", flat=True))
    assert events == ["published", "amended", "answer_published", "closed", "awarded"]
    assert Question.objects.get(pk=question_id).asked_by == supplier


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_can_be_cancelled_with_a_reason(reference_data, api, buyer, alice, kind):
    api.force_authenticate(alice)
    with time_machine.travel(NOW, tick=False):
        data = {"kind": kind, **as_json(opportunity_data(kind, now=NOW))}
        pk = api.post(reverse("api-opportunities"), data, format="json").json()["id"]
        assert api.post(reverse("api-opportunity-publish", args=[pk])).status_code == 200
        cancel = reverse("api-opportunity-cancel", args=[pk])
        response = api.post(cancel, {"reason": " "}, format="json")
        assert response.status_code == 400
        response = api.post(cancel, {"reason": "Budget ingetrokken"}, format="json")
        assert response.status_code == 200
        assert response.json()["status"] == "cancelled"
        assert response.json()["cancel_reason"] == "Budget ingetrokken"
        # Still public, with the reason; nothing can change any more.
        api.force_authenticate(None)
        assert api.get(reverse("api-opportunity-detail", args=[pk])).status_code == 200
        api.force_authenticate(alice)
        response = api.patch(
            reverse("api-opportunity-detail", args=[pk]),
            {"summary": "x", "reason": "y"},
            format="json",
        )
        assert response.status_code == 409
