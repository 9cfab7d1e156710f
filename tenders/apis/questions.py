"""Questions and answers about an opportunity. Everyone who may see it reads the answered
questions; suppliers ask; members of the buyer see the unanswered ones and answer publicly."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.core.models import Membership, Organisation
from marketplace.core.selectors import organisation_get_for_member
from tenders import selectors
from tenders.models import Question
from tenders.serializers import QuestionSerializer, errors
from tenders.services import questions as services


def _company_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(
            user=user, organisation__kind=Organisation.Kind.COMPANY
        ).values_list("organisation_id", flat=True)
    )


class OpportunityQuestionListCreateApi(ListAPIView):
    """Questions about an opportunity, oldest first. Everyone sees the answered ones; members
    of the buyer also see the unanswered ones (filter with `answered=false`), and a company
    sees its own. Who asked is never shown. POST asks a question (members of a company, while
    the opportunity is open and before its question deadline)."""

    serializer_class = QuestionSerializer

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=services.MAX_QUESTION_LENGTH)
        company = serializers.IntegerField(
            required=False, help_text="Needed only if you belong to several companies."
        )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return Question.objects.none()
        opportunity = selectors.opportunity_get_visible(
            user=self.request.user, pk=self.kwargs["pk"], related=False
        )
        qs = selectors.question_list_visible(user=self.request.user, opportunity=opportunity)
        answered = self.request.query_params.get("answered")
        if answered in ("true", "false"):
            qs = qs.filter(answered_at__isnull=answered == "false")
        return qs.order_by("asked_at", "pk")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "company_ids": _company_ids(self.request.user)}

    @extend_schema(
        parameters=[OpenApiParameter("answered", bool, description="Only (un)answered ones.")],
        responses={200: QuestionSerializer(many=True), **errors(404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: QuestionSerializer,
            **errors(
                400,
                401,
                403,
                404,
                409,
                s403="Only members of a company ask, and not about their own organisation's opportunity.",
                s409="The opportunity is not open, or its question deadline has passed.",
            ),
        },
    )
    def post(self, request, pk: int):
        opportunity = selectors.opportunity_get_visible(user=request.user, pk=pk, related=False)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        company = None
        if data.validated_data.get("company") is not None:
            company = organisation_get_for_member(
                user=request.user,
                pk=data.validated_data["company"],
                kind=Organisation.Kind.COMPANY,
            )
        question = services.question_ask(
            opportunity=opportunity,
            by=request.user,
            text=data.validated_data["text"],
            company=company,
        )
        out = QuestionSerializer(question, context={"company_ids": _company_ids(request.user)})
        return Response(out.data, status=status.HTTP_201_CREATED)


class OpportunityQuestionAnswerApi(APIView):
    """Answer a question publicly (members of the buyer). `question` optionally rephrases the
    question as published, to leave out anything that identifies the asker. Answering again
    corrects the answer."""

    class InputSerializer(serializers.Serializer):
        answer = serializers.CharField(max_length=services.MAX_ANSWER_LENGTH)
        question = serializers.CharField(
            max_length=services.MAX_QUESTION_LENGTH, required=False, allow_blank=True
        )

    @extend_schema(
        request=InputSerializer,
        responses={
            200: QuestionSerializer,
            **errors(400, 401, 404, 409, s409="The opportunity is a draft, awarded or cancelled."),
        },
    )
    def post(self, request, pk: int, question_id: int):
        question = selectors.question_get_for_buyer_member(
            user=request.user, opportunity_pk=pk, pk=question_id
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = services.question_answer(
            question=question,
            by=request.user,
            answer=data.validated_data["answer"],
            public_text=data.validated_data.get("question", ""),
        )
        return Response(QuestionSerializer(question, context={"company_ids": set()}).data)
