"""Demo opportunities for `make run` (a step of `seed_demo`): the invented co-creation calls,
test locations, tender and funding call in data/demo/opportunities.json, created and published
through the services. Idempotent: each is found again by its key; one whose deadline has passed
since an earlier run gets a new deadline (an amendment), so the demo stays open."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from marketplace.core import clock
from marketplace.core.models import Organisation, User
from tenders.models import Opportunity
from tenders.services import documents as document_services
from tenders.services import opportunities as services
from tenders.services import questions as question_services

DEMO_FILE = Path(settings.DATA_DIR) / "demo" / "opportunities.json"
SOURCE_PREFIX = "demo:"
DEADLINE_HOUR = 17
DEMO_BUYER_EMAIL = "buyer@amsterdam.example"
DEMO_SUPPLIER_EMAIL = "founder@datastartup.example"


def demo_pdf(text: str) -> bytes:
    """A one-page PDF that says `text` (ASCII), built by hand so the demo needs no library."""
    safe = text.encode("ascii", "replace").decode().replace("\\", "\\\\")
    safe = safe.replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 14 Tf 72 760 Td ({safe}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _deadline(today: dt.date, days: int) -> dt.datetime:
    day = today + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(DEADLINE_HOUR), tzinfo=clock.AMSTERDAM)


def _data(spec: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The service input for one demo entry, with dates made relative to today."""
    data: dict[str, Any] = {
        key: spec[key]
        for key in (
            "title",
            "summary",
            "description",
            "competencies",
            "cpv_codes",
            "regions",
            "is_sme_suitable",
            "is_first_timer_friendly",
            "languages",
            "apply_checklist",
        )
        if key in spec
    }
    for key in ("budget_min", "budget_max"):
        if key in spec:
            data[key] = Decimal(spec[key])
    if spec.get("cpv_codes"):
        data["main_cpv"] = spec["cpv_codes"][0]
    if "closes_in_days" in spec:
        data["closes_at"] = _deadline(today, spec["closes_in_days"])
    if "question_deadline_in_days" in spec:
        data["question_deadline"] = _deadline(today, spec["question_deadline_in_days"])
    data["details"] = dict(spec.get("details", {}))
    for name in ("lots", "award_criteria", "required_documents"):
        if name in spec:
            data[name] = [dict(row) for row in spec[name]]
    if "phases" in spec:
        data["phases"] = [
            {
                "name": p["name"],
                "description": p.get("description", ""),
                "starts_on": today + dt.timedelta(days=p["starts_in_days"]),
                "ends_on": today + dt.timedelta(days=p["ends_in_days"]),
            }
            for p in spec["phases"]
        ]
    if "availability" in spec:
        data["availability"] = [
            {
                "starts_on": today + dt.timedelta(days=w["starts_in_days"]),
                "ends_on": today + dt.timedelta(days=w["ends_in_days"]),
                "note": w.get("note", ""),
            }
            for w in spec["availability"]
        ]
    return data


def _extras(opportunity: Opportunity, spec: dict, *, buyer_user, supplier, today) -> None:
    """What makes a demo page lively: a document, a question with its answer, an amendment."""
    if "document" in spec:
        doc = spec["document"]
        upload = ContentFile(demo_pdf(doc["text"]), name=doc["name"])
        document_services.document_add(
            opportunity=opportunity, by=buyer_user, upload=upload, title=doc["title"]
        )
    if "question" in spec and supplier is not None:
        question = question_services.question_ask(
            opportunity=opportunity, by=supplier, text=spec["question"]["text"]
        )
        question_services.question_answer(
            question=question, by=buyer_user, answer=spec["question"]["answer"]
        )
    if "amendment" in spec:
        change = spec["amendment"]
        data = {}
        if "question_deadline_in_days" in change:
            data["question_deadline"] = _deadline(today, change["question_deadline_in_days"])
        services.opportunity_update(
            opportunity=opportunity, by=buyer_user, data=data, reason=change["reason"]
        )


def _keep_open(opportunity: Opportunity, spec: dict, *, today, now) -> bool:
    """Move a passed deadline of an earlier demo run into the future. True if it did."""
    if opportunity.get_status(now) != Opportunity.Status.CLOSED or "closes_in_days" not in spec:
        return False
    data = {"closes_at": _deadline(today, spec["closes_in_days"])}
    if opportunity.question_deadline is not None:
        data["question_deadline"] = _deadline(
            today, spec.get("question_deadline_in_days", spec["closes_in_days"])
        )
    services.opportunity_update(
        opportunity=opportunity,
        by=None,
        data=data,
        reason="Demo: nieuwe deadline, zodat de demo open blijft.",
        now=now,
    )
    return True


def seed_opportunities(stdout=None) -> list[str]:
    """Create and publish the demo opportunities that are not there yet. Needs the demo buyers
    (marketplace.core.demo.seed_accounts) and the reference data."""
    specs = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["opportunities"]
    now = clock.now()
    today = clock.local_now().date()
    buyer_user = User.objects.filter(email=DEMO_BUYER_EMAIL).first()
    supplier = User.objects.filter(email=DEMO_SUPPLIER_EMAIL).first()
    created = kept = refreshed = 0
    missing_buyers = set()
    for spec in specs:
        source_id = f"{SOURCE_PREFIX}{spec['key']}"
        existing = Opportunity.objects.filter(
            source=Opportunity.Source.KANSEN, source_id=source_id
        ).first()
        if existing is not None:
            if _keep_open(existing, spec, today=today, now=now):
                refreshed += 1
            else:
                kept += 1
            continue
        buyer = Organisation.objects.filter(
            kind=Organisation.Kind.BUYER, name=spec["buyer"]
        ).first()
        if buyer is None:
            missing_buyers.add(spec["buyer"])
            continue
        member = (
            buyer_user
            if buyer_user is not None and buyer.memberships.filter(user=buyer_user).exists()
            else None
        )
        with transaction.atomic():
            opportunity = services.opportunity_create(
                buyer=buyer, by=member, kind=spec["kind"], data=_data(spec, today)
            )
            Opportunity.objects.filter(pk=opportunity.pk).update(source_id=source_id)
            services.opportunity_publish(opportunity=opportunity, by=member)
            _extras(opportunity, spec, buyer_user=member, supplier=supplier, today=today)
        created += 1
    lines = [
        f"{created} demo opportunities published, {kept} already there"
        + (f", {refreshed} given a new deadline" if refreshed else "")
    ]
    if missing_buyers:
        lines.append(f"skipped: no demo buyer called {', '.join(sorted(missing_buyers))}")
    return lines
