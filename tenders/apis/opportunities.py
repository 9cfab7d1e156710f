"""The opportunity API: list and detail for everyone (drafts only for the buyer's members);
create, change and lifecycle actions for members of the owning buyer organisation."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.core.errors import ApplicationError
from marketplace.core.models import Organisation
from marketplace.core.selectors import organisation_get_for_member, user_buyer_organisations
from tenders import selectors
from tenders.filters import OpportunityFilter
from tenders.models import Opportunity
from tenders.serializers import (
    AvailabilityWindowSerializer,
    AwardCriterionSerializer,
    CoCreationPhaseSerializer,
    OpportunityDetailSerializer,
    OpportunitySummarySerializer,
    RequiredDocumentSerializer,
    errors,
)
from tenders.services import opportunities as services


def _detail_queryset(qs):
    return selectors.opportunity_with_details(qs)


class OpportunityListCreateApi(ListAPIView):
    """Opportunities you may see: everything published, plus your own organisation's drafts.
    POST creates a draft for the buyer organisation you are a member of."""

    serializer_class = OpportunitySummarySerializer
    filterset_class = OpportunityFilter
    permission_classes = [AllowAny]

    def get_queryset(self):
        return selectors.opportunity_with_relations(
            selectors.opportunity_list_visible_to(self.request.user)
        ).order_by("-published_at", "-created_at", "-pk")

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=Opportunity.Kind.choices)
        buyer = serializers.IntegerField(
            required=False, help_text="Needed only if you belong to several buyer organisations."
        )
        title = serializers.CharField(max_length=300)
        summary = serializers.CharField(required=False, allow_blank=True)
        description = serializers.CharField(required=False, allow_blank=True)
        competencies = serializers.ListField(child=serializers.CharField(), required=False)
        cpv_codes = serializers.ListField(child=serializers.CharField(), required=False)
        main_cpv = serializers.CharField(required=False, allow_null=True)
        regions = serializers.ListField(child=serializers.CharField(), required=False)
        budget_min = serializers.DecimalField(
            max_digits=14, decimal_places=2, required=False, allow_null=True
        )
        budget_max = serializers.DecimalField(
            max_digits=14, decimal_places=2, required=False, allow_null=True
        )
        opens_at = serializers.DateTimeField(required=False, allow_null=True)
        closes_at = serializers.DateTimeField(required=False, allow_null=True)
        question_deadline = serializers.DateTimeField(required=False, allow_null=True)
        is_sme_suitable = serializers.BooleanField(required=False)
        is_first_timer_friendly = serializers.BooleanField(required=False)
        is_sealed = serializers.BooleanField(required=False)
        languages = serializers.ListField(child=serializers.CharField(max_length=5), required=False)
        apply_checklist = serializers.ListField(child=serializers.CharField(), required=False)
        details = serializers.DictField(
            required=False, help_text="Kind-specific fields (see the detail response)."
        )
        lots = serializers.ListField(child=serializers.DictField(), required=False)
        award_criteria = AwardCriterionSerializer(many=True, required=False)
        required_documents = RequiredDocumentSerializer(many=True, required=False)
        phases = CoCreationPhaseSerializer(many=True, required=False)
        availability = AvailabilityWindowSerializer(many=True, required=False)

    @extend_schema(
        request=InputSerializer,
        responses={201: OpportunityDetailSerializer, **errors(400, 401, 403)},
    )
    def post(self, request):
        if not request.user.is_authenticated:
            from rest_framework.exceptions import NotAuthenticated

            raise NotAuthenticated()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        kind = values.pop("kind")
        buyer_id = values.pop("buyer", None)
        buyer = _buyer_for(request.user, buyer_id)
        opportunity = services.opportunity_create(
            buyer=buyer, by=request.user, kind=kind, data=values
        )
        fresh = _detail_queryset(Opportunity.objects.filter(pk=opportunity.pk)).get()
        return Response(OpportunityDetailSerializer(fresh).data, status=status.HTTP_201_CREATED)


def _buyer_for(user, buyer_id) -> Organisation:
    if buyer_id is not None:
        return organisation_get_for_member(user=user, pk=buyer_id, kind=Organisation.Kind.BUYER)
    buyers = list(user_buyer_organisations(user=user)[:2])
    if not buyers:
        from marketplace.core.errors import Forbidden

        raise Forbidden(_("Only members of a buyer organisation can create opportunities."))
    if len(buyers) > 1:
        raise ApplicationError(
            _("You belong to several buyer organisations; say which one."),
            errors={"buyer": [_("Choose the buyer organisation.")]},
        )
    return buyers[0]


class OpportunityDetailApi(APIView):
    """One opportunity. PATCH changes it (members of its buyer); after publishing, a change is
    an amendment and needs a `reason`."""

    permission_classes = [AllowAny]

    class UpdateSerializer(OpportunityListCreateApi.InputSerializer):
        kind = None
        buyer = None
        title = serializers.CharField(max_length=300, required=False)
        reason = serializers.CharField(required=False, allow_blank=True, max_length=500)

    @extend_schema(responses={200: OpportunityDetailSerializer, **errors(404)})
    def get(self, request, pk: int):
        opportunity = selectors.opportunity_get_visible(user=request.user, pk=pk, related=False)
        opportunity = _detail_queryset(Opportunity.objects.filter(pk=opportunity.pk)).get()
        return Response(OpportunityDetailSerializer(opportunity).data)

    @extend_schema(
        request=UpdateSerializer,
        responses={200: OpportunityDetailSerializer, **errors(400, 401, 404, 409)},
    )
    def patch(self, request, pk: int):
        if not request.user.is_authenticated:
            from rest_framework.exceptions import NotAuthenticated

            raise NotAuthenticated()
        opportunity = selectors.opportunity_get_for_buyer_member(user=request.user, pk=pk)
        data = self.UpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reason = values.pop("reason", "")
        services.opportunity_update(
            opportunity=opportunity, by=request.user, data=values, reason=reason
        )
        fresh = _detail_queryset(Opportunity.objects.filter(pk=pk)).get()
        return Response(OpportunityDetailSerializer(fresh).data)

    @extend_schema(responses={204: None, **errors(401, 404, 409)})
    def delete(self, request, pk: int):
        if not request.user.is_authenticated:
            from rest_framework.exceptions import NotAuthenticated

            raise NotAuthenticated()
        opportunity = selectors.opportunity_get_for_buyer_member(
            user=request.user, pk=pk, related=False
        )
        services.opportunity_delete_draft(opportunity=opportunity, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _ActionApi(APIView):
    permission_classes = [IsAuthenticated]
    InputSerializer: type[serializers.Serializer] = serializers.Serializer

    def act(self, opportunity, data, user):  # pragma: no cover - overridden
        raise NotImplementedError

    def post(self, request, pk: int):
        opportunity = selectors.opportunity_get_for_buyer_member(
            user=request.user, pk=pk, related=False
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        self.act(opportunity, data.validated_data, request.user)
        fresh = _detail_queryset(Opportunity.objects.filter(pk=pk)).get()
        return Response(OpportunityDetailSerializer(fresh).data)


class OpportunityPublishApi(_ActionApi):
    """Publish a draft. A 400 names every field that is still missing; 409 if not a draft."""

    @extend_schema(
        request=None,
        responses={
            200: OpportunityDetailSerializer,
            **errors(
                400, 401, 404, 409, s400="Not complete yet: `errors` names every missing field."
            ),
        },
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, opportunity, data, user):
        services.opportunity_publish(opportunity=opportunity, by=user)


class OpportunityWithdrawApi(_ActionApi):
    """Withdraw an open opportunity before its deadline."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(required=False, allow_blank=True, max_length=500)

    @extend_schema(
        request=InputSerializer,
        responses={200: OpportunityDetailSerializer, **errors(401, 404, 409)},
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, opportunity, data, user):
        services.opportunity_withdraw(
            opportunity=opportunity, by=user, reason=data.get("reason", "")
        )


class OpportunityCloseApi(_ActionApi):
    """Close an open opportunity early."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(required=False, allow_blank=True, max_length=500)

    @extend_schema(
        request=InputSerializer,
        responses={200: OpportunityDetailSerializer, **errors(401, 404, 409)},
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, opportunity, data, user):
        services.opportunity_close_early(
            opportunity=opportunity, by=user, reason=data.get("reason", "")
        )


class OpportunityAwardApi(_ActionApi):
    """Record the outcome after the deadline: winners, or `not_awarded`."""

    class InputSerializer(serializers.Serializer):
        class WinnerSerializer(serializers.Serializer):
            company = serializers.IntegerField(
                required=False, help_text="A company on Kansen (id)."
            )
            supplier_name = serializers.CharField(required=False, max_length=300)
            value = serializers.DecimalField(
                max_digits=16, decimal_places=2, required=False, allow_null=True
            )
            lot = serializers.CharField(required=False, help_text="Lot number.")

        winners = WinnerSerializer(many=True, required=False)
        not_awarded = serializers.BooleanField(default=False)
        note = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(
        request=InputSerializer,
        responses={200: OpportunityDetailSerializer, **errors(400, 401, 404, 409)},
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, opportunity, data, user):
        winners = []
        for w in data.get("winners", []):
            company = None
            if w.get("company") is not None:
                company = Organisation.objects.filter(
                    pk=w["company"], kind=Organisation.Kind.COMPANY
                ).first()
                if company is None:
                    raise ApplicationError(
                        _("Unknown company."),
                        errors={"winners": [_("Unknown company: %(id)s.") % {"id": w["company"]}]},
                    )
            lot = None
            if w.get("lot"):
                lot = opportunity.lots.filter(number=w["lot"]).first()
                if lot is None:
                    raise ApplicationError(
                        _("Unknown lot."),
                        errors={"winners": [_("Unknown lot: %(n)s.") % {"n": w["lot"]}]},
                    )
            winners.append(
                {
                    "company": company,
                    "supplier_name": w.get("supplier_name", ""),
                    "value": w.get("value"),
                    "lot": lot,
                }
            )
        services.opportunity_award(
            opportunity=opportunity,
            by=user,
            winners=winners,
            not_awarded=data["not_awarded"],
            note=data.get("note", ""),
        )


class OpportunityCancelApi(_ActionApi):
    """Cancel an open or closed opportunity, with a reason."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=2000)

    @extend_schema(
        request=InputSerializer,
        responses={200: OpportunityDetailSerializer, **errors(400, 401, 404, 409)},
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, opportunity, data, user):
        services.opportunity_cancel(opportunity=opportunity, by=user, reason=data["reason"])


class OpportunityMissingApi(APIView):
    """What publishing this draft still needs, per field (members of its buyer)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT, **errors(401, 404)},
        description="`{field: [messages]}`; empty when ready.",
    )
    def get(self, request, pk: int):
        opportunity = selectors.opportunity_get_for_buyer_member(
            user=request.user, pk=pk, related=False
        )
        return Response(services.opportunity_missing_fields(opportunity))
