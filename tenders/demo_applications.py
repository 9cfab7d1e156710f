"""Demo content for applications (a step of `seed_demo`): the demo founder has started a draft
for an open co-creation call or funding call of a demo buyer, so the dashboard and the form show
something. Idempotent; does nothing when there is no open opportunity yet."""

from __future__ import annotations

from django.db import transaction

from marketplace.core import clock
from marketplace.core.demo import DEMO_ACCOUNTS, DEMO_COMPANY
from marketplace.core.models import Organisation, User
from tenders.models import Application, Opportunity
from tenders.services.applications import application_create


@transaction.atomic
def seed_applications(stdout=None) -> list[str]:
    founder = User.objects.filter(email=DEMO_ACCOUNTS[1].email).first()
    company = Organisation.objects.filter(
        kind=Organisation.Kind.COMPANY, name=DEMO_COMPANY["name"]
    ).first()
    if founder is None or company is None:
        return ["no demo application: the demo accounts are missing"]
    if Application.objects.filter(company=company).exists():
        return ["the demo company already has an application"]
    opportunity = (
        Opportunity.objects.open(clock.now())
        .filter(
            source=Opportunity.Source.KANSEN,
            kind__in=[Opportunity.Kind.CO_CREATION, Opportunity.Kind.FUNDING],
        )
        .order_by("closes_at")
        .first()
    )
    if opportunity is None:
        return ["no demo application: no open co-creation or funding call yet"]
    content = (
        {"approach": "Design sprints with residents, then a working prototype in eight weeks."}
        if opportunity.kind == Opportunity.Kind.CO_CREATION
        else {"project_plan": "A neighbourhood data platform, built with residents."}
    )
    application_create(opportunity=opportunity, company=company, by=founder, data=content)
    return [f"1 draft application (demo) for '{opportunity.title}'"]
