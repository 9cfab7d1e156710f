from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


class ApiRootApi(APIView):
    """Kansen API v1. Authenticate with `Authorization: Token <key>` or a browser session."""

    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request):
        names = {
            "auth-token": "api-auth-token",
            "me": "api-me",
            "organisations": "api-organisations",
            "competencies": "api-competencies",
            "cpv": "api-cpv",
            "regions": "api-regions",
            "schema": "api-schema",
            "docs": "api-docs",
        }
        from django.urls import NoReverseMatch

        for extra in (
            "opportunities",
            "search",
            "matches",
            "applications",
            "companies",
            "saved-searches",
            "ocds-releases",
        ):
            names[extra] = f"api-{extra}"
        links = {}
        for key, name in names.items():
            try:
                links[key] = reverse(name, request=request)
            except NoReverseMatch:
                continue
        return Response(links)
