"""API: saved searches (`/api/v1/saved-searches/`) and following opportunities."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from suppliers import services_alerts as services
from suppliers.models_alerts import Cadence, SavedSearch
from tenders import selectors as opportunity_selectors


class SavedSearchOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = SavedSearch
        fields = ["id", "name", "params", "cadence", "is_paused", "created_at", "updated_at"]


class SavedSearchListCreateApi(APIView):
    """Your saved searches; POST saves a search (same parameters as /api/v1/search/)."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=120)
        params = serializers.DictField(
            help_text="Search parameters: q, kind, status, competency, cpv, region, buyer, closes_after, closes_before, budget_min, budget_max."
        )
        cadence = serializers.ChoiceField(choices=Cadence.choices, default=Cadence.DAILY)

    @extend_schema(responses=SavedSearchOutputSerializer(many=True))
    def get(self, request):
        qs = SavedSearch.objects.filter(user=request.user).order_by("name")
        return Response(SavedSearchOutputSerializer(qs, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: SavedSearchOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = services.saved_search_create(user=request.user, **data.validated_data)
        return Response(SavedSearchOutputSerializer(saved).data, status=status.HTTP_201_CREATED)


class SavedSearchDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=120, required=False)
        params = serializers.DictField(required=False)
        cadence = serializers.ChoiceField(choices=Cadence.choices, required=False)
        is_paused = serializers.BooleanField(required=False)

    @extend_schema(responses=SavedSearchOutputSerializer)
    def get(self, request, pk: int):
        return Response(
            SavedSearchOutputSerializer(
                services.saved_search_get_for_user(user=request.user, pk=pk)
            ).data
        )

    @extend_schema(request=InputSerializer, responses=SavedSearchOutputSerializer)
    def patch(self, request, pk: int):
        saved = services.saved_search_get_for_user(user=request.user, pk=pk)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        saved = services.saved_search_update(saved_search=saved, **data.validated_data)
        return Response(SavedSearchOutputSerializer(saved).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.saved_search_delete(
            saved_search=services.saved_search_get_for_user(user=request.user, pk=pk)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class OpportunityFollowApi(APIView):
    """POST follows an opportunity you can see; DELETE stops following."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, pk: int):
        opportunity = opportunity_selectors.opportunity_get_visible(user=request.user, pk=pk)
        services.follow(user=request.user, opportunity=opportunity)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        opportunity = opportunity_selectors.opportunity_get_visible(user=request.user, pk=pk)
        services.unfollow(user=request.user, opportunity=opportunity)
        return Response(status=status.HTTP_204_NO_CONTENT)
