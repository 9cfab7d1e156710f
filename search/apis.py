"""The search API: `GET /api/v1/search/` and `GET /api/v1/search/suggest/`."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from search.query import OpportunityQuery
from search.selectors import opportunity_search, opportunity_suggest
from tenders.models import Opportunity
from tenders.serializers import OpportunitySummarySerializer

MULTI_HELP = "Several values: repeat the parameter or separate them with commas."


class SearchResultSerializer(OpportunitySummarySerializer):
    """The list shape plus highlights. Codes come from `.codes`, which search results carry
    (read with the row; see `search.backends.base.result_rows`)."""

    highlight = serializers.SerializerMethodField()

    @staticmethod
    def get_highlight(obj) -> dict[str, str]:
        return getattr(obj, "highlight", None) or {}

    def get_competencies(self, obj) -> list[str]:
        codes = getattr(obj, "codes", None)
        return codes["competencies"] if codes else super().get_competencies(obj)

    def get_cpv_codes(self, obj) -> list[str]:
        codes = getattr(obj, "codes", None)
        return codes["cpv_codes"] if codes else super().get_cpv_codes(obj)

    def get_regions(self, obj) -> list[str]:
        codes = getattr(obj, "codes", None)
        return codes["regions"] if codes else super().get_regions(obj)

    def to_representation(self, obj):
        """The same dictionary as the declared fields give (tests compare the two), written
        out: DRF's generic loop over 19 fields costs more than the rest of a page of 20."""
        codes = getattr(obj, "codes", None)
        if codes is None:
            return super().to_representation(obj)
        buyer = obj.buyer
        return {
            "id": obj.id,
            "kind": _CHOICE_KIND.to_representation(obj.kind),
            "title": obj.title,
            "summary": obj.summary,
            "status": _CHOICE_STATUS.to_representation(obj.status),
            "buyer": {"id": buyer.id, "name": buyer.name, "slug": buyer.slug},
            "closes_at": _DATETIME.to_representation(obj.closes_at) if obj.closes_at else None,
            "published_at": (
                _DATETIME.to_representation(obj.published_at) if obj.published_at else None
            ),
            "competencies": codes["competencies"],
            "cpv_codes": codes["cpv_codes"],
            "regions": codes["regions"],
            "budget_min": _money(obj.budget_min),
            "budget_max": _money(obj.budget_max),
            "is_sme_suitable": bool(obj.is_sme_suitable),
            "is_first_timer_friendly": bool(obj.is_first_timer_friendly),
            "source": obj.source,
            "source_url": obj.source_url,
            "url": self.get_url(obj),
            "highlight": self.get_highlight(obj),
        }


# Field instances that format values exactly as the declared fields do.
_DATETIME = serializers.DateTimeField()
_DECIMAL = serializers.DecimalField(max_digits=14, decimal_places=2)
_CHOICE_KIND = serializers.ChoiceField(choices=Opportunity.Kind.choices)
_CHOICE_STATUS = serializers.ChoiceField(choices=Opportunity.Status.choices)


def _money(value):
    return None if value is None else _DECIMAL.to_representation(value)


class FacetBucketSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField(allow_null=True)
    level = serializers.CharField(required=False)


def _params() -> list[OpenApiParameter]:
    out = [
        OpenApiParameter("q", str, description="Words to search for (Dutch or English)."),
        OpenApiParameter("sort", str, enum=["relevance", "closing", "newest"]),
        OpenApiParameter("page", int),
        OpenApiParameter("page_size", int),
        OpenApiParameter("facets", bool, description="Include facet counts (default true)."),
    ]
    for name in (
        "kind",
        "status",
        "competency",
        "cpv",
        "region",
        "buyer",
        "budget_band",
        "closing",
    ):
        out.append(OpenApiParameter(name, str, description=MULTI_HELP))
    for name in ("closes_after", "closes_before"):
        out.append(OpenApiParameter(name, OpenApiTypes.DATETIME))
    for name in ("budget_min", "budget_max"):
        out.append(OpenApiParameter(name, OpenApiTypes.DECIMAL))
    for name in ("sme_suitable", "first_timer_friendly"):
        out.append(OpenApiParameter(name, bool))
    return out


class SearchApi(APIView):
    """Search opportunities: words plus the same filters as `opportunities`, sorted by
    relevance (open and closing soon first), closing date or newest; with facet counts."""

    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        count = serializers.IntegerField()
        next = serializers.CharField(allow_null=True)
        previous = serializers.CharField(allow_null=True)
        results = SearchResultSerializer(many=True)
        facets = serializers.DictField(child=FacetBucketSerializer(many=True))
        backend = serializers.CharField()
        degraded = serializers.BooleanField()

    @extend_schema(parameters=_params(), responses=OutputSerializer)
    def get(self, request):
        query = OpportunityQuery.from_params(
            request.query_params, page_size=settings.REST_FRAMEWORK["PAGE_SIZE"]
        )
        with_facets = request.query_params.get("facets", "true").lower() not in ("false", "0")
        page = opportunity_search(user=request.user, query=query, facets=with_facets)

        def link(number: int) -> str:
            params = [(k, v) for k, v in query.replace(page=number).to_params()]
            if query.page_size != 20:
                params = [p for p in params if p[0] != "page_size"] + [
                    ("page_size", str(query.page_size))
                ]
            from urllib.parse import urlencode

            return request.build_absolute_uri(f"{request.path}?{urlencode(params)}")

        return Response(
            {
                "count": page.count,
                "next": link(query.page + 1) if page.has_next else None,
                "previous": link(query.page - 1) if page.has_previous else None,
                "results": SearchResultSerializer(page.results, many=True).data,
                "facets": {
                    name: [b.as_dict() for b in buckets] for name, buckets in page.facets.items()
                },
                "backend": page.backend,
                "degraded": page.degraded,
            }
        )


class SearchSuggestApi(APIView):
    """Type-ahead: opportunity titles, buyers, competencies and CPV codes matching what was
    typed. `type` says which filter `value` belongs to (an opportunity's value is its id)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True)],
        responses=inline_serializer(
            "SearchSuggestions",
            {
                "suggestions": inline_serializer(
                    "SearchSuggestion",
                    {
                        "type": serializers.ChoiceField(
                            choices=["opportunity", "buyer", "competency", "cpv"]
                        ),
                        "text": serializers.CharField(),
                        "value": serializers.CharField(),
                    },
                    many=True,
                )
            },
        ),
    )
    def get(self, request):
        typed = request.query_params.get("q", "")
        suggestions = opportunity_suggest(user=request.user, text=typed)
        return Response(
            {
                "suggestions": [
                    {"type": s.type, "text": s.text, "value": s.value} for s in suggestions
                ]
            }
        )
