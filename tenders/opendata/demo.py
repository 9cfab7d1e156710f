"""seed_demo step: real public notices, so search and matching look real after `make run`.

Imports every real TED eForms notice in data/ted_real_eforms_notices, a few eForms SDK
examples (a multilingual notice, award results, a change notice), a capped set of the UK OCDS
releases and the Horizon Europe call topics. Idempotent (the imports are) and takes a few
seconds. Past deadlines show as closed or awarded; funding calls still to come show as open."""

from __future__ import annotations

from django.conf import settings

from tenders.opendata.runs import eforms_items, funding_items, ocds_items
from tenders.services.imports import items_import

SDK_EXAMPLES = [
    "cn_24_multilingual.xml",
    "cn_24_open.xml",
    "change-cn_24_open_dates.xml",
    "can_24_FRA_comments.xml",
    "can_24_maximal.xml",
    "can_24_UKRI.xml",
    "pin-only_24_lots.xml",
]
OCDS_FILES = ["uk_contracts_finder_releases.jsonl", "uk_sell2wales_releases.jsonl"]
OCDS_LIMIT = 150


def seed_imports(stdout=None) -> list[str]:
    data = settings.DATA_DIR
    sdk = data / "eforms-sdk-1.15.1" / "notices"
    ted = items_import(
        items=eforms_items([data / "ted_real_eforms_notices", *(sdk / n for n in SDK_EXAMPLES)])
    )
    ocds = items_import(items=ocds_items([data / "ocds" / n for n in OCDS_FILES], limit=OCDS_LIMIT))
    funding = items_import(items=funding_items([data / "eu_funding_calls"]))
    return [
        f"TED eForms notices: {ted.summary()}",
        f"OCDS (UK) procedures: {ocds.summary()}",
        f"Horizon Europe call topics: {funding.summary()}",
    ]
