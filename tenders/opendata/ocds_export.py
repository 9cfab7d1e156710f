"""Kansen's own data as OCDS 1.1 releases: one release per public opportunity, describing its
current state (tender, lots, awards, the buyer and the suppliers as parties).

ocids are `<prefix>-<opportunity id>`. The default prefix "ocds-kansen" is a placeholder: a
publisher must register its own prefix with the Open Contracting Partnership before publishing
for real, and set it in OCDS_OCID_PREFIX.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from marketplace.core.models import Organisation
from tenders.models import Award, Lot, Opportunity, TenderDetails

OCDS_VERSION = "1.1"
METHODS = {
    TenderDetails.Procedure.OPEN: "open",
    TenderDetails.Procedure.RESTRICTED: "selective",
    TenderDetails.Procedure.COMPETITIVE_DIALOGUE: "selective",
    TenderDetails.Procedure.INNOVATION_PARTNERSHIP: "selective",
    TenderDetails.Procedure.NEGOTIATED: "limited",
    TenderDetails.Procedure.INVITED_QUOTES: "limited",
}
CATEGORIES = {"supplies": "goods", "works": "works", "services": "services"}


def ocid_prefix() -> str:
    return getattr(settings, "OCDS_OCID_PREFIX", "ocds-kansen")


def ocid_for(opportunity: Opportunity | int) -> str:
    pk = opportunity if isinstance(opportunity, int) else opportunity.pk
    return f"{ocid_prefix()}-{pk}"


def opportunity_id_from_ocid(ocid: str) -> int | None:
    prefix = ocid_prefix() + "-"
    if not ocid.startswith(prefix) or not ocid[len(prefix) :].isdigit():
        return None
    return int(ocid[len(prefix) :])


def releases_queryset(qs: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """What building releases reads, in a fixed number of queries."""
    return qs.select_related("buyer", "main_cpv", "tender", "funding").prefetch_related(
        "cpv_codes",
        Prefetch("lots", queryset=Lot.objects.order_by("number")),
        Prefetch(
            "awards",
            queryset=Award.objects.select_related("company", "lot").order_by("awarded_at", "pk"),
        ),
    )


def _date(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _value(amount: Decimal | None) -> dict[str, Any] | None:
    return {"amount": float(amount), "currency": "EUR"} if amount is not None else None


def _party_id(org: Organisation) -> str:
    identifier = _identifier(org)
    if identifier.get("scheme") and identifier.get("id"):
        return f"{identifier['scheme']}-{identifier['id']}"
    return f"kansen-org-{org.pk}"


def _identifier(org: Organisation) -> dict[str, Any]:
    if org.kvk_number:
        return {"scheme": "NL-KVK", "id": org.kvk_number, "legalName": org.name}
    if org.oin:
        return {"scheme": "NL-OIN", "id": org.oin, "legalName": org.name}
    if org.external_scheme and org.external_id:
        return {"scheme": org.external_scheme, "id": org.external_id, "legalName": org.name}
    return {"legalName": org.name}


def _organisation(org: Organisation, roles: list[str]) -> dict[str, Any]:
    party: dict[str, Any] = {
        "id": _party_id(org),
        "name": org.name,
        "identifier": _identifier(org),
        "roles": roles,
    }
    address = {k: v for k, v in (("locality", org.city), ("countryName", org.country)) if v}
    if address:
        party["address"] = address
    if org.website:
        party["contactPoint"] = {"url": org.website}
    return party


def _tender_status(opportunity: Opportunity, now: dt.datetime) -> str:
    status = opportunity.get_status(now)
    if status == Opportunity.Status.CANCELLED:
        return "cancelled"
    if status == Opportunity.Status.AWARDED:
        awarded = any(a.is_awarded for a in opportunity.awards.all())
        return "complete" if awarded else "unsuccessful"
    return "active"


def opportunity_release(
    opportunity: Opportunity, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The OCDS release of one opportunity as it is now."""
    now = now or dt.datetime.now(dt.UTC)
    ocid = ocid_for(opportunity)
    kansen_url = (
        f"{settings.SITE_URL}{reverse('opportunity-detail', kwargs={'pk': opportunity.pk})}"
    )
    cpv = [c for c in opportunity.cpv_codes.all()]
    main = opportunity.main_cpv or (cpv[0] if cpv else None)
    tender: dict[str, Any] = {
        "id": f"{ocid}-tender",
        "title": opportunity.title,
        "status": _tender_status(opportunity, now),
        "procuringEntity": {"id": _party_id(opportunity.buyer), "name": opportunity.buyer.name},
    }
    description = opportunity.description or opportunity.summary
    if description:
        tender["description"] = description
    if main is not None:
        tender["classification"] = {
            "scheme": "CPV",
            "id": main.code,
            "description": main.label_en,
        }
        more = [
            {"scheme": "CPV", "id": c.code, "description": c.label_en}
            for c in cpv
            if c.code != main.code
        ]
        tender["items"] = [
            {
                "id": "1",
                "description": opportunity.title,
                "classification": tender["classification"],
                **({"additionalClassifications": more} if more else {}),
            }
        ]
        category = CATEGORIES.get(main.contract_type)
        if category:
            tender["mainProcurementCategory"] = category
    details = (
        getattr(opportunity, "tender", None)
        if opportunity.kind == Opportunity.Kind.TENDER
        else None
    )
    value = opportunity.budget_max
    if details is not None:
        value = details.estimated_value if details.estimated_value is not None else value
        if details.procedure in METHODS:
            tender["procurementMethod"] = METHODS[details.procedure]
        if details.procedure:
            tender["procurementMethodDetails"] = str(
                TenderDetails.Procedure(details.procedure).label
            )
    funding = (
        getattr(opportunity, "funding", None)
        if opportunity.kind == Opportunity.Kind.FUNDING
        else None
    )
    if funding is not None and value is None:
        value = funding.total_budget
    if _value(value):
        tender["value"] = _value(value)
    period = {
        k: v
        for k, v in (
            ("startDate", _date(opportunity.opens_at)),
            ("endDate", _date(opportunity.closes_at)),
        )
        if v
    }
    if period:
        tender["tenderPeriod"] = period
    if opportunity.question_deadline:
        tender["enquiryPeriod"] = {"endDate": _date(opportunity.question_deadline)}
    tender["hasEnquiries"] = False
    lots = list(opportunity.lots.all())
    if lots:
        tender["lots"] = [
            {
                "id": lot.number,
                "title": lot.title,
                **({"description": lot.description} if lot.description else {}),
                **(
                    {"value": _value(lot.estimated_value)}
                    if lot.estimated_value is not None
                    else {}
                ),
            }
            for lot in lots
        ]
    documents = [
        {
            "id": "kansen",
            "documentType": "tenderNotice",
            "title": "On Kansen",
            "url": kansen_url,
            "format": "text/html",
        }
    ]
    if opportunity.source_url:
        documents.append(
            {
                "id": "source",
                "documentType": "tenderNotice",
                "title": str(Opportunity.Source(opportunity.source).label),
                "url": opportunity.source_url,
                "format": "text/html",
            }
        )
    tender["documents"] = documents

    parties = [_organisation(opportunity.buyer, ["buyer", "procuringEntity"])]
    awards = []
    supplier_ids: dict[str, str] = {}
    for position, award in enumerate(opportunity.awards.all(), start=1):
        entry: dict[str, Any] = {
            "id": f"{ocid}-award-{position}",
            "status": "active" if award.is_awarded else "unsuccessful",
            "date": _date(award.awarded_at),
        }
        if award.lot is not None:
            entry["relatedLots"] = [award.lot.number]
        if award.is_awarded and _value(award.value):
            entry["value"] = _value(award.value)
        if award.is_awarded:
            if award.company is not None:
                party = _organisation(award.company, ["supplier"])
            else:
                key = award.supplier_id or award.supplier_name
                party_id = supplier_ids.setdefault(key, f"{ocid}-supplier-{len(supplier_ids) + 1}")
                party = {"id": party_id, "name": award.supplier_name, "roles": ["supplier"]}
                if award.supplier_id:
                    party["identifier"] = {
                        "id": award.supplier_id,
                        "legalName": award.supplier_name,
                    }
            if not any(p["id"] == party["id"] for p in parties):
                parties.append(party)
            entry["suppliers"] = [{"id": party["id"], "name": party["name"]}]
        awards.append(entry)

    tags = ["tender"]
    if opportunity.version > 1:
        tags.append("tenderAmendment")
    if opportunity.cancelled_at:
        tags.append("tenderCancellation")
    if awards:
        tags.append("award")
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-v{opportunity.version}-{opportunity.updated_at.strftime('%Y%m%dT%H%M%S')}",
        "date": _date(max(d for d in (opportunity.updated_at, opportunity.published_at) if d)),
        "tag": tags,
        "initiationType": "tender",
        "language": (opportunity.languages or ["nl"])[0][:2] or "nl",
        "parties": parties,
        "buyer": {"id": _party_id(opportunity.buyer), "name": opportunity.buyer.name},
        "tender": tender,
    }
    if awards:
        release["awards"] = awards
    return release


def release_package(
    releases: Iterable[dict[str, Any]], *, uri: str, published_at: dt.datetime | None = None
) -> dict[str, Any]:
    """Wrap releases in an OCDS 1.1 release package."""
    releases = list(releases)
    dates = [r["date"] for r in releases if r.get("date")]
    published = (
        _date(published_at)
        if published_at
        else (max(dates) if dates else _date(dt.datetime.now(dt.UTC)))
    )
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": published,
        "publisher": {"name": settings.SITE_NAME, "uri": settings.SITE_URL},
        "releases": releases,
    }
