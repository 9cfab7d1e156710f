"""OCDS API: published opportunities as OCDS 1.1 release packages."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.core.errors import NotFound
from marketplace.core.pagination import PageNumberPagination
from tenders import selectors
from tenders.models import Opportunity
from tenders.opendata.ocds_export import (
    opportunity_id_from_ocid,
    opportunity_release,
    release_package,
    releases_queryset,
)


def _published() -> QuerySet[Opportunity]:
    return releases_queryset(selectors.opportunity_list_public()).order_by("pk")


class OcdsReleaseListApi(APIView):
    """Every published opportunity (also closed, awarded and cancelled ones) as an OCDS 1.1
    release package, a page at a time (`page`, `page_size`); `links.next` and `links.prev`
    point to the neighbouring pages."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses={200: OpenApiTypes.OBJECT},
        operation_id="ocds_releases_list",
    )
    def get(self, request):
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(_published(), request, view=self)
        package = release_package(
            [opportunity_release(o) for o in page], uri=request.build_absolute_uri()
        )
        package["links"] = {
            k: v
            for k, v in (
                ("next", paginator.get_next_link()),
                ("prev", paginator.get_previous_link()),
            )
            if v
        }
        return Response(package)


class OcdsReleaseDetailApi(APIView):
    """One published opportunity as an OCDS 1.1 release package with one release."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, operation_id="ocds_releases_retrieve")
    def get(self, request, ocid: str):
        pk = opportunity_id_from_ocid(ocid)
        opportunity = _published().filter(pk=pk).first() if pk is not None else None
        if opportunity is None:
            raise NotFound()
        return Response(
            release_package([opportunity_release(opportunity)], uri=request.build_absolute_uri())
        )
