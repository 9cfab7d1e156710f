"""factory_boy factories. Build state through services where a test is about behaviour."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from django.conf import settings

from marketplace.core.models import Membership, Organisation, User

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name", locale="nl_NL")
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.COMPANY
    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")


class BuyerFactory(OrganisationFactory):
    kind = Organisation.Kind.BUYER
    name = factory.Sequence(lambda n: f"Gemeente Voorbeeld {n}")
    slug = factory.Sequence(lambda n: f"gemeente-voorbeeld-{n}")
    buyer_type = Organisation.BuyerType.MUNICIPALITY
    city = "Amsterdam"


class CompanyFactory(OrganisationFactory):
    kind = Organisation.Kind.COMPANY
    name = factory.Sequence(lambda n: f"Start-up {n} B.V.")
    slug = factory.Sequence(lambda n: f"start-up-{n}")
    kvk_number = factory.Sequence(lambda n: f"{70000000 + n:08d}")
    size_class = Organisation.SizeClass.STARTUP
    city = "Amsterdam"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(CompanyFactory)
    role = Membership.Role.MEMBER


def member_of(organisation: Organisation, role: str = "member", **user_fields) -> User:
    """A new user who is a member of `organisation` with `role`."""
    user = UserFactory(**user_fields)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


assert settings.PASSWORD_HASHERS[0].endswith("MD5PasswordHasher"), "tests use the fast hasher"


# --- Opportunities and applications (issue 7) -----------------------------------------------

import datetime as _dt  # noqa: E402

from tenders.models import (  # noqa: E402
    AvailabilityWindow,
    AwardCriterion,
    FundingDetails,
    Lot,
    Opportunity,
    RequiredDocument,
    TestLocationDetails,
)


class OpportunityFactory(factory.django.DjangoModelFactory):
    """A published opportunity (set `published_at=None` for a draft). Pass `closes_at`."""

    class Meta:
        model = Opportunity

    kind = Opportunity.Kind.TENDER
    buyer = factory.SubFactory(BuyerFactory)
    title = factory.Sequence(lambda n: f"Slimme sensoren {n}")
    summary = "Wij zoeken sensoren voor de openbare ruimte."
    description = "Een beschrijving."
    closes_at = _dt.datetime(2026, 6, 1, 10, 0, tzinfo=_dt.UTC)
    published_at = _dt.datetime(2026, 1, 1, 9, 0, tzinfo=_dt.UTC)
    is_sealed = factory.LazyAttribute(lambda o: o.kind == Opportunity.Kind.TENDER)


class AwardCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardCriterion

    opportunity = factory.SubFactory(OpportunityFactory)
    type = AwardCriterion.Type.QUALITY
    name = factory.Sequence(lambda n: f"Kwaliteit {n}")
    weight = 50
    word_limit = 100


class LotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lot

    opportunity = factory.SubFactory(OpportunityFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    title = factory.Sequence(lambda n: f"Perceel {n + 1}")


class RequiredDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequiredDocument

    opportunity = factory.SubFactory(OpportunityFactory)
    type = RequiredDocument.Type.UEA
    name = "UEA"


class FundingDetailsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingDetails

    opportunity = factory.SubFactory(OpportunityFactory, kind=Opportunity.Kind.FUNDING)
    programme = "Innovatiebudget"
    amount_min = 10000
    amount_max = 50000


class LocationDetailsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TestLocationDetails

    opportunity = factory.SubFactory(OpportunityFactory, kind=Opportunity.Kind.TEST_LOCATION)
    address = "Marineterrein, Amsterdam"


class AvailabilityWindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AvailabilityWindow

    opportunity = factory.SubFactory(OpportunityFactory, kind=Opportunity.Kind.TEST_LOCATION)
    starts_on = _dt.date(2026, 5, 1)
    ends_on = _dt.date(2026, 5, 31)


# Opportunities -------------------------------------------------------------------------------
# Complete data per kind, so a draft made from it can be published as it is.


def opportunity_data(kind: str, *, now, **overrides) -> dict:
    """Service input for a complete opportunity of `kind` with a deadline 30 days after `now`."""
    import datetime as dt
    from decimal import Decimal

    data = {
        "title": f"Voorbeeld {kind}",
        "summary": "Een korte samenvatting.",
        "description": "Een beschrijving in gewone taal.",
        "competencies": ["data-aggregation"],
        "cpv_codes": ["72316000"],
        "regions": ["GM0363"],
        "budget_max": Decimal("50000"),
        "closes_at": now + dt.timedelta(days=30),
        "question_deadline": now + dt.timedelta(days=20),
        "languages": ["nl", "en"],
        "apply_checklist": ["Een plan van 2 pagina's"],
    }
    if kind == "tender":
        data["details"] = {"procedure": "open", "estimated_value": Decimal("50000")}
        data["award_criteria"] = [
            {"type": "quality", "name": "Plan", "weight": Decimal("60")},
            {"type": "price", "name": "Prijs", "weight": Decimal("40")},
        ]
        data["lots"] = [{"number": "1", "title": "Alles", "cpv_codes": ["72316000"]}]
    elif kind == "funding":
        data["details"] = {"programme": "Innovatieregeling", "amount_max": Decimal("25000")}
    elif kind == "co_creation":
        data["details"] = {"challenge": "De uitdaging", "desired_outcome": "Een werkend model"}
        data["phases"] = [{"name": "Pilot"}]
    elif kind == "test_location":
        data["details"] = {"address": "Kattenburgerstraat 5, Amsterdam", "municipality": "GM0363"}
        data["availability"] = [
            {
                "starts_on": (now + dt.timedelta(days=10)).date(),
                "ends_on": (now + dt.timedelta(days=90)).date(),
            }
        ]
    data.update(overrides)
    return data


def published_opportunity(
    *, buyer: Organisation, by: User | None, kind: str = "co_creation", now=None, **overrides
):
    """A complete opportunity of `kind`, created and published through the services."""
    from marketplace.core import clock
    from tenders.services.opportunities import opportunity_create, opportunity_publish

    now = now or clock.now()
    opportunity = opportunity_create(
        buyer=buyer, by=by, kind=kind, data=opportunity_data(kind, now=now, **overrides)
    )
    return opportunity_publish(opportunity=opportunity, by=by, now=now)


def opportunity_draft(buyer=None, *, by=None, kind: str = "co_creation", **data):
    """A complete, publishable draft about predicting crowds (see opportunity_data)."""
    from marketplace.core import clock
    from tenders.services.opportunities import opportunity_create

    values = {
        "title": "Drukte voorspellen rond de Johan Cruijff ArenA",
        "summary": "Wij zoeken een start-up die drukte voorspelt.",
        "description": "Voorspel de drukte op de Arena Boulevard met sensordata.",
        "competencies": ["behaviour-prediction", "data-aggregation"],
        **data,
    }
    return opportunity_create(
        buyer=buyer or BuyerFactory(),
        by=by,
        kind=kind,
        data=opportunity_data(kind, now=clock.now(), **values),
    )


def opportunity_published(buyer=None, *, by=None, kind: str = "co_creation", **data):
    """A published opportunity (see opportunity_draft)."""
    from tenders.services.opportunities import opportunity_publish

    return opportunity_publish(
        opportunity=opportunity_draft(buyer, by=by, kind=kind, **data), by=by
    )
