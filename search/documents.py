"""What the search index knows about an opportunity, built from the database in bulk.

Every backend indexes the same `IndexedOpportunity`: the text, the facet values (codes with
their ancestors, so a filter on a parent finds everything below it) and the facts from which
status is worked out at query time (status changes with the clock, so it is never stored).
Only public opportunities are built; callers remove the others from the index.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from marketplace.core.models import Competency, Region
from search.query import budget_band, closing_window, cpv_prefixes
from tenders.models import Opportunity


@dataclasses.dataclass
class IndexedOpportunity:
    id: int
    kind: str
    title: str
    summary: str
    description: str
    labels: str  # buyer, competency, CPV and region names: searchable, not shown
    buyer_id: int
    buyer_slug: str
    buyer_name: str
    competencies: list[str]  # slugs with their parents
    cpv: list[str]  # every ancestor prefix of every code
    cpv_divisions: list[str]  # two digits
    regions: list[str]  # codes with every region above them
    provinces: list[str]
    municipalities: list[str]
    budget_min: Decimal | None
    budget_max: Decimal | None
    budget_band: str
    closes_at: dt.datetime | None
    published_at: dt.datetime
    is_cancelled: bool
    is_awarded: bool
    is_sme_suitable: bool
    is_first_timer_friendly: bool

    @property
    def text(self) -> str:
        return "\n".join((self.title, self.summary, self.description, self.labels))

    def status(self, now: dt.datetime) -> str:
        if self.is_cancelled:
            return "cancelled"
        if self.is_awarded:
            return "awarded"
        if self.closes_at is not None and self.closes_at <= now:
            return "closed"
        return "published"

    def closing(self, now: dt.datetime) -> str:
        if self.is_cancelled or self.is_awarded:
            return ""
        return closing_window(self.closes_at, now)

    @property
    def budget_upper(self) -> Decimal | None:
        return self.budget_max if self.budget_max is not None else self.budget_min

    @property
    def budget_lower(self) -> Decimal | None:
        return self.budget_min if self.budget_min is not None else self.budget_max


class _Regions:
    """Region codes with their ancestors and kinds, loaded once per build."""

    def __init__(self, codes: Iterable[str]):
        self.parent: dict[str, str | None] = {}
        self.kind: dict[str, str] = {}
        self.label: dict[str, str] = {}
        todo = set(codes)
        while todo:
            rows = Region.objects.filter(code__in=todo).values_list(
                "code", "parent_id", "kind", "label_nl"
            )
            todo = set()
            for code, parent, kind, label in rows:
                self.parent[code], self.kind[code], self.label[code] = parent, kind, label
                if parent and parent not in self.parent:
                    todo.add(parent)

    def path(self, code: str) -> list[str]:
        out = []
        seen = set()
        while code and code not in seen:
            seen.add(code)
            out.append(code)
            code = self.parent.get(code)
        return out


@dataclasses.dataclass(frozen=True, slots=True)
class _Code:
    """A competency, CPV code or region of an opportunity as `build` reads it."""

    code: str
    label_nl: str
    label_en: str

    @property
    def slug(self) -> str:
        return self.code


# The opportunity columns a document is built from, with the buyer's name and slug (read as
# plain values; not the application form and the other columns search never reads).
BUILD_FIELDS = (
    "kind",
    "title",
    "summary",
    "description",
    "buyer_id",
    "buyer__name",
    "buyer__slug",
    "main_cpv_id",
    "budget_min",
    "budget_max",
    "closes_at",
    "published_at",
    "cancelled_at",
    "awarded_at",
    "is_sme_suitable",
    "is_first_timer_friendly",
)


def build(ids: Sequence[int]) -> dict[int, IndexedOpportunity]:
    """The indexable form of the public opportunities among `ids` (others are left out)."""
    # Plain values, not model instances: a batch of imported notices builds thousands.
    rows = list(Opportunity.objects.public().filter(pk__in=list(ids)).values("id", *BUILD_FIELDS))
    if not rows:
        return {}
    competencies = {
        c.slug: c
        for c in Competency.objects.select_related("parent").only(
            "slug", "label_nl", "label_en", "parent__slug"
        )
    }
    # The codes of each opportunity, read from the join tables as plain values (no model
    # instance per code), each list in the order of the code's model (as a prefetch gives).
    found = [o["id"] for o in rows]
    prefetched: dict[int, tuple[list, list, list]] = {pk: ([], [], []) for pk in found}
    for pk, slug in (
        Opportunity.competencies.through.objects.filter(opportunity_id__in=found)
        .order_by("competency__position", "competency__slug")
        .values_list("opportunity_id", "competency__slug")
    ):
        prefetched[pk][0].append(_Code(slug, "", ""))
    for pk, code, label_nl, label_en in (
        Opportunity.cpv_codes.through.objects.filter(opportunity_id__in=found)
        .order_by("cpvcode_id")
        .values_list("opportunity_id", "cpvcode_id", "cpvcode__label_nl", "cpvcode__label_en")
    ):
        prefetched[pk][1].append(_Code(code, label_nl, label_en))
    for pk, code in (
        Opportunity.regions.through.objects.filter(opportunity_id__in=found)
        .order_by("region_id")
        .values_list("opportunity_id", "region_id")
    ):
        prefetched[pk][2].append(_Code(code, "", ""))
    regions = _Regions({r.code for _c, _cpv, rs in prefetched.values() for r in rs})
    out = {}
    for o in rows:
        o_competencies, o_cpv_codes, o_regions = prefetched[o["id"]]
        comp = []
        for c in o_competencies:
            node = competencies.get(c.slug)
            while node is not None and node.slug not in comp:
                comp.append(node.slug)
                node = node.parent
        codes = [c.code for c in o_cpv_codes]
        if o["main_cpv_id"] and o["main_cpv_id"] not in codes:
            codes.append(o["main_cpv_id"])
        region_path: list[str] = []
        for r in o_regions:
            for code in regions.path(r.code):
                if code not in region_path:
                    region_path.append(code)
        labels = [o["buyer__name"]]
        labels += [
            f"{competencies[s].label_nl} {competencies[s].label_en}"
            for s in comp
            if s in competencies
        ]
        labels += [f"{c.label_nl} {c.label_en}" for c in o_cpv_codes]
        labels += [regions.label[r.code] for r in o_regions if r.code in regions.label]
        out[o["id"]] = IndexedOpportunity(
            id=o["id"],
            kind=o["kind"],
            title=o["title"],
            summary=o["summary"],
            description=o["description"],
            labels="\n".join(labels),
            buyer_id=o["buyer_id"],
            buyer_slug=o["buyer__slug"],
            buyer_name=o["buyer__name"],
            competencies=comp,
            cpv=list(dict.fromkeys(p for code in codes for p in cpv_prefixes(code))),
            cpv_divisions=list(dict.fromkeys(code[:2] for code in codes)),
            regions=region_path,
            provinces=[c for c in region_path if regions.kind.get(c) == Region.Kind.PROVINCE],
            municipalities=[
                c for c in region_path if regions.kind.get(c) == Region.Kind.MUNICIPALITY
            ],
            budget_min=o["budget_min"],
            budget_max=o["budget_max"],
            budget_band=budget_band(o["budget_min"], o["budget_max"]),
            closes_at=o["closes_at"],
            published_at=o["published_at"],
            is_cancelled=o["cancelled_at"] is not None,
            is_awarded=o["awarded_at"] is not None,
            is_sme_suitable=o["is_sme_suitable"],
            is_first_timer_friendly=o["is_first_timer_friendly"],
        )
    return out


def public_ids() -> list[int]:
    return list(Opportunity.objects.public().order_by("pk").values_list("pk", flat=True))
