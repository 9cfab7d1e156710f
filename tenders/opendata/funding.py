"""Reading the Horizon Europe call topics snapshot (data/eu_funding_calls) into funding
`ImportItem`s: one per topic code, the European Commission as the buyer."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

from tenders.opendata.items import ImportItem, NoticeRejected, Party, decimal_or_none

BRUSSELS = ZoneInfo("Europe/Brussels")
COMMISSION = Party(
    name="European Commission",
    scheme="EU-INSTITUTION",
    identifier="COM",
    country="BE",
    city="Brussels",
    website="https://commission.europa.eu",
    buyer_type="eu_institution",
)
PROGRAMME = "Horizon Europe"
MULTIPLIERS = {
    "k": Decimal(1_000),
    "thousand": Decimal(1_000),
    "m": Decimal(1_000_000),
    "mio": Decimal(1_000_000),
    "million": Decimal(1_000_000),
    "millions": Decimal(1_000_000),
    "bn": Decimal(1_000_000_000),
    "billion": Decimal(1_000_000_000),
}


def parse_budget(value: object) -> Decimal | None:
    """Budgets come as "7500000.0", "7500000", "EUR 7 500 000", "€7,500,000", "7.5 million" or
    "7,5 Mio": a number, maybe with thousands separators, maybe a scale word."""
    if value is None:
        return None
    if isinstance(value, int | float | Decimal):
        return decimal_or_none(value)
    text = str(value).strip().lower().replace("\u00a0", " ")
    text = re.sub(r"(eur|euro|euros|€)", " ", text).strip()
    if not text:
        return None
    match = re.match(r"^([\d\s.,']+)\s*([a-z]*)\.?$", text)
    if not match:
        return None
    number, word = match[1].replace(" ", "").replace("'", ""), match[2]
    if word and word not in MULTIPLIERS:
        return None
    if "," in number and "." in number:
        # The last separator is the decimal one: 7.500.000,50 or 7,500,000.50
        if number.rfind(",") > number.rfind("."):
            number = number.replace(".", "").replace(",", ".")
        else:
            number = number.replace(",", "")
    elif "," in number:
        parts = number.split(",")
        number = (
            number.replace(",", "")
            if len(parts[-1]) == 3 and len(parts) > 1 and not word
            else number.replace(",", ".")
        )
    elif number.count(".") > 1 or (
        "." in number
        and len(number.split(".")[-1]) == 3
        and not word
        and number.split(".")[0] != "0"
    ):
        number = number.replace(".", "")
    amount = decimal_or_none(number)
    if amount is None:
        return None
    return decimal_or_none(amount * MULTIPLIERS.get(word, Decimal(1)))


def _date(value: object) -> dt.datetime | None:
    text = str(value or "").strip()
    if not re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BRUSSELS)


def _snapshot_date(value: object) -> dt.datetime | None:
    match = re.match(r"^(\d{2})\.(\d{2})\.(\d{4})$", str(value or "").strip())
    if not match:
        return _date(value)
    return dt.datetime(int(match[3]), int(match[2]), int(match[1]), tzinfo=BRUSSELS)


def read_calls(
    data: bytes, *, file_name: str = ""
) -> Iterator[ImportItem | tuple[str, NoticeRejected]]:
    """Every distinct topic of the snapshot (allCalls, newCalls, missionCalls; the latter two
    repeat topics of the first). A topic without a code, name or deadline is rejected."""
    try:
        snapshot = json.loads(data)
    except json.JSONDecodeError as exc:
        raise NoticeRejected(f"not valid JSON: {exc}") from None
    if not isinstance(snapshot, dict) or not isinstance(snapshot.get("allCalls"), list):
        raise NoticeRejected("not a funding call snapshot (no allCalls list)", kind="unsupported")
    published_at = _snapshot_date(snapshot.get("lastUpdated"))
    seen: set[str] = set()
    for topic in [
        *snapshot["allCalls"],
        *snapshot.get("newCalls", []),
        *snapshot.get("missionCalls", []),
    ]:
        code = str(topic.get("code") or "").strip()
        if code in seen:
            continue
        name = " ".join(str(topic.get("name") or "").split())
        closes_at = _date(topic.get("closeDate"))
        if not code or not name or closes_at is None:
            yield file_name, NoticeRejected(f"topic {code or '?'}: no code, name or deadline")
            continue
        seen.add(code)
        budget = parse_budget(topic.get("budget"))
        opens_at = _date(topic.get("openDate"))
        link = str(topic.get("link") or "")
        description = (
            f"Horizon Europe call topic {code}, published on the EU Funding & Tenders Portal. "
            "The topic page there has the full conditions, the expected outcomes and how to apply."
        )
        yield ImportItem(
            source="eu_funding",
            notice_id=code,
            procedure_id=code,
            file_name=file_name,
            kind="funding",
            notice_type="call-topic",
            issued_at=published_at,
            source_url=link if link.startswith("https://") else "",
            language="en",
            title=name[:300],
            description=description,
            languages=["en"],
            buyer=COMMISSION,
            published_at=published_at or opens_at,
            closes_at=closes_at,
            funding={
                "programme": PROGRAMME,
                "call_code": code[:100],
                "total_budget": budget,
                "opens_at": opens_at.isoformat() if opens_at else "",
            },
            extra={"deadline_note": "eu-portal-time"},
            notice_ids=[code],
        )
