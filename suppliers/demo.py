"""Demo content for matching: the founder's company profile and a handful of demo companies
(clearly marked "demo"), so "For you" and "Suggested companies" show something after
`make run`. Idempotent: running it again changes nothing. Refused when DEBUG is off (the
seed_demo command checks)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from marketplace.core import clock
from marketplace.core.demo import DEMO_COMPANY, _organisation
from marketplace.core.models import Organisation
from suppliers.services import company_profile_update
from tenders.models import Opportunity

DEMO_NOTE = "Demo company, made up for trying out this site."

FOUNDER_PROFILE = {
    "description": (
        "Stadsdata Lab combines open data, sensor counts and ticket data into one reliable "
        "picture of how busy the city is, and predicts crowds hours to days ahead. "
        "Wij voorspellen drukte in de stad: voor evenementen, pleinen en het openbaar vervoer, "
        "privacyvriendelijk en zonder camerabeelden."
    ),
    "main_offering": "Crowd forecast service for public spaces",
    "trl": 7,
    "founding_year": 2021,
    "team_size": 6,
    "languages": ["nl", "en"],
    "regions": ["NL32B", "GM0363"],
    "cpv_codes": ["72000000", "73100000", "72316000"],
    "is_public": True,
    "references": [
        {
            "title": "Drukteverwachting Museumplein (demo)",
            "client": "Gemeente Amsterdam",
            "year": 2024,
            "description": "Drukte voorspellen met tellers en open data voor evenementen.",
        },
        {
            "title": "Passenger flow forecast for a ferry line (demo)",
            "client": "A public transport company",
            "year": 2025,
            "description": "Combined ticket and sensor data to predict busy crossings.",
        },
    ],
    "competencies": [
        {
            "slug": "data-aggregation",
            "level": 3,
            "evidence_reference": "Drukteverwachting Museumplein (demo)",
        },
        {"slug": "behaviour-prediction", "level": 3},
        {"slug": "data-visualisation", "level": 2},
        {"slug": "privacy-by-design", "level": 1},
    ],
}

# name, size, place, KvK, competencies (slug, level), CPV codes, regions, description
DEMO_COMPANIES = [
    (
        "Nudge Lab Amsterdam (demo)",
        "startup",
        "Amsterdam",
        "99000002",
        [("behaviour-influencing", 3), ("citizen-participation", 2), ("ux-service-design", 2)],
        ["79340000"],
        ["NL32B"],
        "Wij helpen mensen anders te kiezen met nudging en slimme communicatie: afval "
        "scheiden, energie besparen, anders reizen.",
    ),
    (
        "SensorWerk Zaanstreek (demo)",
        "micro",
        "Zaanstad",
        "99000003",
        [("sensor-networks", 3), ("connectivity", 2), ("data-aggregation", 2)],
        ["32000000", "38000000"],
        ["NL32"],
        "Sensor networks for air quality, noise and people counting, with LoRaWAN and 5G.",
    ),
    (
        "Crowdflow Analytics (demo)",
        "startup",
        "Amsterdam",
        "99000004",
        [("behaviour-prediction", 3), ("computer-vision", 2), ("public-safety", 2)],
        ["72000000"],
        ["NL32B", "NL36"],
        "Crowd management for events: we count and predict visitor flows, privacy-friendly.",
    ),
    (
        "Circulair Bouwen Collectief (demo)",
        "small",
        "Haarlem",
        "99000005",
        [("circular-construction", 3), ("waste-recycling", 2)],
        ["45000000", "90500000"],
        ["NL32"],
        "Circulair en biobased bouwen: hergebruik van materialen en houtbouw.",
    ),
    (
        "Laadpunt Slim (demo)",
        "small",
        "Utrecht",
        "99000006",
        [("electric-charging", 3), ("smart-mobility", 2), ("energy-transition", 2)],
        ["31000000", "71000000"],
        ["NL"],
        "Slimme laadpalen en laadpleinen die het stroomnet ontzien.",
    ),
    (
        "Twin City 3D (demo)",
        "micro",
        "Amsterdam",
        "99000007",
        [("digital-twins", 3), ("data-visualisation", 3), ("data-platforms", 2)],
        ["72000000", "71300000"],
        ["NL32B"],
        "Digital twins and 3D city models with dashboards for planners.",
    ),
    (
        "Privacy First Labs (demo)",
        "startup",
        "Amstelveen",
        "99000008",
        [("privacy-by-design", 3), ("responsible-ai", 3), ("cybersecurity", 2)],
        ["72000000", "79400000"],
        ["NL"],
        "Privacy by design and algorithm audits for public bodies: DPIAs, registers, tests.",
    ),
    (
        "Zorgdata Noord (demo)",
        "small",
        "Alkmaar",
        "99000009",
        [("health-tech", 3), ("wellbeing-social", 2), ("data-aggregation", 2)],
        ["48000000", "85000000"],
        ["NL32"],
        "Zorgdata koppelen en inzichtelijk maken voor gemeenten en zorgaanbieders.",
    ),
    (
        "Groot IT Diensten (demo)",
        "large",
        "Amsterdam",
        "99000010",
        [("software-development", 3), ("cloud-hosting", 3), ("data-platforms", 2)],
        ["72000000"],
        ["NL"],
        "A large IT service provider (demo): shows that calls for SMEs skip large companies.",
    ),
]

# Used only when no opportunity is open yet, so For you has something to rank.
DEMO_OPPORTUNITIES = [
    (
        "Gemeente Amsterdam",
        "co_creation",
        "Drukte voorspellen op pleinen en in parken (demo)",
        "Wij zoeken een start-up die drukte op pleinen voorspelt met tellingen en open data.",
        ["behaviour-prediction", "data-aggregation"],
        [],
        ["NL32B"],
        {"challenge": "Drukte op pleinen", "desired_outcome": "Een werkende voorspelling"},
        True,
    ),
    (
        "Gemeente Amsterdam",
        "co_creation",
        "Minder restafval door slimme prikkels (demo)",
        "Help bewoners afval beter te scheiden met nudging en gedragsverandering.",
        ["behaviour-influencing", "citizen-participation"],
        [],
        ["GM0363"],
        {"challenge": "Afval scheiden", "desired_outcome": "Een pilot in twee buurten"},
        True,
    ),
    (
        "Provincie Noord-Holland",
        "funding",
        "Innovatiesubsidie slimme mobiliteit voor start-ups (demo)",
        "Subsidie voor start-ups die reizigersstromen voorspellen of beinvloeden.",
        ["smart-mobility", "behaviour-prediction"],
        [],
        ["NL32"],
        {
            "programme": "Demo-innovatieprogramma",
            "amount_max": 50000,
            "eligible_sizes": ["startup", "micro"],
        },
        True,
    ),
    (
        "Johan Cruijff ArenA",
        "test_location",
        "Testen tijdens evenementen in de ArenA (demo)",
        "Test sensoren en drukte-oplossingen tijdens echte evenementen.",
        ["sensor-networks", "public-safety", "behaviour-prediction"],
        [],
        ["GM0363"],
        {"address": "Johan Cruijffboulevard 1, Amsterdam", "trl_min": 5, "trl_max": 9},
        False,
    ),
    (
        "Gemeente Amsterdam",
        "tender",
        "Dataplatform voor verkeers- en druktedata (demo)",
        "Een dataplatform dat verkeerstellingen en druktedata samenvoegt en ontsluit.",
        ["data-aggregation", "data-platforms"],
        ["72300000", "72316000"],
        ["GM0363"],
        {"procedure": "open", "estimated_value": 180000},
        True,
    ),
]


def _profile(org: Organisation, data: dict) -> None:
    company_profile_update(company=org, by=None, data=data)


def _demo_opportunities(now: dt.datetime) -> list[Opportunity]:
    from tenders.services.opportunities import opportunity_create, opportunity_publish

    created = []
    buyers = {o.name: o for o in Organisation.objects.filter(kind=Organisation.Kind.BUYER)}
    for buyer_name, kind, title, summary, comps, cpv, regions, details, sme in DEMO_OPPORTUNITIES:
        buyer = buyers.get(buyer_name)
        if buyer is None or Opportunity.objects.filter(title=title).exists():
            continue
        data = {
            "title": title,
            "summary": summary,
            "description": summary + " Dit is demo-inhoud.",
            "competencies": comps,
            "cpv_codes": cpv,
            "regions": regions,
            "closes_at": now + dt.timedelta(days=45),
            "is_sme_suitable": sme,
            "is_first_timer_friendly": kind != "tender",
            "details": details,
        }
        if kind == "tender":
            data["award_criteria"] = [
                {"name": "Kwaliteit", "weight": 70},
                {"name": "Prijs", "type": "price", "weight": 30},
            ]
        if kind == "test_location":
            start = now.date() + dt.timedelta(days=14)
            data["availability"] = [{"starts_on": start, "ends_on": start + dt.timedelta(days=180)}]
        opportunity = opportunity_create(buyer=buyer, by=None, kind=kind, data=data)
        opportunity_publish(opportunity=opportunity, by=None, now=now)
        created.append(opportunity)
    return created


@transaction.atomic
def seed_matching(stdout=None) -> list[str]:
    """Fill the demo founder's company profile and create the demo companies with profiles."""
    now = clock.now()
    founder_company = Organisation.objects.get(
        kind=Organisation.Kind.COMPANY, name=DEMO_COMPANY["name"]
    )
    _profile(founder_company, FOUNDER_PROFILE)
    for name, size, city, kvk, comps, cpv, regions, description in DEMO_COMPANIES:
        org = Organisation.objects.filter(kind=Organisation.Kind.COMPANY, name=name).first()
        if org is None:
            org = _organisation(
                Organisation.Kind.COMPANY,
                {
                    "name": name,
                    "kvk_number": kvk,
                    "size_class": size,
                    "city": city,
                    "website": "https://demo.example",
                },
            )
        _profile(
            org,
            {
                "description": f"{description}\n\n{DEMO_NOTE}",
                "competencies": [{"slug": s, "level": level} for s, level in comps],
                "cpv_codes": cpv,
                "regions": regions,
                "languages": ["nl", "en"],
                "is_public": True,
            },
        )
    opportunities = []
    if not Opportunity.objects.open(now).exists():
        opportunities = _demo_opportunities(now)
    lines = [
        f"Company profile of {founder_company.name}; {len(DEMO_COMPANIES)} demo companies with "
        f"profiles" + (f"; {len(opportunities)} demo opportunities" if opportunities else "")
    ]
    first = (
        Opportunity.objects.open(now)
        .filter(buyer__name="Gemeente Amsterdam")
        .order_by("pk")
        .first()
    )
    lines.append(f"For you (founder): {settings.SITE_URL}/for-you/")
    if first is not None:
        lines.append(
            f"Suggested companies (buyer): {settings.SITE_URL}/opportunities/{first.pk}/"
            "suggested-companies/"
        )
    return lines
