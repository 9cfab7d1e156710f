"""What every reader produces: one source document mapped onto the words of Kansen.

Readers never touch the database; `tenders.services.imports.items_import` writes items."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field, is_dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any


class NoticeRejected(Exception):
    """A document that cannot be imported. `kind` is "invalid" (broken or incomplete) or
    "unsupported" (valid, but not something Kansen imports)."""

    def __init__(self, reason: str, *, kind: str = "invalid"):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


@dataclass
class Party:
    name: str
    scheme: str = ""  # org-id style scheme of `identifier`: NL-KVK, NL-OIN, GB-COH, BE-NATIONAL ...
    identifier: str = ""
    country: str = ""  # ISO 3166-1 alpha-2
    city: str = ""
    website: str = ""
    buyer_type: str = ""  # Organisation.BuyerType value


@dataclass
class LotItem:
    number: str
    title: str
    description: str = ""
    cpv_codes: list[str] = field(default_factory=list)
    estimated_value: Decimal | None = None


@dataclass
class AwardItem:
    supplier_name: str = ""
    supplier_id: str = ""
    value: Decimal | None = None
    lot: str = ""  # lot number, if the award is for one lot
    awarded_at: dt.datetime | None = None
    is_awarded: bool = True
    note: str = ""


def _plain(value: Any) -> Any:
    if is_dataclass(value):
        return value.__dict__
    return str(value)


# Which document said it, not what it says.
HASH_IGNORED = {
    "notice_id",
    "file_name",
    "version",
    "publication_number",
    "issued_at",
    "changes_notice",
    "notice_type",
    "notice_ids",
    "_content_hash",
}


@dataclass
class ImportItem:
    """One opportunity as a source describes it. `notice_id` identifies this document;
    `procedure_id` identifies the opportunity (several notices of one procedure update one
    opportunity)."""

    source: str
    notice_id: str
    procedure_id: str
    file_name: str = ""
    kind: str = "tender"
    version: str = ""
    publication_number: str = ""
    notice_type: str = ""
    issued_at: dt.datetime | None = None
    changes_notice: str = ""  # the notice this one changes (eForms change notices)
    source_url: str = ""
    language: str = ""
    title: str = ""
    description: str = ""
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    languages: list[str] = field(default_factory=list)
    buyer: Party | None = None
    main_cpv: str = ""
    cpv_codes: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    published_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    question_deadline: dt.datetime | None = None
    estimated_value: Decimal | None = None
    currency: str = ""
    duration_months: int | None = None
    procedure: str = ""
    is_sme_suitable: bool = False
    lots: list[LotItem] = field(default_factory=list)
    awards: list[AwardItem] = field(default_factory=list)
    cancelled: bool = False
    funding: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Every source document merged into this item (OCDS: all releases of the ocid).
    notice_ids: list[str] = field(default_factory=list)

    def content_hash(self) -> str:
        """A fingerprint of what the item says (not of which document said it)."""
        cached = self.__dict__.get("_content_hash")
        if cached is not None:
            return cached
        data = {k: v for k, v in self.__dict__.items() if k not in HASH_IGNORED}
        blob = json.dumps(data, sort_keys=True, default=_plain, ensure_ascii=False)
        self.__dict__["_content_hash"] = hashlib.sha256(blob.encode()).hexdigest()
        return self.__dict__["_content_hash"]


# A notice without any deadline (prior information, qualification systems, some contract
# notices) is shown as open for the 12 months after its publication, the longest a prior
# information notice covers (Directive 2014/24/EU, art. 48), then closed. The page says so.
NO_DEADLINE_WINDOW = dt.timedelta(days=365)

# eForms procedure codes (and OCDS procurementMethod) in Kansen's words.
PROCEDURES = {
    "open": "open",
    "restricted": "restricted",
    "neg-w-call": "negotiated",
    "neg-wo-call": "negotiated",
    "comp-dial": "competitive_dialogue",
    "innovation": "innovation_partnership",
    "comp-tend": "other",
    "oth-single": "other",
    "oth-mult": "other",
    "selective": "restricted",
    "limited": "negotiated",
    "direct": "negotiated",
}


@lru_cache(maxsize=512)
def language_alpha2(code: str) -> str:
    """ENG, eng, en -> en. Unknown codes come back lower-cased."""
    code = (code or "").strip().lower()
    if len(code) == 2 or not code:
        return code
    import pycountry

    lang = pycountry.languages.get(alpha_3=code)
    if lang is None:
        try:
            lang = pycountry.languages.get(bibliographic=code)
        except (KeyError, LookupError):
            lang = None
    return getattr(lang, "alpha_2", code) if lang else code


@lru_cache(maxsize=512)
def country_alpha2(code: str) -> str:
    """NLD, NL -> NL; an unknown code gives ""."""
    code = (code or "").strip().upper()
    if len(code) == 2:
        return code
    if len(code) != 3:
        return ""
    import pycountry

    country = pycountry.countries.get(alpha_3=code)
    return country.alpha_2 if country else ""


def party_scheme(country: str, identifier: str, scheme: str = "") -> tuple[str, str]:
    """An identifier in org-id style: Dutch KvK and OIN numbers get their own schemes (matched
    against `Organisation.kvk_number` and `oin`); others keep the scheme the source gives, or
    `<country>-NATIONAL` for a national registration number without one."""
    identifier = (identifier or "").strip()
    if not identifier:
        return "", ""
    digits = re.sub(r"\D", "", identifier)
    if country == "NL" and len(digits) == 8 and len(identifier) <= 12:
        return "NL-KVK", digits
    if country == "NL" and len(digits) == 20:
        return "NL-OIN", digits
    if scheme:
        return scheme.strip().upper()[:40], identifier
    return f"{country or 'XX'}-NATIONAL", identifier


def summary_from(text: str, limit: int = 300) -> str:
    """The first sentences of `text`, at most `limit` characters."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    if end >= limit // 3:
        return cut[: end + 1]
    return cut[: cut.rfind(" ")].rstrip(",;:") + " …"


def decimal_or_none(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        return None
    if not number.is_finite() or number < 0 or number >= Decimal("1e14"):
        return None
    return number.quantize(Decimal("0.01"))
