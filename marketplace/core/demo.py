"""Demo accounts and organisations (DESIGN.md). Idempotent; refused when DEBUG is off."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction

from marketplace.core.models import Membership, Organisation, User


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: str
    organisation: str


DEMO_ACCOUNTS = [
    DemoAccount("buyer@amsterdam.example", "Bas de Inkoper", "buyer", "Gemeente Amsterdam"),
    DemoAccount("founder@datastartup.example", "Fatima Founder", "supplier", "Stadsdata Lab B.V."),
]

# Public facts about real buyers; OIN from the Dutch government's OIN register.
DEMO_BUYERS = [
    {
        "name": "Gemeente Amsterdam",
        "buyer_type": "municipality",
        "oin": "00000001002564440000",
        "city": "Amsterdam",
        "website": "https://www.amsterdam.nl",
    },
    {
        "name": "Provincie Noord-Holland",
        "buyer_type": "province",
        "city": "Haarlem",
        "website": "https://www.noord-holland.nl",
    },
    {
        "name": "AMS Institute",
        "buyer_type": "knowledge_institute",
        "city": "Amsterdam",
        "website": "https://www.ams-institute.org",
    },
    {
        "name": "Johan Cruijff ArenA",
        "buyer_type": "public_company",
        "city": "Amsterdam",
        "website": "https://www.johancruijffarena.nl",
    },
    {
        "name": "Waternet",
        "buyer_type": "water_board",
        "city": "Amsterdam",
        "website": "https://www.waternet.nl",
    },
]

DEMO_COMPANY = {
    "name": "Stadsdata Lab B.V.",
    "kvk_number": "99000001",
    "size_class": "startup",
    "city": "Amsterdam",
    "website": "https://datastartup.example",
}


def _organisation(kind: str, fields: dict) -> Organisation:
    from django.utils.text import slugify

    org = Organisation.objects.filter(kind=kind, name=fields["name"]).first()
    if org is None:
        org = Organisation.objects.create(kind=kind, slug=slugify(fields["name"]), **fields)
    return org


def _user(email: str, name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=settings.KANSEN_DEMO_PASSWORD, name=name
        )
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


@transaction.atomic
def seed_accounts(stdout=None) -> list[str]:
    """The demo buyer at Gemeente Amsterdam and the demo founder of a data start-up."""
    buyers = {b["name"]: _organisation(Organisation.Kind.BUYER, b) for b in DEMO_BUYERS}
    company = _organisation(Organisation.Kind.COMPANY, DEMO_COMPANY)
    buyer = _user(DEMO_ACCOUNTS[0].email, DEMO_ACCOUNTS[0].name)
    founder = _user(DEMO_ACCOUNTS[1].email, DEMO_ACCOUNTS[1].name)
    Membership.objects.get_or_create(
        user=buyer, organisation=buyers["Gemeente Amsterdam"], defaults={"role": "admin"}
    )
    Membership.objects.get_or_create(user=founder, organisation=company, defaults={"role": "admin"})
    return [f"{len(DEMO_BUYERS)} buyer organisations, 1 demo company, 2 demo accounts"]
