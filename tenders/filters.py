"""Filters for opportunity lists (the API names from DESIGN.md)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone

from marketplace.core.selectors import competency_slugs_within, cpv_prefix, region_codes_within
from tenders.models import Opportunity


class CharInFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    pass


class OpportunityFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=Opportunity.Kind.choices)
    status = django_filters.MultipleChoiceFilter(
        choices=Opportunity.Status.choices, method="filter_status"
    )
    competency = CharInFilter(
        method="filter_competency",
        help_text="Competency slugs (comma-separated); a parent includes its children.",
    )
    cpv = CharInFilter(
        method="filter_cpv",
        help_text="CPV codes (comma-separated); a division or group includes every code below it.",
    )
    region = CharInFilter(
        method="filter_region",
        help_text="NUTS or municipality codes (comma-separated); a region includes what lies inside it.",
    )
    buyer = django_filters.CharFilter(
        method="filter_buyer", help_text="Buyer organisation id or slug."
    )
    closes_after = django_filters.IsoDateTimeFilter(field_name="closes_at", lookup_expr="gte")
    closes_before = django_filters.IsoDateTimeFilter(field_name="closes_at", lookup_expr="lte")
    budget_min = django_filters.NumberFilter(
        method="filter_budget_min", help_text="Budget reaches at least this amount (EUR)."
    )
    budget_max = django_filters.NumberFilter(
        method="filter_budget_max", help_text="Budget starts at or below this amount (EUR)."
    )

    class Meta:
        model = Opportunity
        fields: list[str] = []

    def filter_status(self, qs, name, values):
        return qs.with_status(*values, now=timezone.now()) if values else qs

    def filter_competency(self, qs, name, values):
        slugs = [s for v in values for s in competency_slugs_within(v)]
        return qs.filter(competencies__slug__in=slugs).distinct()

    def filter_cpv(self, qs, name, values):
        q = Q()
        for value in values:
            q |= Q(cpv_codes__code__startswith=cpv_prefix(value))
        return qs.filter(q).distinct()

    def filter_region(self, qs, name, values):
        codes = [c for v in values for c in region_codes_within(v)]
        return qs.filter(regions__code__in=codes).distinct()

    def filter_buyer(self, qs, name, value):
        return qs.filter(buyer_id=int(value)) if value.isdigit() else qs.filter(buyer__slug=value)

    def filter_budget_min(self, qs, name, value):
        return qs.filter(
            Q(budget_max__gte=value) | Q(budget_max__isnull=True, budget_min__gte=value)
        )

    def filter_budget_max(self, qs, name, value):
        return qs.filter(
            Q(budget_min__lte=value) | Q(budget_min__isnull=True, budget_max__lte=value)
        )
