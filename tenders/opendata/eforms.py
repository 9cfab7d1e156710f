"""Reading eForms notices (UBL 2.3 XML, SDK 1.3 to 1.15) into `ImportItem`s.

Prior information notices, contract notices and contract award notices (and their change
notices) are mapped; business registration notices (X01, X02) are valid eForms but not
procurement, so they are reported as unsupported. A notice is rejected with a reason when it
lacks what identifies it (SDK version, notice id, procedure, title, buyer) or has broken
organisations. Notices of SDK 1.15 can also be checked against the SDK's XSD schemas; schema
validity is not business-rule validity (the SDK's Schematron rules are not applied).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from lxml import etree

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

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
}
PROCUREMENT_ROOTS = {
    "ContractNotice": "UBL-ContractNotice-2.3.xsd",
    "ContractAwardNotice": "UBL-ContractAwardNotice-2.3.xsd",
    "PriorInformationNotice": "UBL-PriorInformationNotice-2.3.xsd",
}
OTHER_ROOTS = {
    "BusinessRegistrationInformationNotice": "EFORMS-BusinessRegistrationInformationNotice.xsd"
}
SUPPORTED_SDK = ((1, 3), (1, 15))
SCHEMA_SDK = (1, 15)
TED_NOTICE_URL = "https://ted.europa.eu/en/notice/-/detail/{number}"
LOT_ID = re.compile(r"^(LOT|PAR|GLO)-\d{4}$")
BUYER_TYPES = {
    "la": "municipality",
    "ra": "province",
    "cga": "central_government",
    "eu-ins-bod-ag": "eu_institution",
    "eu-int-org": "eu_institution",
    "pub-undert": "public_company",
    "pub-undert-la": "public_company",
    "pub-undert-ra": "public_company",
    "pub-undert-cga": "public_company",
    "spec-rights-entity": "public_company",
}
DURATION_MONTHS = {"MONTH": 1, "YEAR": 12, "DAY": 1 / 30.4375}


def _x(path: str) -> etree.XPath:
    return etree.XPath(path, namespaces=NS)


# The root extension, not the ones nested in lots.
EXT = "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension"
X = {
    "sdk": _x("string(cbc:CustomizationID)"),
    "notice_id": _x("string(cbc:ID)"),
    "folder": _x("string(cbc:ContractFolderID)"),
    "version": _x("string(cbc:VersionID)"),
    "issue_date": _x("string(cbc:IssueDate)"),
    "issue_time": _x("string(cbc:IssueTime)"),
    "type": _x("string(cbc:NoticeTypeCode)"),
    "languages": _x("cbc:NoticeLanguageCode/text()"),
    "subtype": _x(f"string({EXT}/efac:NoticeSubType/cbc:SubTypeCode)"),
    "publication": _x(f"string({EXT}/efac:Publication/efbc:NoticePublicationID)"),
    "publication_date": _x(f"string({EXT}/efac:Publication/efbc:PublicationDate)"),
    "changed": _x(f"string({EXT}/efac:Changes/efbc:ChangedNoticeIdentifier)"),
    "change_reason": _x(f"string({EXT}/efac:Changes/efac:ChangeReason/cbc:ReasonCode)"),
    "change_description": _x(
        f"string({EXT}/efac:Changes/efac:ChangeReason/efbc:ReasonDescription)"
    ),
    "organizations": _x(f"{EXT}/efac:Organizations/efac:Organization"),
    "buyer_refs": _x("cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID/text()"),
    "buyer_type": _x("string(cac:ContractingParty/cac:ContractingPartyType/cbc:PartyTypeCode)"),
    "procedure": _x("string(cac:TenderingProcess/cbc:ProcedureCode)"),
    "project": _x("cac:ProcurementProject"),
    "lots": _x("cac:ProcurementProjectLot"),
    "result": _x(f"{EXT}/efac:NoticeResult"),
}
ORG = {
    "company": _x("efac:Company"),
    "id": _x("string(cac:PartyIdentification/cbc:ID)"),
    "name": _x("string(cac:PartyName/cbc:Name)"),
    "city": _x("string(cac:PostalAddress/cbc:CityName)"),
    "country": _x("string(cac:PostalAddress/cac:Country/cbc:IdentificationCode)"),
    "company_id": _x("cac:PartyLegalEntity/cbc:CompanyID"),
    "website": _x("string(cbc:WebsiteURI)"),
}
PROJECT = {
    "names": _x("cbc:Name"),
    "descriptions": _x("cbc:Description"),
    "main_cpv": _x(
        "cac:MainCommodityClassification/cbc:ItemClassificationCode[@listName='cpv']/text()"
    ),
    "more_cpv": _x(
        "cac:AdditionalCommodityClassification/cbc:ItemClassificationCode[@listName='cpv']/text()"
    ),
    "nuts": _x("cac:RealizedLocation/cac:Address/cbc:CountrySubentityCode/text()"),
    "value": _x("cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount"),
    "duration": _x("cac:PlannedPeriod/cbc:DurationMeasure"),
    "sme": _x("string(cbc:SMESuitableIndicator)"),
}
LOT = {
    "id": _x("string(cbc:ID)"),
    "project": _x("cac:ProcurementProject"),
    "deadline_date": _x(
        "string(cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod/cbc:EndDate)"
    ),
    "deadline_time": _x(
        "string(cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod/cbc:EndTime)"
    ),
    "request_date": _x(
        "string(cac:TenderingProcess/cac:ParticipationRequestReceptionPeriod/cbc:EndDate)"
    ),
    "request_time": _x(
        "string(cac:TenderingProcess/cac:ParticipationRequestReceptionPeriod/cbc:EndTime)"
    ),
    "question_date": _x(
        "string(cac:TenderingProcess/cac:AdditionalInformationRequestPeriod/cbc:EndDate)"
    ),
    "question_time": _x(
        "string(cac:TenderingProcess/cac:AdditionalInformationRequestPeriod/cbc:EndTime)"
    ),
    "documents": _x(
        "string(cac:TenderingTerms/cac:CallForTendersDocumentReference/cac:Attachment"
        "/cac:ExternalReference/cbc:URI)"
    ),
    "submission_url": _x("string(cac:TenderingTerms/cac:TenderRecipientParty/cbc:EndpointID)"),
}
RESULT = {
    "lot_results": _x("efac:LotResult"),
    "lot_tenders": _x("efac:LotTender"),
    "contracts": _x("efac:SettledContract"),
    "parties": _x("efac:TenderingParty"),
    "id": _x("string(cbc:ID)"),
    "code": _x("string(cbc:TenderResultCode)"),
    "tender_refs": _x("efac:LotTender/cbc:ID/text()"),
    "contract_refs": _x("efac:SettledContract/cbc:ID/text()"),
    "lot_ref": _x("string(efac:TenderLot/cbc:ID)"),
    "amount": _x("cac:LegalMonetaryTotal/cbc:PayableAmount"),
    "party_ref": _x("string(efac:TenderingParty/cbc:ID)"),
    "tenderer_refs": _x("efac:Tenderer/cbc:ID/text()"),
    "issue_date": _x("string(cbc:IssueDate)"),
}


def _sdk_version(value: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"eforms-sdk-(\d+)\.(\d+)(?:\.\d+)?", value.strip())
    return (int(match[1]), int(match[2])) if match else None


@cache
def _schema(root: str) -> etree.XMLSchema:
    folder = Path(settings.DATA_DIR) / "eforms-sdk-1.15.1" / "schemas" / "maindoc"
    name = PROCUREMENT_ROOTS.get(root) or OTHER_ROOTS[root]
    return etree.XMLSchema(etree.parse(str(folder / name)))


def parse_datetime(date: str, time: str = "", *, end_of_day: bool = False) -> dt.datetime | None:
    """eForms dates carry their own offset ("2020-02-04+02:00"), times too ("10:00:00+02:00").
    Without a time, a deadline means the end of that day."""
    date = (date or "").strip()
    if not re.match(r"^\d{4}-\d{2}-\d{2}", date):
        return None
    day, date_tz = date[:10], date[10:]
    time = (time or "").strip()
    match = re.match(r"^(\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(.*)$", time)
    if match:
        clock, tz = match[1], match[2] or date_tz
    else:
        clock, tz = ("23:59:59" if end_of_day else "00:00:00"), date_tz
    tz = tz.strip() or "Z"
    try:
        value = dt.datetime.fromisoformat(f"{day}T{clock}{tz}")
    except ValueError:
        try:
            value = dt.datetime.fromisoformat(f"{day}T{clock}+00:00")
        except ValueError:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _texts(elements) -> dict[str, str]:
    """Text per language (alpha-2), from elements with a languageID."""
    out: dict[str, str] = {}
    for el in elements:
        text = " ".join((el.text or "").split()) if el.text else ""
        if not text:
            continue
        lang = language_alpha2(el.get("languageID", "")) or ""
        out.setdefault(lang, text)
    return out


def _amount(elements) -> tuple[Decimal | None, str]:
    for el in elements:
        value = decimal_or_none(el.text)
        if value is not None:
            return value, (el.get("currencyID") or "EUR").upper()
    return None, ""


def _months(elements) -> int | None:
    for el in elements:
        factor = DURATION_MONTHS.get((el.get("unitCode") or "").upper())
        value = decimal_or_none(el.text)
        if factor and value is not None:
            return max(1, round(float(value) * factor))
    return None


def _organisations(root) -> dict[str, Party]:
    parties: dict[str, Party] = {}
    for position, org in enumerate(X["organizations"](root), start=1):
        companies = ORG["company"](org)
        company = companies[0] if companies else None
        org_id = ORG["id"](company).strip() if company is not None else ""
        name = ORG["name"](company).strip() if company is not None else ""
        if not org_id or not name:
            raise NoticeRejected(
                f"organisation {position} has no identifier or no name (efac:Organization "
                "needs efac:Company with cac:PartyIdentification and cac:PartyName)"
            )
        country = country_alpha2(ORG["country"](company))
        company_ids = ORG["company_id"](company)
        identifier = (company_ids[0].text or "").strip() if company_ids else ""
        scheme_attr = company_ids[0].get("schemeName", "") if company_ids else ""
        scheme, identifier = party_scheme(
            country,
            identifier,
            scheme_attr if scheme_attr and scheme_attr.lower() not in ("eu", "national") else "",
        )
        parties[org_id] = Party(
            name=" ".join(name.split())[:200],
            scheme=scheme,
            identifier=identifier[:120],
            country=country,
            city=ORG["city"](company).strip()[:120],
            website=ORG["website"](company).strip()[:200],
        )
    return parties


def _awards(root, parties: dict[str, Party], fallback_at: dt.datetime | None) -> list[AwardItem]:
    results = X["result"](root)
    if not results:
        return []
    result = results[0]
    tenders = {}
    for tender in RESULT["lot_tenders"](result):
        value, currency = _amount(RESULT["amount"](tender))
        tenders[RESULT["id"](tender).strip()] = (
            RESULT["party_ref"](tender).strip(),
            value,
            currency,
        )
    contracts = {}
    for contract in RESULT["contracts"](result):
        contracts[RESULT["id"](contract).strip()] = (
            [t.strip() for t in RESULT["tender_refs"](contract)],
            parse_datetime(RESULT["issue_date"](contract)),
        )
    tendering_parties = {
        RESULT["id"](p).strip(): [t.strip() for t in RESULT["tenderer_refs"](p)]
        for p in RESULT["parties"](result)
    }
    awards: list[AwardItem] = []
    for lot_result in RESULT["lot_results"](result):
        code = RESULT["code"](lot_result).strip()
        lot = RESULT["lot_ref"](lot_result).strip()
        if code == "clos-nw":
            awards.append(AwardItem(lot=lot, is_awarded=False, awarded_at=fallback_at))
            continue
        if code != "selec-w":
            continue
        winners: list[tuple[str, dt.datetime | None]] = []
        for ref in RESULT["contract_refs"](lot_result):
            tender_refs, signed_at = contracts.get(ref.strip(), ([], None))
            winners.extend((t, signed_at) for t in tender_refs)
        if not winners:
            winners = [(t.strip(), None) for t in RESULT["tender_refs"](lot_result)]
        seen = set()
        for tender_ref, signed_at in winners:
            if tender_ref in seen or tender_ref not in tenders:
                continue
            seen.add(tender_ref)
            party_ref, value, currency = tenders[tender_ref]
            orgs = [parties[o] for o in tendering_parties.get(party_ref, []) if o in parties]
            if not orgs:
                continue
            awards.append(
                AwardItem(
                    supplier_name=" and ".join(o.name for o in orgs)[:300],
                    supplier_id=orgs[0].identifier,
                    value=value if currency == "EUR" else None,
                    lot=lot,
                    awarded_at=signed_at or fallback_at,
                    note="" if currency in ("", "EUR") else f"Value {value} {currency}",
                )
            )
    return awards


def read_notice(data: bytes, *, file_name: str = "", validate: bool = True) -> ImportItem:
    """Map one eForms notice. Raises NoticeRejected with the reason when it cannot be imported."""
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise NoticeRejected(f"not well-formed XML: {exc}") from None
    root_name = etree.QName(root).localname
    if root_name in OTHER_ROOTS:
        raise NoticeRejected(
            f"{root_name} is a business registration notice, not a procurement notice",
            kind="unsupported",
        )
    if root_name not in PROCUREMENT_ROOTS:
        raise NoticeRejected(f"not an eForms notice (root element {root_name})", kind="unsupported")

    sdk_text = X["sdk"](root).strip()
    if not sdk_text:
        raise NoticeRejected("no eForms SDK version (cbc:CustomizationID is missing)")
    sdk = _sdk_version(sdk_text)
    if sdk is None or not (SUPPORTED_SDK[0] <= sdk <= SUPPORTED_SDK[1]):
        raise NoticeRejected(
            f"unsupported eForms SDK version {sdk_text!r} (supported: 1.3 to 1.15)",
            kind="unsupported",
        )
    if validate and sdk == SCHEMA_SDK:
        schema = _schema(root_name)
        if not schema.validate(root):
            error = schema.error_log.last_error
            raise NoticeRejected(
                f"not valid against the eForms 1.15 schema: line {error.line}: {error.message}"
            )

    notice_id = X["notice_id"](root).strip()
    if not notice_id:
        raise NoticeRejected("no notice identifier (BT-701, cbc:ID is empty)")
    notice_type = X["type"](root).strip()
    if not notice_type:
        raise NoticeRejected("no notice type (cbc:NoticeTypeCode is empty)")
    version = X["version"](root).strip()
    if not version:
        raise NoticeRejected("no notice version (BT-757, cbc:VersionID is empty)")

    parties = _organisations(root)
    buyer_refs = [r.strip() for r in X["buyer_refs"](root) if r.strip()]
    if not buyer_refs:
        raise NoticeRejected("no buyer (cac:ContractingParty names no organisation)")
    if buyer_refs[0] not in parties:
        raise NoticeRejected(f"the buyer {buyer_refs[0]} is not among the notice's organisations")
    buyer = parties[buyer_refs[0]]
    buyer.buyer_type = BUYER_TYPES.get(X["buyer_type"](root).strip(), "other")

    projects = X["project"](root)
    project = projects[0] if projects else None
    titles = _texts(PROJECT["names"](project)) if project is not None else {}
    descriptions = _texts(PROJECT["descriptions"](project)) if project is not None else {}
    lots_el = X["lots"](root)
    if not titles:
        for lot_el in lots_el:
            lot_projects = LOT["project"](lot_el)
            if lot_projects:
                titles = _texts(PROJECT["names"](lot_projects[0]))
                descriptions = descriptions or _texts(PROJECT["descriptions"](lot_projects[0]))
            if titles:
                break
    if not titles:
        raise NoticeRejected("no title (BT-21, cac:ProcurementProject/cbc:Name is empty)")

    notice_languages = [language_alpha2(c) for c in X["languages"](root) if c.strip()]
    language = next((lang for lang in notice_languages if lang in titles), next(iter(titles)))
    languages = list(dict.fromkeys([language, *notice_languages, *titles]))
    translations = {
        lang: {"title": titles.get(lang, ""), "description": descriptions.get(lang, "")}
        for lang in languages
        if lang != language and (lang in titles or lang in descriptions)
    }

    issued_at = parse_datetime(X["issue_date"](root), X["issue_time"](root))
    publication = X["publication"](root).strip()
    published_at = parse_datetime(X["publication_date"](root)) or issued_at
    number = publication.lstrip("0") if publication else ""

    main_cpv = ""
    cpv: list[str] = []
    regions: list[str] = []
    value = currency = None
    duration = None
    sme = False
    if project is not None:
        main = [c.strip() for c in PROJECT["main_cpv"](project) if c.strip()]
        main_cpv = main[0][:8] if main else ""
        cpv = main + [c.strip() for c in PROJECT["more_cpv"](project)]
        regions = [c.strip() for c in PROJECT["nuts"](project)]
        value, currency = _amount(PROJECT["value"](project))
        duration = _months(PROJECT["duration"](project))

    lots: list[LotItem] = []
    deadlines: list[dt.datetime] = []
    questions: list[dt.datetime] = []
    documents = submission = ""
    for position, lot_el in enumerate(lots_el, start=1):
        lot_id = LOT["id"](lot_el).strip()
        if not LOT_ID.match(lot_id):
            raise NoticeRejected(f"lot {position} has no valid identifier ({lot_id or 'empty'})")
        lot_projects = LOT["project"](lot_el)
        lot_project = lot_projects[0] if lot_projects else None
        lot_titles = _texts(PROJECT["names"](lot_project)) if lot_project is not None else {}
        lot_descriptions = (
            _texts(PROJECT["descriptions"](lot_project)) if lot_project is not None else {}
        )
        lot_cpv: list[str] = []
        lot_value = None
        if lot_project is not None:
            lot_cpv = [
                c.strip()
                for c in PROJECT["main_cpv"](lot_project) + PROJECT["more_cpv"](lot_project)
                if c.strip()
            ]
            regions += [c.strip() for c in PROJECT["nuts"](lot_project)]
            amount, lot_currency = _amount(PROJECT["value"](lot_project))
            lot_value = amount if lot_currency == "EUR" else None
            duration = duration or _months(PROJECT["duration"](lot_project))
            sme = sme or PROJECT["sme"](lot_project).strip() == "true"
            if not main_cpv and lot_cpv:
                main_cpv = lot_cpv[0][:8]
        cpv += lot_cpv
        # Tenders (BT-131), or requests to participate in restricted procedures (BT-1311).
        for date_key, time_key in (
            ("deadline_date", "deadline_time"),
            ("request_date", "request_time"),
        ):
            deadline = parse_datetime(LOT[date_key](lot_el), LOT[time_key](lot_el), end_of_day=True)
            if deadline:
                deadlines.append(deadline)
        question = parse_datetime(
            LOT["question_date"](lot_el), LOT["question_time"](lot_el), end_of_day=True
        )
        if question:
            questions.append(question)
        documents = documents or LOT["documents"](lot_el).strip()
        submission = submission or LOT["submission_url"](lot_el).strip()
        lots.append(
            LotItem(
                number=lot_id,
                title=(lot_titles.get(language) or next(iter(lot_titles.values()), lot_id))[:300],
                description=lot_descriptions.get(language)
                or next(iter(lot_descriptions.values()), ""),
                cpv_codes=list(dict.fromkeys(c[:8] for c in lot_cpv)),
                estimated_value=lot_value,
            )
        )

    extra: dict = {"sdk": sdk_text, "subtype": X["subtype"](root).strip()}
    if value is not None and currency != "EUR":
        extra["estimated_value"] = f"{value} {currency}"
    if documents:
        extra["documents_url"] = documents[:500]
    if submission:
        extra["submission_url"] = submission[:500]
    if len(buyer_refs) > 1:
        extra["other_buyers"] = [parties[r].name for r in buyer_refs[1:] if r in parties]

    closes_at = max(deadlines) if deadlines else None
    if closes_at is None and root_name == "ContractAwardNotice":
        # A result notice: the competition, if any, is over.
        closes_at = issued_at or published_at
        extra["deadline_note"] = "result-notice"
    elif closes_at is None and published_at:
        closes_at = published_at + NO_DEADLINE_WINDOW
        extra["deadline_note"] = "no-deadline"
    change_reason = X["change_reason"](root).strip()
    item = ImportItem(
        source="ted",
        # The id with its version, as change notices refer to it (BT-758: "<id>-01").
        notice_id=f"{notice_id}-{version}",
        procedure_id=X["folder"](root).strip() or notice_id,
        file_name=file_name,
        kind="tender",
        version=version,
        publication_number=number,
        notice_type=notice_type,
        issued_at=issued_at,
        changes_notice=X["changed"](root).strip(),
        source_url=TED_NOTICE_URL.format(number=number) if number else "",
        language=language,
        title=titles[language][:300],
        description=descriptions.get(language, ""),
        translations=translations,
        languages=languages,
        buyer=buyer,
        main_cpv=main_cpv,
        cpv_codes=list(dict.fromkeys(c[:8] for c in cpv)),
        regions=list(dict.fromkeys(regions)),
        published_at=published_at,
        closes_at=closes_at,
        question_deadline=min(questions) if questions else None,
        estimated_value=value if currency == "EUR" else None,
        currency=currency or "",
        duration_months=duration,
        procedure=PROCEDURES.get(
            X["procedure"](root).strip(), "other" if X["procedure"](root).strip() else ""
        ),
        is_sme_suitable=sme,
        lots=lots,
        awards=_awards(root, parties, issued_at),
        cancelled=change_reason == "cancel",
        extra=extra,
    )
    if item.cancelled:
        item.extra["cancel_reason"] = X["change_description"](root).strip() or "Cancelled"
    return item
