"""CSV of any list of opportunities, streamed. `opportunities_csv_response` takes a queryset,
so the overview, the search page or a saved search can each offer a download."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.conf import settings
from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from tenders.models import Opportunity

COLUMNS = [
    "id",
    "kind",
    "title",
    "summary",
    "status",
    "buyer",
    "published_at",
    "opens_at",
    "closes_at",
    "question_deadline",
    "budget_min",
    "budget_max",
    "competencies",
    "cpv_codes",
    "regions",
    "source",
    "source_url",
    "url",
]
CHUNK = 500


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells starting with these as formulas (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def opportunity_rows(qs: QuerySet[Opportunity]) -> Iterator[list[str]]:
    qs = qs.select_related("buyer").prefetch_related("competencies", "cpv_codes", "regions")
    for opportunity in qs.iterator(chunk_size=CHUNK):
        yield [
            _cell(v)
            for v in (
                opportunity.pk,
                opportunity.kind,
                opportunity.title,
                opportunity.summary,
                opportunity.status,
                opportunity.buyer.name,
                opportunity.published_at.isoformat() if opportunity.published_at else "",
                opportunity.opens_at.isoformat() if opportunity.opens_at else "",
                opportunity.closes_at.isoformat() if opportunity.closes_at else "",
                opportunity.question_deadline.isoformat() if opportunity.question_deadline else "",
                opportunity.budget_min,
                opportunity.budget_max,
                " ".join(sorted(c.slug for c in opportunity.competencies.all())),
                " ".join(sorted(c.code for c in opportunity.cpv_codes.all())),
                " ".join(sorted(r.code for r in opportunity.regions.all())),
                opportunity.source,
                opportunity.source_url,
                f"{settings.SITE_URL}{opportunity.get_absolute_url()}",
            )
        ]


def opportunities_csv_response(
    qs: QuerySet[Opportunity], *, filename: str = "opportunities.csv"
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so spreadsheet programs read UTF-8
        yield writer.writerow(COLUMNS)
        for row in opportunity_rows(qs):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
