"""Core API: tokens, the signed-in user, organisations and members, reference data."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from marketplace.core import selectors, services
from marketplace.core.errors import ApplicationError, NotFound
from marketplace.core.models import Competency, CpvCode, Membership, Organisation, Region, User


class TokenThrottle(AnonRateThrottle):
    scope = "token"


class AuthTokenCreateApi(APIView):
    """Exchange an email address and password for an API token."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [TokenThrottle]

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
        name = serializers.CharField(required=False, allow_blank=True, max_length=100)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer}, auth=[])
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email = data.validated_data["email"].lower()
        user = authenticate(request, email=email, password=data.validated_data["password"])
        if user is None:
            raise ApplicationError(
                _("Email address or password is not correct."),
                errors={"non_field_errors": [_("Email address or password is not correct.")]},
            )
        if not EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists():
            raise ApplicationError(
                _("Confirm your email address first; we sent you a link."),
                errors={"email": [_("This email address is not confirmed yet.")]},
            )
        _token, key = services.api_token_create(user=user, name=data.validated_data.get("name", ""))
        return Response({"token": key}, status=status.HTTP_201_CREATED)


class ApiTokenOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)


class AuthTokenListApi(APIView):
    """Your active API tokens (only their first characters are shown)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ApiTokenOutputSerializer(many=True))
    def get(self, request):
        tokens = selectors.api_token_list(user=request.user)
        return Response(ApiTokenOutputSerializer(tokens, many=True).data)


class AuthTokenRevokeApi(APIView):
    """Revoke one of your API tokens."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request, token_id: int):
        services.api_token_revoke(user=request.user, token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AuthTokenRevokeCurrentApi(APIView):
    """Revoke the token this request was made with."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        token = request.auth
        if token is None or not hasattr(token, "pk"):
            raise ApplicationError(_("This request was not made with an API token."))
        services.api_token_revoke(user=request.user, token_id=token.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class OrganisationOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = [
            "id",
            "kind",
            "name",
            "slug",
            "buyer_type",
            "oin",
            "kvk_number",
            "size_class",
            "website",
            "city",
            "country",
            "is_claimed",
        ]


class MembershipOutputSerializer(serializers.Serializer):
    organisation = OrganisationOutputSerializer()
    role = serializers.CharField()


class MeApi(APIView):
    """The signed-in user and their organisations."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        email = serializers.EmailField()
        name = serializers.CharField()
        language = serializers.CharField()
        memberships = MembershipOutputSerializer(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        user: User = request.user
        memberships = Membership.objects.filter(user=user).select_related("organisation")
        return Response(
            self.OutputSerializer(
                {
                    "id": user.pk,
                    "email": user.email,
                    "name": user.name,
                    "language": user.language,
                    "memberships": memberships,
                }
            ).data
        )


class OrganisationListCreateApi(APIView):
    """Organisations you belong to; create a company or buyer organisation (you become admin)."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=Organisation.Kind.choices)
        name = serializers.CharField(max_length=200)
        buyer_type = serializers.ChoiceField(
            choices=Organisation.BuyerType.choices, required=False, allow_blank=True
        )
        oin = serializers.CharField(required=False, allow_blank=True, max_length=20)
        kvk_number = serializers.CharField(required=False, allow_blank=True, max_length=8)
        size_class = serializers.ChoiceField(
            choices=Organisation.SizeClass.choices, required=False, allow_blank=True
        )
        website = serializers.URLField(required=False, allow_blank=True)
        city = serializers.CharField(required=False, allow_blank=True, max_length=120)

        def validate(self, attrs):
            errors = {}
            if attrs["kind"] == Organisation.Kind.COMPANY:
                if not attrs.get("kvk_number"):
                    errors["kvk_number"] = [_("A company needs its KvK number (8 digits).")]
                if not attrs.get("size_class"):
                    errors["size_class"] = [_("Choose the size of the company.")]
            elif not attrs.get("buyer_type"):
                errors["buyer_type"] = [_("Choose the type of buyer organisation.")]
            if errors:
                raise serializers.ValidationError(errors)
            return attrs

    @extend_schema(responses=OrganisationOutputSerializer(many=True))
    def get(self, request):
        orgs = selectors.organisation_list_for_user(user=request.user)
        return Response(OrganisationOutputSerializer(orgs, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: OrganisationOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        org = services.organisation_create(by=request.user, **data.validated_data)
        return Response(OrganisationOutputSerializer(org).data, status=status.HTTP_201_CREATED)


class OrganisationDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OrganisationOutputSerializer)
    def get(self, request, org_id: int):
        org = selectors.organisation_get_for_member(user=request.user, pk=org_id)
        return Response(OrganisationOutputSerializer(org).data)


class MemberOutputSerializer(serializers.Serializer):
    user_id = serializers.IntegerField(source="user.pk")
    email = serializers.EmailField(source="user.email")
    name = serializers.CharField(source="user.name")
    role = serializers.CharField()


class OrganisationMemberListApi(APIView):
    """Members of an organisation you belong to."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MemberOutputSerializer(many=True))
    def get(self, request, org_id: int):
        org = selectors.organisation_get_for_member(user=request.user, pk=org_id)
        return Response(
            MemberOutputSerializer(selectors.membership_list(organisation=org), many=True).data
        )


class OrganisationMemberDetailApi(APIView):
    """Change a member's role or remove a member (admins only)."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        role = serializers.ChoiceField(choices=Membership.Role.choices)

    def _member(self, org, user_id):
        membership = selectors.membership_list(organisation=org).filter(user_id=user_id).first()
        if membership is None:
            raise NotFound()
        return membership.user

    @extend_schema(request=InputSerializer, responses=MemberOutputSerializer)
    def patch(self, request, org_id: int, user_id: int):
        org = selectors.organisation_get_for_member(user=request.user, pk=org_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_set_role(
            organisation=org,
            user=self._member(org, user_id),
            role=data.validated_data["role"],
            by=request.user,
        )
        return Response(MemberOutputSerializer(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request, org_id: int, user_id: int):
        org = selectors.organisation_get_for_member(user=request.user, pk=org_id)
        services.membership_remove(
            organisation=org, user=self._member(org, user_id), by=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class OrganisationInvitationCreateApi(APIView):
    """Invite someone by email (admins only)."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        role = serializers.ChoiceField(choices=Membership.Role.choices, default="member")

    @extend_schema(
        request=InputSerializer,
        responses={
            201: inline_serializer(
                "InvitationOut",
                {
                    "id": serializers.IntegerField(),
                    "email": serializers.EmailField(),
                    "role": serializers.CharField(),
                },
            )
        },
    )
    def post(self, request, org_id: int):
        org = selectors.organisation_get_for_member(user=request.user, pk=org_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invitation_create(
            organisation=org, by=request.user, **data.validated_data
        )
        return Response(
            {"id": invitation.pk, "email": invitation.email, "role": invitation.role},
            status=status.HTTP_201_CREATED,
        )


class CompetencyOutputSerializer(serializers.Serializer):
    slug = serializers.CharField()
    parent = serializers.CharField(source="parent.slug", allow_null=True, default=None)
    label = serializers.CharField()
    label_nl = serializers.CharField()
    label_en = serializers.CharField()
    description = serializers.CharField()


class CompetencyListApi(APIView):
    """The competency taxonomy. Slugs are stable API values."""

    permission_classes = [AllowAny]

    @extend_schema(responses=CompetencyOutputSerializer(many=True))
    def get(self, request):
        qs = Competency.objects.select_related("parent").order_by("position")
        return Response(CompetencyOutputSerializer(qs, many=True).data)


class CodeLabelSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    label_nl = serializers.CharField()
    label_en = serializers.CharField()
    parent = serializers.CharField(source="parent_id", allow_null=True)


class CpvListApi(APIView):
    """Type-ahead over the 9,454 CPV codes, by code or by Dutch or English label."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("q", str), OpenApiParameter("limit", int)],
        responses=CodeLabelSerializer(many=True),
    )
    def get(self, request):
        q = request.query_params.get("q", "").strip()
        limit = _limit(request)
        qs = CpvCode.objects.all()
        if q:
            digits = q.replace("-", "")
            if digits.isdigit():
                qs = qs.filter(code__startswith=digits[:8])
            else:
                for word in q.split():
                    qs = qs.filter(Q(label_nl__icontains=word) | Q(label_en__icontains=word))
        return Response(CodeLabelSerializer(qs.order_by("level", "code")[:limit], many=True).data)


class RegionListApi(APIView):
    """NUTS 2024 regions and Dutch municipalities (CBS codes), by code or name."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str),
            OpenApiParameter("country", str),
            OpenApiParameter("kind", str, enum=Region.Kind.values),
            OpenApiParameter("limit", int),
        ],
        responses=CodeLabelSerializer(many=True),
    )
    def get(self, request):
        q = request.query_params.get("q", "").strip()
        qs = Region.objects.all()
        if country := request.query_params.get("country"):
            qs = qs.filter(country=country.upper())
        if kind := request.query_params.get("kind"):
            qs = qs.filter(kind=kind)
        if q:
            qs = qs.filter(
                Q(code__istartswith=q) | Q(label_nl__icontains=q) | Q(label_en__icontains=q)
            )
        return Response(CodeLabelSerializer(qs.order_by("code")[: _limit(request)], many=True).data)


def _limit(request, default: int = 20, maximum: int = 100) -> int:
    try:
        return max(1, min(int(request.query_params.get("limit", default)), maximum))
    except ValueError:
        raise ApplicationError(
            _("limit must be a whole number."), errors={"limit": [_("Enter a whole number.")]}
        ) from None
