"""Facet counts as the page and the API show them: labelled buckets, selected values kept
(so they can be unticked) even when nothing matches. Shared by every backend, so the same
counts look the same everywhere."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from marketplace.core.models import Competency, CpvCode, Organisation, Region
from search.query import BUDGET_BAND_VALUES, CLOSING_WINDOWS, KINDS, STATUSES, OpportunityQuery


@dataclasses.dataclass(frozen=True)
class FacetBucket:
    value: str
    label: str
    count: int | None
    selected: bool = False
    level: str = ""  # region only: province | municipality | other

    def as_dict(self) -> dict[str, Any]:
        out = {"value": self.value, "label": self.label, "count": self.count}
        if self.level:
            out["level"] = self.level
        return out


def _static_labels() -> dict[str, dict[str, str]]:
    from tenders.models import Opportunity

    return {
        "kind": {k: str(Opportunity.Kind(k).label) for k in KINDS},
        "status": {s: str(Opportunity.Status(s).label) for s in STATUSES},
        "closing": {
            "this_week": _("Closes within 7 days"),
            "this_month": _("Closes in 8 to 30 days"),
            "later": _("Closes later or has no deadline"),
        },
        "budget_band": {
            "under_50k": _("Under €50,000"),
            "50k_250k": _("€50,000 to €250,000"),
            "250k_1m": _("€250,000 to €1 million"),
            "over_1m": _("€1 million or more"),
        },
        "sme_suitable": {"true": _("Suitable for SMEs")},
        "first_timer_friendly": {"true": _("Friendly to first-time applicants")},
    }


_label_cache: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}


def _reference(model: str, lang: str) -> dict[str, tuple[str, str]]:
    """code -> (label, kind) for reference data, cached per process once loaded."""
    key = (model, lang)
    if key in _label_cache:
        return _label_cache[key]
    field = "label_en" if lang == "en" else "label_nl"
    if model == "region":
        rows = {
            code: (label, kind)
            for code, label, kind in Region.objects.values_list("code", field, "kind")
        }
    elif model == "competency":
        rows = {slug: (label, "") for slug, label in Competency.objects.values_list("slug", field)}
    else:
        rows = {
            code: (label, "")
            for code, label in CpvCode.objects.filter(level=CpvCode.Level.DIVISION).values_list(
                "code", field
            )
        }
    if rows:
        _label_cache[key] = rows
    return rows


def label_facets(
    raw: dict[str, dict[str, int]], query: OpportunityQuery
) -> dict[str, list[FacetBucket]]:
    lang = "en" if (get_language() or "nl").startswith("en") else "nl"
    static = _static_labels()
    out: dict[str, list[FacetBucket]] = {}

    for name in ("kind", "status", "closing", "budget_band"):
        order = {
            "kind": KINDS,
            "status": STATUSES,
            "closing": CLOSING_WINDOWS,
            "budget_band": BUDGET_BAND_VALUES,
        }[name]
        counts = raw.get(name, {})
        selected = set(getattr(query, name))
        out[name] = [
            FacetBucket(v, static[name][v], counts.get(v, 0), v in selected)
            for v in order
            if counts.get(v, 0) or v in selected
        ]

    for name in ("sme_suitable", "first_timer_friendly"):
        count = raw.get(name, {}).get("true", 0)
        selected = getattr(query, name) is True
        out[name] = (
            [FacetBucket("true", static[name]["true"], count, selected)]
            if count or selected
            else []
        )

    competencies = _reference("competency", lang)
    out["competency"] = _ranked(
        raw.get("competency", {}),
        query.competency,
        lambda v: competencies.get(v, (v, ""))[0],
    )

    regions = _reference("region", lang)
    region_buckets = []
    selected_regions = set(query.region)
    for name, level in (("province", "province"), ("municipality", "municipality")):
        for value, count in _top(raw.get(name, {})):
            region_buckets.append(
                FacetBucket(
                    value,
                    regions.get(value, (value, ""))[0],
                    count,
                    value in selected_regions,
                    level,
                )
            )
    shown = {b.value for b in region_buckets}
    for value in query.region:
        if value not in shown:
            label, kind = regions.get(value, (value, ""))
            level = {"nuts2": "province", "municipality": "municipality"}.get(kind, "other")
            region_buckets.append(FacetBucket(value, label, None, True, level))
    out["region"] = region_buckets

    divisions = _reference("cpv", lang)
    cpv_buckets = []
    for value, count in _top(raw.get("cpv", {})):
        code = value.ljust(8, "0")
        cpv_buckets.append(
            FacetBucket(code, divisions.get(code, (code, ""))[0], count, code in query.cpv)
        )
    shown = {b.value for b in cpv_buckets}
    for code in query.cpv:
        if code not in shown:
            cpv_buckets.append(FacetBucket(code, divisions.get(code, (code, ""))[0], None, True))
    out["cpv"] = cpv_buckets

    buyer_counts = raw.get("buyer", {})
    ids = [int(v) for v, _count in _top(buyer_counts)]
    wanted = set(query.buyer)
    orgs = Organisation.objects.filter(pk__in=ids).values_list("pk", "slug", "name")
    if wanted:
        from django.db.models import Q

        numeric = [int(v) for v in wanted if v.isdigit()]
        orgs = Organisation.objects.filter(
            Q(pk__in=ids) | Q(slug__in=wanted) | Q(pk__in=numeric)
        ).values_list("pk", "slug", "name")
    names = {pk: (slug, name) for pk, slug, name in orgs}
    buyer_buckets = []
    for pk in ids:
        if pk in names:
            slug, name = names[pk]
            selected = slug in wanted or str(pk) in wanted
            buyer_buckets.append(FacetBucket(slug, name, buyer_counts[str(pk)], selected))
    shown = {b.value for b in buyer_buckets}
    for pk, (slug, name) in names.items():
        if (slug in wanted or str(pk) in wanted) and slug not in shown:
            buyer_buckets.append(FacetBucket(slug, name, buyer_counts.get(str(pk), 0), True))
    out["buyer"] = buyer_buckets
    return out


def _top(counts: dict[str, int], size: int = 20) -> list[tuple[str, int]]:
    return sorted(((v, c) for v, c in counts.items() if c), key=lambda vc: (-vc[1], vc[0]))[:size]


def _ranked(counts, selected, label) -> list[FacetBucket]:
    buckets = [FacetBucket(v, label(v), c, v in selected) for v, c in _top(counts, 50)]
    shown = {b.value for b in buckets}
    buckets += [FacetBucket(v, label(v), 0, True) for v in selected if v not in shown]
    return buckets
