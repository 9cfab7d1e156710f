"""Shared set-up for the application tests: one buyer with an admin and a member, one company
with two members, strangers on both sides, and opportunities of each kind with a complete
application. Built through the services where the test is about behaviour."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.core.models import Organisation, User
from tenders.models import Application, ApplicationQuestion, AwardCriterion, Opportunity
from tenders.services import applications as services
from tests.factories import (
    AvailabilityWindowFactory,
    AwardCriterionFactory,
    BuyerFactory,
    CompanyFactory,
    FundingDetailsFactory,
    LocationDetailsFactory,
    LotFactory,
    OpportunityFactory,
    RequiredDocumentFactory,
    member_of,
)

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
DEADLINE = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.UTC)  # 12:00 in Amsterdam (CEST)
AFTER = DEADLINE + dt.timedelta(days=1)
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SECRET = "Secret sauce: lamp-post sensors"  # four words, under the limit of five


def pdf(name: str = "uea.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@dataclass
class People:
    buyer: Organisation
    buyer_admin: User  # an admin of the buyer organisation
    evaluator: User  # a member of the buyer organisation
    other_buyer: Organisation
    other_buyer_member: User
    company: Organisation
    alice: User  # admin of the applying company
    bob: User  # member of the applying company
    other_company: Organisation
    charlie: User  # member of another company


def people() -> People:
    buyer = BuyerFactory(name="Gemeente Amsterdam")
    other_buyer = BuyerFactory(name="Gemeente Haarlem")
    company = CompanyFactory(name="Stadsdata Lab B.V.", kvk_number="12345678")
    other_company = CompanyFactory(name="Concurrent B.V.")
    return People(
        buyer=buyer,
        buyer_admin=member_of(buyer, "admin", email="bas@amsterdam.example"),
        evaluator=member_of(buyer, "member", email="eva@amsterdam.example"),
        other_buyer=other_buyer,
        other_buyer_member=member_of(other_buyer, "admin", email="otto@haarlem.example"),
        company=company,
        alice=member_of(company, "admin", email="alice@stadsdata.example"),
        bob=member_of(company, "member", email="bob@stadsdata.example"),
        other_company=other_company,
        charlie=member_of(other_company, "admin", email="charlie@concurrent.example"),
    )


def tender(buyer: Organisation, **fields) -> Opportunity:
    """A sealed tender with a quality criterion (word limit 5), a price criterion, two lots,
    a required UEA and a yes-or-no question."""
    opportunity = OpportunityFactory(
        buyer=buyer, kind="tender", closes_at=fields.pop("closes_at", DEADLINE), **fields
    )
    AwardCriterionFactory(opportunity=opportunity, name="Plan van aanpak", weight=60, word_limit=5)
    AwardCriterionFactory(
        opportunity=opportunity,
        name="Prijs",
        weight=40,
        type=AwardCriterion.Type.PRICE,
        word_limit=None,
    )
    LotFactory(opportunity=opportunity, number="1", title="Noord")
    LotFactory(opportunity=opportunity, number="2", title="Zuid")
    RequiredDocumentFactory(opportunity=opportunity, name="UEA")
    ApplicationQuestion.objects.create(
        opportunity=opportunity, text="Are you insured?", type="yes_no", position=0
    )
    return opportunity


def tender_answers(opportunity: Opportunity, text: str = SECRET) -> dict:
    quality = opportunity.award_criteria.get(type="quality")
    lot = opportunity.lots.get(number="1")
    question = opportunity.application_questions.get()
    return {
        "criteria": {str(quality.pk): text},
        "lot_prices": {str(lot.pk): "125000"},
        "answers": {str(question.pk): True},
    }


def funding(buyer: Organisation, **fields) -> Opportunity:
    opportunity = OpportunityFactory(
        buyer=buyer, kind="funding", closes_at=fields.pop("closes_at", DEADLINE), **fields
    )
    FundingDetailsFactory(
        opportunity=opportunity, amount_min=10000, amount_max=50000, cofinancing_rate=25
    )
    return opportunity


def funding_answers() -> dict:
    return {
        "project_plan": "We build a data platform for the neighbourhood.",
        "requested_amount": "30000",
        "budget": [{"item": "Personnel", "amount": "35000"}, {"item": "Sensors", "amount": "5000"}],
    }


def co_creation(buyer: Organisation, **fields) -> Opportunity:
    return OpportunityFactory(
        buyer=buyer, kind="co_creation", closes_at=fields.pop("closes_at", DEADLINE), **fields
    )


def co_creation_answers() -> dict:
    return {
        "approach": "Design sprints with residents.",
        "team": "Two data scientists and a designer.",
        "pilot_plan": "Three months in Nieuw-West.",
    }


def location(buyer: Organisation, capacity: int | None = None, **fields) -> Opportunity:
    opportunity = OpportunityFactory(
        buyer=buyer, kind="test_location", closes_at=fields.pop("closes_at", None), **fields
    )
    LocationDetailsFactory(opportunity=opportunity, capacity=capacity)
    AvailabilityWindowFactory(
        opportunity=opportunity, starts_on=dt.date(2026, 5, 1), ends_on=dt.date(2026, 5, 31)
    )
    return opportunity


def location_answers(starts_on="2026-05-04", ends_on="2026-05-08") -> dict:
    return {
        "starts_on": starts_on,
        "ends_on": ends_on,
        "test_plan": "Counting cyclists with a radar.",
        "safety_privacy": "No cameras; no personal data leaves the sensor.",
    }


def submitted_tender(p: People, *, company=None, by=None, opportunity=None) -> Application:
    """A complete tender bid, submitted at NOW (call inside time_machine.travel(NOW))."""
    opportunity = opportunity or tender(p.buyer)
    company = company or p.company
    by = by or p.alice
    application = services.application_create(
        opportunity=opportunity, company=company, by=by, data=tender_answers(opportunity)
    )
    document = opportunity.required_documents.get()
    services.application_file_add(
        application=application, by=by, slot=f"document:{document.pk}", upload=pdf()
    )
    services.application_submit(application=application, by=by)
    application.refresh_from_db()
    return application
