"""Reading OCDS 1.1 data into `ImportItem`s: release packages, record packages, bare arrays,
JSON Lines (one release, record or package per line), each optionally gzipped.

Releases are grouped per ocid and compiled in date order with ocdsmerge (the reference
implementation of OCDS merging), using the merge rules of the local OCDS 1.1.5 release schema,
so nothing is downloaded. A record contributes its full releases, or its compiledRelease when
it only links to them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from tenders.opendata.items import (
    NO_DEADLINE_WINDOW,
    PROCEDURES,
    AwardItem,
    ImportItem,
    LotItem,
    NoticeRejected,
    Party,
    country_alpha2,
    decimal_or_none,
    language_alpha2,
    party_scheme,
)

# ProZorro names its CPV "DK021" in Cyrillic letters (the Ukrainian edition of CPV).
CPV_SCHEMES = {"CPV", "CPVS", "\u0414\u041a021", "DK021"}
NOTICE_DOCUMENTS = ("tenderNotice", "contractNotice", "awardNotice")
COUNTRY_NAMES = {
    "uk": "GB",
    "united kingdom": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
}


@dataclass
class OcdsGroup:
    """All releases of one ocid found in one run."""

    ocid: str
    file_name: str
    releases: list[dict[str, Any]] = field(default_factory=list)
    compiled: dict[str, Any] | None = None  # from a record whose releases are only links


def release_schema_path() -> Path:
    return Path(settings.DATA_DIR) / "ocds-schema-1.1.5" / "release-schema.json"


@cache
def _merger():
    import ocdsmerge

    return ocdsmerge.Merger(schema=str(release_schema_path()))


def release_key(release: dict[str, Any]) -> str:
    """The release id, qualified by its ocid (release ids are unique only within an ocid).
    Releases without an id (some publishers omit it) are known by a hash of their content."""
    rid = release.get("id")
    if not rid:
        blob = json.dumps(release, sort_keys=True, default=str).encode()
        rid = "sha1-" + hashlib.sha1(blob, usedforsecurity=False).hexdigest()[:20]
    return f"{release.get('ocid', '')}/{rid}"[:200]


def _is_full_release(value: Any) -> bool:
    return isinstance(value, dict) and "ocid" in value and "url" not in value


def documents(data: Any) -> Iterator[tuple[str, Any]]:
    """Yield ("release", release) and ("record", record) from any OCDS shape."""
    if isinstance(data, list):
        for entry in data:
            yield from documents(entry)
        return
    if not isinstance(data, dict):
        raise NoticeRejected("not OCDS: expected a JSON object or array")
    if isinstance(data.get("releases"), list) and "ocid" not in data and "records" not in data:
        for release in data["releases"]:
            yield "release", release
    elif isinstance(data.get("records"), list):
        for record in data["records"]:
            yield "record", record
    elif "compiledRelease" in data or ("releases" in data and "ocid" in data):
        yield "record", data
    elif "ocid" in data:
        yield "release", data
    else:
        raise NoticeRejected("not OCDS: no releases, records or ocid found")


def load_json(text: str) -> Iterator[Any]:
    """A JSON document, or JSON Lines (one document per line)."""
    stripped = text.lstrip()
    if not stripped:
        return
    try:
        yield json.loads(stripped)
        return
    except json.JSONDecodeError as exc:
        if "Extra data" not in exc.msg:
            first_line = stripped.split("\n", 1)[0]
            try:
                json.loads(first_line)
            except json.JSONDecodeError:
                raise NoticeRejected(f"not valid JSON: {exc}") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise NoticeRejected(f"line {number} is not valid JSON: {exc.msg}") from None


def group_releases(
    sources: Iterable[tuple[str, str]], *, rejected: list[tuple[str, NoticeRejected]]
) -> dict[str, OcdsGroup]:
    """Group every release of every source (file name, text) by ocid. A source that is not
    OCDS is added to `rejected` and skipped."""
    groups: dict[str, OcdsGroup] = {}
    for file_name, text in sources:
        try:
            for data in load_json(text):
                for kind, doc in documents(data):
                    if not isinstance(doc, dict):
                        continue
                    if kind == "release":
                        _add_release(groups, doc, file_name, rejected)
                        continue
                    ocid = doc.get("ocid") or (doc.get("compiledRelease") or {}).get("ocid")
                    if not ocid:
                        rejected.append((file_name, NoticeRejected("a record without an ocid")))
                        continue
                    full = [r for r in doc.get("releases") or [] if _is_full_release(r)]
                    if full:
                        for release in full:
                            _add_release(groups, release, file_name, rejected)
                    elif isinstance(doc.get("compiledRelease"), dict):
                        group = groups.setdefault(ocid, OcdsGroup(ocid, file_name))
                        group.compiled = doc["compiledRelease"]
        except NoticeRejected as exc:
            rejected.append((file_name, exc))
    return groups


def _add_release(groups, release: dict, file_name: str, rejected) -> None:
    ocid = release.get("ocid")
    if not ocid or not isinstance(release.get("date"), str):
        rejected.append(
            (file_name, NoticeRejected(f"release {release.get('id', '?')} has no ocid or date"))
        )
        return
    groups.setdefault(ocid, OcdsGroup(ocid, file_name)).releases.append(release)


def compile_group(group: OcdsGroup) -> dict[str, Any]:
    """The compiled release of the group: its releases merged in date order."""
    if not group.releases:
        return group.compiled or {}
    if len(group.releases) == 1 and group.compiled is None:
        return group.releases[0]  # one release compiles to itself
    releases = sorted(group.releases, key=lambda r: r["date"])
    if group.compiled is not None:
        releases = [{**group.compiled, "date": releases[0]["date"]}, *releases]
    with warnings.catch_warnings():
        # Publishers repeat ids in arrays; ocdsmerge warns and merges them, as the standard says.
        warnings.simplefilter("ignore")
        return _merger().create_compiled_release(releases)


def _date(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _cpv(classification: Any) -> str:
    if not isinstance(classification, dict):
        return ""
    scheme = str(classification.get("scheme", "")).upper()
    code = re.sub(r"\D", "", str(classification.get("id", "")).split("-")[0])
    return code[:8] if scheme in CPV_SCHEMES and len(code) >= 8 else ""


def _party(release: dict, ref: dict | None, buyer_type: str = "") -> Party | None:
    if not isinstance(ref, dict):
        return None
    parties = {p.get("id"): p for p in release.get("parties") or [] if isinstance(p, dict)}
    party = parties.get(ref.get("id")) or {}
    name = (party.get("name") or ref.get("name") or "").strip()
    if not name:
        return None
    address = party.get("address") or {}
    country_name = str(address.get("countryName") or "").strip()
    country = country_alpha2(country_name) or COUNTRY_NAMES.get(country_name.lower(), "")
    identifier = party.get("identifier") or {}
    scheme, ident = party_scheme(
        country or (str(identifier.get("scheme", ""))[:2] if identifier.get("scheme") else ""),
        str(identifier.get("id") or ""),
        str(identifier.get("scheme") or ""),
    )
    website = str((party.get("details") or {}).get("url") or "")
    return Party(
        name=" ".join(name.split())[:200],
        scheme=scheme,
        identifier=ident[:120],
        country=country or (scheme[:2] if scheme and scheme[2:3] == "-" else ""),
        city=str(address.get("locality") or "")[:120],
        website=website if website.startswith("http") and len(website) <= 200 else "",
        buyer_type=buyer_type,
    )


def _texts(obj: dict, key: str, language: str) -> dict[str, str]:
    """OCDS multilingual fields: `title` in the release language, `title_nl` in Dutch."""
    out = {}
    for name, value in obj.items():
        if not isinstance(value, str) or not value.strip():
            continue
        if name == key:
            out.setdefault(language, value.strip())
        elif name.startswith(key + "_") and len(name) in (len(key) + 3, len(key) + 6):
            out.setdefault(name[len(key) + 1 :].lower()[:2], value.strip())
    return out


def _clean(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()


def map_compiled(compiled: dict[str, Any], *, group: OcdsGroup) -> ImportItem:
    """Map a compiled release onto an ImportItem. Raises NoticeRejected when it has no title
    or no buyer."""
    ocid = compiled.get("ocid") or group.ocid
    tender = compiled.get("tender") or {}
    language = language_alpha2(str(compiled.get("language") or "en")) or "en"
    titles = _texts(tender, "title", language) or _texts(compiled, "title", language)
    if not titles:
        awards_titles = [a.get("title") for a in compiled.get("awards") or [] if a.get("title")]
        if awards_titles:
            titles = {language: awards_titles[0]}
    if not titles:
        raise NoticeRejected(f"{ocid}: no tender title")
    descriptions = _texts(tender, "description", language) or _texts(
        compiled, "description", language
    )
    language = language if language in titles else next(iter(titles))
    buyer = _party(compiled, compiled.get("buyer") or tender.get("procuringEntity"))
    if buyer is None:
        for party in compiled.get("parties") or []:
            roles = party.get("roles") or []
            if "buyer" in roles or "procuringEntity" in roles:
                buyer = _party(compiled, {"id": party.get("id"), "name": party.get("name")})
                break
    if buyer is None:
        raise NoticeRejected(f"{ocid}: no buyer")
    buyer.buyer_type = "other"

    main_cpv = _cpv(tender.get("classification"))
    cpv = [main_cpv] if main_cpv else []
    cpv += [_cpv(c) for c in tender.get("additionalClassifications") or []]
    regions: list[str] = []
    for item in tender.get("items") or []:
        cpv.append(_cpv(item.get("classification")))
        cpv += [_cpv(c) for c in item.get("additionalClassifications") or []]
        for address in item.get("deliveryAddresses") or []:
            if isinstance(address, dict) and address.get("region"):
                regions.append(str(address["region"]).strip().upper())
    cpv = [c for c in dict.fromkeys(cpv) if c]
    main_cpv = main_cpv or (cpv[0] if cpv else "")

    value = tender.get("value") or {}
    amount = decimal_or_none(value.get("amount"))
    currency = str(value.get("currency") or "").upper()
    extra: dict[str, Any] = {}
    if amount is not None and currency != "EUR":
        extra["estimated_value"] = f"{amount} {currency}".strip()
    if tender.get("procurementMethodDetails"):
        extra["procedure_details"] = str(tender["procurementMethodDetails"])[:200]

    lots = []
    for position, lot in enumerate(tender.get("lots") or [], start=1):
        lot_value = lot.get("value") or {}
        lots.append(
            LotItem(
                number=str(lot.get("id") or position)[:30],
                title=str(lot.get("title") or lot.get("id") or position)[:300],
                description=_clean(str(lot.get("description") or "")),
                estimated_value=decimal_or_none(lot_value.get("amount"))
                if str(lot_value.get("currency") or "").upper() == "EUR"
                else None,
            )
        )

    awards = []
    for award in compiled.get("awards") or []:
        status = award.get("status")
        awarded_at = _date(award.get("date")) or _date(award.get("datePublished"))
        lot_refs = award.get("relatedLots") or ([award["lotID"]] if award.get("lotID") else [])
        lot = str(lot_refs[0])[:30] if lot_refs else ""
        if status in ("unsuccessful", "cancelled"):
            awards.append(AwardItem(lot=lot, is_awarded=False, awarded_at=awarded_at))
            continue
        if status not in (None, "active", "pending"):
            continue
        award_value = award.get("value") or {}
        award_amount = decimal_or_none(award_value.get("amount"))
        award_currency = str(award_value.get("currency") or "").upper()
        for supplier in award.get("suppliers") or []:
            party = _party(compiled, supplier)
            if party is None:
                continue
            awards.append(
                AwardItem(
                    supplier_name=party.name[:300],
                    supplier_id=party.identifier or str(supplier.get("id") or "")[:120],
                    value=award_amount if award_currency == "EUR" else None,
                    lot=lot,
                    awarded_at=awarded_at,
                    note=f"Value {award_amount} {award_currency}"
                    if award_amount is not None and award_currency not in ("", "EUR")
                    else "",
                )
            )

    source_url = ""
    for doc in [
        *(tender.get("documents") or []),
        *[d for a in compiled.get("awards") or [] for d in a.get("documents") or []],
    ]:
        if doc.get("documentType") in NOTICE_DOCUMENTS and str(doc.get("url", "")).startswith(
            "http"
        ):
            source_url = str(doc["url"])[:500]
            break
    if not source_url:
        for link in compiled.get("links") or []:
            if str(link.get("href", "")).startswith("http"):
                source_url = str(link["href"])[:500]
                break

    release_dates = [_date(r.get("date")) for r in group.releases] or [_date(compiled.get("date"))]
    release_dates = [d for d in release_dates if d]
    published_at = _date(tender.get("datePublished")) or (
        min(release_dates) if release_dates else None
    )
    tender_period = tender.get("tenderPeriod") or {}
    suitability = tender.get("suitability") or {}
    translations = {
        lang: {"title": titles.get(lang, ""), "description": _clean(descriptions.get(lang, ""))}
        for lang in {*titles, *descriptions}
        if lang != language
    }
    notice_ids = [release_key(r) for r in group.releases] or [f"{ocid}/compiled"]
    latest = max(group.releases, key=lambda r: r["date"]) if group.releases else compiled
    closes_at = _date(tender_period.get("endDate"))
    tags = {t for r in group.releases or [compiled] for t in r.get("tag") or []}
    if closes_at is None and (
        awards or tags & {"award", "awardUpdate", "contract", "contractUpdate"}
    ):
        closes_at = min((a.awarded_at for a in awards if a.awarded_at), default=None) or (
            max(release_dates) if release_dates else None
        )
        extra["deadline_note"] = "result-notice"
    elif closes_at is None and published_at:
        closes_at = published_at + NO_DEADLINE_WINDOW
        extra["deadline_note"] = "no-deadline"
    return ImportItem(
        source="ocds",
        notice_id=release_key(latest) if group.releases else notice_ids[0],
        procedure_id=ocid[:200],
        file_name=group.file_name,
        kind="tender",
        version=str(len(notice_ids)),
        notice_type=",".join(latest.get("tag") or [])[:40],
        issued_at=max(release_dates) if release_dates else None,
        source_url=source_url,
        language=language,
        title=" ".join(titles[language].split())[:300],
        description=_clean(descriptions.get(language, "")),
        translations=translations,
        languages=[language, *sorted(translations)],
        buyer=buyer,
        main_cpv=main_cpv,
        cpv_codes=cpv,
        regions=list(dict.fromkeys(regions)),
        published_at=published_at,
        closes_at=closes_at,
        question_deadline=_date((tender.get("enquiryPeriod") or {}).get("endDate")),
        estimated_value=amount if currency == "EUR" else None,
        currency=currency,
        procedure=PROCEDURES.get(str(tender.get("procurementMethod") or ""), ""),
        is_sme_suitable=bool(suitability.get("sme")),
        lots=lots,
        awards=awards,
        cancelled=tender.get("status") == "cancelled",
        extra=extra,
        notice_ids=notice_ids,
    )


def read_groups(groups: dict[str, OcdsGroup]) -> Iterator[ImportItem | tuple[str, NoticeRejected]]:
    """Compile and map each group; a group that cannot be mapped comes back rejected."""
    while groups:
        # Taken out as we go, so the releases of done groups can be freed.
        ocid = next(iter(groups))
        group = groups.pop(ocid)
        try:
            yield map_compiled(compile_group(group), group=group)
        except NoticeRejected as exc:
            yield group.file_name, exc
        except Exception as exc:  # a merge error in one ocid must not stop the batch
            yield group.file_name, NoticeRejected(f"{group.ocid}: cannot merge releases: {exc}")
