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


def opportunity_draft(buyer=None, *, by=None, kind: str = "co_creation", **data):
    """A complete draft (publishable) built through the services; needs reference data."""
    import datetime as dt

    from marketplace.core import clock
    from tenders.services.opportunities import opportunity_create

    buyer = buyer or BuyerFactory()
    values = {
        "title": "Drukte voorspellen rond de Johan Cruijff ArenA",
        "summary": "Wij zoeken een start-up die drukte voorspelt.",
        "description": "Voorspel de drukte op de Arena Boulevard met sensordata.",
        "competencies": ["behaviour-prediction", "data-aggregation"],
        "regions": ["GM0363"],
        "cpv_codes": ["72300000"],
        "closes_at": clock.now() + dt.timedelta(days=30),
        "details": {
            "challenge": "Drukte voorspellen",
            "desired_outcome": "Een werkend voorspelmodel",
        },
    }
    values.update(data)
    return opportunity_create(buyer=buyer, by=by, kind=kind, data=values)


def opportunity_published(buyer=None, *, by=None, kind: str = "co_creation", **data):
    """A published opportunity (see opportunity_draft)."""
    from tenders.services.opportunities import opportunity_publish

    opportunity = opportunity_draft(buyer, by=by, kind=kind, **data)
    return opportunity_publish(opportunity=opportunity, by=by)
