"""Building matching state through the real services."""

from __future__ import annotations

import datetime as dt

from marketplace.core.models import Organisation
from suppliers import services as supplier_services
from tenders.models import Opportunity
from tenders.services import opportunities as tender_services
from tests.factories import CompanyFactory, member_of

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)

REQUIRED = {
    "tender": {
        "details": {"procedure": "open", "estimated_value": 100000},
        "award_criteria": [{"name": "Kwaliteit", "weight": 100}],
    },
    "funding": {"details": {"programme": "Innovatieprogramma", "amount_max": 50000}},
    "co_creation": {"details": {"challenge": "De uitdaging", "desired_outcome": "Een pilot"}},
    "test_location": {
        "details": {"address": "Arena Boulevard 1, Amsterdam"},
        "availability": [{"starts_on": "2026-04-01", "ends_on": "2026-12-31"}],
    },
}


def opportunity(
    buyer,
    by,
    *,
    kind: str = "co_creation",
    title: str = "Drukte voorspellen",
    publish: bool = True,
    now: dt.datetime = NOW,
    **data,
) -> Opportunity:
    """A complete opportunity of `kind`, published at `now` unless `publish` is False."""
    fields = {
        "title": title,
        "summary": data.pop("summary", "Wij zoeken een bedrijf."),
        "description": data.pop("description", "Een beschrijving van wat wij zoeken."),
        "regions": data.pop("regions", ["GM0363"]),
        "closes_at": now + dt.timedelta(days=30),
        **REQUIRED[kind],
        **data,
    }
    if kind == "tender":
        fields.setdefault("cpv_codes", ["72000000"])
    if "competencies" not in fields and "cpv_codes" not in fields:
        fields["competencies"] = ["data-aggregation"]
    details = dict(REQUIRED[kind].get("details", {}))
    details.update(data.get("details", {}))
    fields["details"] = details
    opp = tender_services.opportunity_create(buyer=buyer, by=by, kind=kind, data=fields)
    if publish:
        tender_services.opportunity_publish(opportunity=opp, by=by, now=now)
    return opp


def company(
    *,
    name: str = "Stadsdata Lab B.V.",
    size_class: str = "startup",
    city: str = "Amsterdam",
    competencies=(),
    cpv_codes=(),
    regions=(),
    description: str = "",
    is_public: bool = True,
    members=(),
    **profile,
) -> Organisation:
    """A company with a profile filled in through company_profile_update."""
    org = CompanyFactory(name=name, size_class=size_class, city=city)
    for user in members:
        from marketplace.core.models import Membership

        Membership.objects.create(user=user, organisation=org, role="admin")
    supplier_services.company_profile_update(
        company=org,
        by=None,
        data={
            "competencies": [
                {"slug": c, "level": 3} if isinstance(c, str) else c for c in competencies
            ],
            "cpv_codes": list(cpv_codes),
            "regions": list(regions),
            "description": description,
            "is_public": is_public,
            **profile,
        },
    )
    return org


def member(organisation, role: str = "member", **fields):
    return member_of(organisation, role, **fields)
