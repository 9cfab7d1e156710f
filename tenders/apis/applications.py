"""The application API.

Companies: `/api/v1/applications/` (their own; create a draft, change it, upload files, submit,
withdraw, read versions and the log). Buyers: `/api/v1/opportunities/{id}/applications/` (what
arrived: only a count while sealed; open the box after the deadline; score, decide, feedback,
publish the award; the log for admins) and the opportunity's own application questions.
"""

from __future__ import annotations

import django_filters
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.core import clock
from marketplace.core.errors import ApplicationError, Forbidden, NotFound
from marketplace.core.models import Organisation
from marketplace.core.pagination import PageNumberPagination
from marketplace.core.selectors import organisation_get_for_member, organisation_list_for_user
from tenders import selectors as opportunity_selectors
from tenders import selectors_applications as selectors
from tenders.apis.opportunities import _detail_queryset
from tenders.models import (
    Application,
    ApplicationEvent,
    ApplicationFile,
    ApplicationQuestion,
    Opportunity,
)
from tenders.serializers import OpportunityDetailSerializer
from tenders.services import application_content as content
from tenders.services import applications as services
from tenders.services.applications import local_date

# ---------------------------------------------------------------------------------------------
# Output shapes


class _OpportunityRef(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    closes_at = serializers.DateTimeField(allow_null=True)
    status = serializers.CharField()


class _CompanyRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kvk_number = serializers.CharField()


class _VersionRef(serializers.Serializer):
    number = serializers.IntegerField()
    submitted_at = serializers.DateTimeField()
    content_hash = serializers.CharField()


class ApplicationSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    opportunity = _OpportunityRef()
    company = _CompanyRef()
    status = serializers.ChoiceField(choices=Application.Status.choices)
    version = serializers.IntegerField(source="current_version.number", default=None)
    submitted_at = serializers.DateTimeField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        from django.conf import settings

        return f"{settings.SITE_URL}{obj.get_absolute_url()}"


class FileSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationFile
        fields = ["id", "slot", "name", "content_type", "size", "sha256", "uploaded_at"]


class ApplicationQuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationQuestion
        fields = [
            "id",
            "text",
            "help_text",
            "type",
            "choices",
            "is_required",
            "word_limit",
            "position",
        ]


def _form(spec: content.FormSpec, application: Application | None = None) -> dict:
    """The application form of the opportunity, as a client needs it to fill it in."""
    form: dict = {
        "kind": spec.kind,
        "fields": sorted(spec.fields),
        "criteria": [
            {"id": c.pk, "name": c.name, "weight": str(c.weight), "word_limit": c.word_limit}
            for c in spec.criteria
        ],
        "lots": [{"id": lot.pk, "number": lot.number, "title": lot.title} for lot in spec.lots],
        "documents": [
            {
                "id": d.pk,
                "slot": f"document:{d.pk}",
                "name": d.name,
                "is_required": d.is_required,
            }
            for d in spec.documents
        ],
        "questions": [
            {
                **ApplicationQuestionSerializer(q).data,
                "slot": f"question:{q.pk}" if q.type == "file" else None,
            }
            for q in spec.questions
        ],
        "word_limits": {k: v for k, v in content.WORD_LIMITS.items() if k in spec.fields},
    }
    if spec.kind == Opportunity.Kind.FUNDING:
        low, high = spec.amount_range()
        form["requested_amount"] = {
            "min": str(low) if low is not None else None,
            "max": str(high) if high is not None else None,
            "cofinancing_rate": str(spec.funding.cofinancing_rate)
            if spec.funding and spec.funding.cofinancing_rate is not None
            else None,
        }
    if spec.kind == Opportunity.Kind.TEST_LOCATION:
        booked = selectors.location_booked_days(
            opportunity=spec.opportunity, exclude_pk=application.pk if application else None
        )
        form["available_periods"] = [
            {"starts_on": a.isoformat(), "ends_on": b.isoformat()}
            for a, b in selectors.location_free_periods(
                spec=spec, booked=booked, today=local_date(clock.now())
            )
        ]
        form["capacity"] = spec.capacity
    return form


def application_detail_data(application: Application) -> dict:
    """The company's view of its own application."""
    application = selectors.application_with_relations(
        Application.objects.filter(pk=application.pk)
    ).get()
    spec = selectors.application_form_spec(application.opportunity)
    file_ids = list((application.draft.get("files") or {}).values())
    files = ApplicationFile.objects.filter(application=application, pk__in=file_ids)
    data = ApplicationSummarySerializer(application).data
    data.update(
        {
            "content": {k: v for k, v in application.draft.items() if k != "files"},
            "files": FileSerializer(files, many=True).data,
            "missing": services.application_missing(application=application),
            "has_unsubmitted_changes": application.has_unsubmitted_changes,
            "versions": _VersionRef(application.versions.order_by("number"), many=True).data,
            "feedback": application.feedback,
            "feedback_at": application.feedback_at,
            "booked_starts_on": application.booked_starts_on,
            "booked_ends_on": application.booked_ends_on,
            "awarded_lots": [lot.number for lot in application.awarded_lots.all()],
            "form": _form(spec, application),
        }
    )
    return data


class ReceivedApplicationSerializer(serializers.Serializer):
    """What the buyer reads: the submitted version, never the working copy."""

    id = serializers.IntegerField()
    company = _CompanyRef()
    status = serializers.ChoiceField(choices=Application.Status.choices)
    version = _VersionRef(source="current_version")
    content = serializers.JSONField(source="current_version.content")
    feedback = serializers.CharField()
    feedback_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    booked_starts_on = serializers.DateField(allow_null=True)
    booked_ends_on = serializers.DateField(allow_null=True)
    awarded_lots = serializers.SerializerMethodField()
    scores = serializers.SerializerMethodField()
    total_score = serializers.SerializerMethodField()

    def _summary(self, obj):
        cache = self.context.setdefault("summaries", {})
        if obj.pk not in cache:
            cache[obj.pk] = selectors.application_score_summary(
                application=obj, criteria=self.context["criteria"], user=self.context.get("user")
            )
        return cache[obj.pk]

    def get_awarded_lots(self, obj) -> list[str]:
        return [lot.number for lot in obj.awarded_lots.all()]

    def get_scores(self, obj) -> list[dict]:
        rows, _total = self._summary(obj)
        return [
            {
                "criterion": r.criterion.pk,
                "name": r.criterion.name,
                "weight": str(r.criterion.weight),
                "mean": str(r.mean) if r.mean is not None else None,
                "count": r.count,
                "mine": r.mine.score if r.mine else None,
            }
            for r in rows
        ]

    def get_total_score(self, obj) -> str | None:
        _rows, total = self._summary(obj)
        return str(total) if total is not None else None


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.IntegerField(source="application_id")
    type = serializers.CharField()
    description = serializers.CharField(source="get_type_display")
    at = serializers.DateTimeField(source="created_at")
    by = serializers.SerializerMethodField()
    organisation = serializers.CharField(
        source="actor_organisation.name", default=None, allow_null=True
    )
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    payload = serializers.JSONField()

    def get_by(self, obj) -> str | None:
        return obj.actor.get_full_name() if obj.actor else None


# ---------------------------------------------------------------------------------------------
# The company's side


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Application.Status.choices)
    opportunity = django_filters.NumberFilter(field_name="opportunity_id")

    class Meta:
        model = Application
        fields = ["status", "opportunity"]


def _company_for(user, company_id) -> Organisation:
    if company_id is not None:
        return organisation_get_for_member(user=user, pk=company_id, kind=Organisation.Kind.COMPANY)
    companies = list(organisation_list_for_user(user=user, kind=Organisation.Kind.COMPANY)[:2])
    if not companies:
        raise Forbidden(_("Only members of a company can apply. Add your company first."))
    if len(companies) > 1:
        raise ApplicationError(
            _("You belong to several companies; say which one applies."),
            errors={"company": [_("Choose the company.")]},
        )
    return companies[0]


class ApplicationListCreateApi(ListAPIView):
    """Your companies' applications (any status; filter by `status`, `opportunity`).
    POST starts a draft for an open opportunity; `content` may already hold answers."""

    permission_classes = [IsAuthenticated]
    serializer_class = ApplicationSummarySerializer
    filterset_class = ApplicationFilter

    def get_queryset(self):
        return selectors.application_list_for_company_member(user=self.request.user)

    class InputSerializer(serializers.Serializer):
        opportunity = serializers.IntegerField()
        company = serializers.IntegerField(
            required=False, help_text="Needed only if you belong to several companies."
        )
        content = serializers.DictField(required=False)

    @extend_schema(request=InputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        opportunity = opportunity_selectors.opportunity_get_visible(
            user=request.user, pk=values["opportunity"]
        )
        company = _company_for(request.user, values.get("company"))
        application = services.application_create(
            opportunity=opportunity,
            company=company,
            by=request.user,
            data=values.get("content") or {},
        )
        return Response(application_detail_data(application), status=status.HTTP_201_CREATED)


class ApplicationDetailApi(APIView):
    """One of your applications: the working copy (`content`), its files, what is `missing`
    before it can be submitted, the versions submitted, the status and feedback, and the form.
    PATCH `{"content": {...}}` saves changes as you go; DELETE removes a never-submitted draft."""

    permission_classes = [IsAuthenticated]

    class UpdateSerializer(serializers.Serializer):
        content = serializers.DictField()

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        application = selectors.application_get_for_company_member(user=request.user, pk=pk)
        return Response(application_detail_data(application))

    @extend_schema(request=UpdateSerializer, responses=OpenApiTypes.OBJECT)
    def patch(self, request, pk: int):
        application = selectors.application_get_for_company_member(user=request.user, pk=pk)
        data = self.UpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_update(
            application=application, by=request.user, data=data.validated_data["content"]
        )
        return Response(application_detail_data(application))

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        application = selectors.application_get_for_company_member(user=request.user, pk=pk)
        services.application_delete(application=application, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApplicationSubmitApi(APIView):
    """Submit (or resubmit) before the deadline. 400 names what is missing; 409 when too late
    (the draft is kept) or in the wrong state. The answer holds the new version and its hash."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int):
        application = selectors.application_get_for_company_member(user=request.user, pk=pk)
        services.application_submit(application=application, by=request.user)
        return Response(application_detail_data(application))


class ApplicationWithdrawApi(APIView):
    """Withdraw a submitted application before the deadline (409 after it)."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(required=False, allow_blank=True, max_length=500)

    @extend_schema(request=InputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int):
        application = selectors.application_get_for_company_member(user=request.user, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_withdraw(
            application=application, by=request.user, reason=data.validated_data.get("reason", "")
        )
        return Response(application_detail_data(application))


class ApplicationFileUploadApi(APIView):
    """Upload the file for a slot of the form (multipart: `slot`, `file`), replacing the one
    there. Files are checked by content: PDF, ODT, DOCX, XLSX or ZIP, at most 25 MB."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    class InputSerializer(serializers.Serializer):
        slot = serializers.CharField(max_length=40)
        file = serializers.FileField()

    @extend_schema(
        request={"multipart/form-data": InputSerializer}, responses={201: FileSerializer}
    )
    def post(self, request, pk: int):
        application = selectors.application_get_for_company_member(user=request.user, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.application_file_add(
            application=application,
            by=request.user,
            slot=data.validated_data["slot"],
            upload=data.validated_data["file"],
        )
        return Response(FileSerializer(row).data, status=status.HTTP_201_CREATED)


def _file_response(row: ApplicationFile) -> FileResponse:
    return FileResponse(
        row.file.open("rb"),
        as_attachment=True,
        filename=row.name,
        content_type=row.content_type,
    )


class ApplicationFileApi(APIView):
    """Download one of your application's files (also of earlier versions); DELETE takes it out
    of the working copy."""

    permission_classes = [IsAuthenticated]

    def _row(self, request, pk, file_id) -> tuple[Application, ApplicationFile]:
        application = selectors.application_get_for_company_member(user=request.user, pk=pk)
        row = ApplicationFile.objects.filter(application=application, pk=file_id).first()
        if row is None:
            raise NotFound()
        return application, row

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int, file_id: int):
        _application, row = self._row(request, pk, file_id)
        return _file_response(row)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int, file_id: int):
        application, row = self._row(request, pk, file_id)
        if (application.draft.get("files") or {}).get(row.slot) != row.pk:
            raise NotFound()
        services.application_file_remove(application=application, by=request.user, slot=row.slot)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApplicationVersionApi(APIView):
    """One submitted version: the content exactly as submitted and its SHA-256 hash (of the
    canonical JSON: keys sorted, no spaces, UTF-8)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int, number: int):
        application = selectors.application_get_for_company_member(user=request.user, pk=pk)
        version = application.versions.filter(number=number).first()
        if version is None:
            raise NotFound()
        return Response(
            {
                **_VersionRef(version).data,
                "content": version.content,
                "hash_verified": content.content_hash(version.content) == version.content_hash,
            }
        )


class ApplicationEventsApi(ListAPIView):
    """The log of your application: who did what, when."""

    permission_classes = [IsAuthenticated]
    serializer_class = EventSerializer
    pagination_class = None
    queryset = ApplicationEvent.objects.none()  # for the schema; get_queryset decides

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        application = selectors.application_get_for_company_member(
            user=self.request.user, pk=self.kwargs["pk"]
        )
        return selectors.application_events_for_company(application=application)


# ---------------------------------------------------------------------------------------------
# The buyer's side


class OpportunityApplicationListApi(APIView):
    """What arrived for your organisation's opportunity. While sealed: only `count` (and
    `sealed: true`); after the deadline a member opens the box (`open/`), then the submitted
    versions can be read. Not sealed: readable any time."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        opportunity, box, qs = selectors.application_list_for_buyer_member(
            user=request.user, opportunity_pk=pk
        )
        meta = {
            "sealed": not box.is_readable,
            "is_sealed_opportunity": box.is_sealed,
            "deadline_passed": box.deadline_passed,
            "opened_at": box.opening.opened_at if box.opening else None,
        }
        if not box.is_readable:
            return Response(
                {
                    "count": box.received,
                    "next": None,
                    "previous": None,
                    "results": [],
                    **meta,
                    "detail": selectors.sealed_message(opportunity, box),
                }
            )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        context = {"criteria": list(opportunity.award_criteria.all()), "user": request.user}
        data = ReceivedApplicationSerializer(page, many=True, context=context).data
        response = paginator.get_paginated_response(data)
        response.data.update(meta)
        return response


class OpportunityApplicationsOpenApi(APIView):
    """Open the sealed box after the deadline (members of the buyer). Logged; opening again
    answers with the first opening."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int):
        opportunity = opportunity_selectors.opportunity_get_for_buyer_member(
            user=request.user, pk=pk
        )
        opening = services.applications_open(opportunity=opportunity, by=request.user)
        return Response(
            {
                "opened_at": opening.opened_at,
                "opened_by": opening.opened_by.get_full_name() if opening.opened_by else None,
                "application_count": opening.application_count,
            }
        )


def _received_data(request, application: Application) -> dict:
    fresh = selectors.application_list_received(opportunity=application.opportunity).get(
        pk=application.pk
    )
    context = {"criteria": list(application.opportunity.award_criteria.all()), "user": request.user}
    return ReceivedApplicationSerializer(fresh, context=context).data


class OpportunityApplicationDetailApi(APIView):
    """One received application (members of the buyer; 403 while sealed)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="opportunities_application_retrieve")
    def get(self, request, pk: int, app_pk: int):
        application = selectors.application_get_for_buyer_member(
            user=request.user, opportunity_pk=pk, pk=app_pk
        )
        return Response(_received_data(request, application))


class OpportunityApplicationFileApi(APIView):
    """Download a file of a received application's current version (403 while sealed)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int, app_pk: int, file_id: int):
        application = selectors.application_get_for_buyer_member(
            user=request.user, opportunity_pk=pk, pk=app_pk
        )
        submitted = (application.current_version.draft.get("files") or {}).values()
        row = ApplicationFile.objects.filter(application=application, pk=file_id).first()
        if row is None or row.pk not in submitted:
            raise NotFound()
        return _file_response(row)


class OpportunityApplicationScoreApi(APIView):
    """Score a received application per award criterion, 0 to 10:
    `{"scores": {"<criterion id>": {"score": 8, "note": "..."}}}`."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        scores = serializers.DictField(child=serializers.DictField())

    @extend_schema(request=InputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int, app_pk: int):
        application = selectors.application_get_for_buyer_member(
            user=request.user, opportunity_pk=pk, pk=app_pk
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_score(
            application=application, by=request.user, scores=data.validated_data["scores"]
        )
        return Response(_received_data(request, application))


class OpportunityApplicationDecisionApi(APIView):
    """A decision on a received application: `shortlist/`, `reject/`, `award/` (tenders,
    funding and co-creation calls, after the deadline) or `approve/`, `decline/` (test
    locations). Optional `feedback` (required to decline), `lots` (numbers, for award),
    `starts_on`/`ends_on` (for approve)."""

    permission_classes = [IsAuthenticated]
    decision = ""

    class InputSerializer(serializers.Serializer):
        feedback = serializers.CharField(required=False, allow_blank=True, max_length=20000)
        lots = serializers.ListField(child=serializers.CharField(), required=False)
        starts_on = serializers.DateField(required=False)
        ends_on = serializers.DateField(required=False)

    @extend_schema(request=InputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int, app_pk: int):
        application = selectors.application_get_for_buyer_member(
            user=request.user, opportunity_pk=pk, pk=app_pk
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        lots = None
        if "lots" in values:
            known = {lot.number: lot for lot in application.opportunity.lots.all()}
            unknown = [n for n in values["lots"] if n not in known]
            if unknown:
                raise ApplicationError(
                    _("Unknown lot: %(lots)s.") % {"lots": ", ".join(unknown)},
                    errors={"lots": [_("Unknown lot: %(n)s.") % {"n": n} for n in unknown]},
                )
            lots = [known[n] for n in values["lots"]]
        services.application_decide(
            application=application,
            by=request.user,
            decision=self.decision,
            feedback=values.get("feedback"),
            lots=lots,
            starts_on=values.get("starts_on"),
            ends_on=values.get("ends_on"),
        )
        return Response(_received_data(request, application))


class OpportunityApplicationFeedbackApi(APIView):
    """Write or rewrite the feedback for an applicant: `{"feedback": "..."}`."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        feedback = serializers.CharField(max_length=20000)

    @extend_schema(request=InputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int, app_pk: int):
        application = selectors.application_get_for_buyer_member(
            user=request.user, opportunity_pk=pk, pk=app_pk
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_feedback_set(
            application=application, by=request.user, feedback=data.validated_data["feedback"]
        )
        return Response(_received_data(request, application))


class OpportunityApplicationsAwardApi(APIView):
    """Publish the award from the decisions: every successful application wins. 409 until
    every applicant has a decision and every rejected one written feedback."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    @extend_schema(
        request=InputSerializer,
        responses=OpportunityDetailSerializer,
        operation_id="opportunities_applications_award_publish",
    )
    def post(self, request, pk: int):
        opportunity = opportunity_selectors.opportunity_get_for_buyer_member(
            user=request.user, pk=pk
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.applications_award_publish(
            opportunity=opportunity, by=request.user, note=data.validated_data.get("note", "")
        )
        fresh = _detail_queryset(Opportunity.objects.filter(pk=pk)).get()
        return Response(OpportunityDetailSerializer(fresh).data)


class OpportunityApplicationEventsApi(ListAPIView):
    """The log of every received application (admins of the buyer; 403 while sealed)."""

    permission_classes = [IsAuthenticated]
    serializer_class = EventSerializer
    pagination_class = None
    queryset = ApplicationEvent.objects.none()  # for the schema; get_queryset decides

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        _opportunity, events = selectors.application_events_for_buyer_admin(
            user=self.request.user, opportunity_pk=self.kwargs["pk"]
        )
        return events


class OpportunityApplicationQuestionsApi(APIView):
    """The buyer's own questions on the application form. Anyone who can see the opportunity
    reads them; members of its buyer add them (until applications arrive)."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=500)
        help_text = serializers.CharField(required=False, allow_blank=True)
        type = serializers.ChoiceField(choices=ApplicationQuestion.Type.choices)
        choices = serializers.ListField(child=serializers.CharField(), required=False)
        is_required = serializers.BooleanField(required=False)
        word_limit = serializers.IntegerField(required=False, allow_null=True, min_value=1)
        position = serializers.IntegerField(required=False, min_value=0, max_value=32767)

    @extend_schema(responses=ApplicationQuestionSerializer(many=True))
    def get(self, request, pk: int):
        opportunity = opportunity_selectors.opportunity_get_visible(user=request.user, pk=pk)
        return Response(
            ApplicationQuestionSerializer(opportunity.application_questions.all(), many=True).data
        )

    @extend_schema(request=InputSerializer, responses={201: ApplicationQuestionSerializer})
    def post(self, request, pk: int):
        opportunity = opportunity_selectors.opportunity_get_for_buyer_member(
            user=request.user, pk=pk
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = services.application_question_create(
            opportunity=opportunity, by=request.user, data=data.validated_data
        )
        return Response(
            ApplicationQuestionSerializer(question).data, status=status.HTTP_201_CREATED
        )


class OpportunityApplicationQuestionDetailApi(APIView):
    """Change or remove one of the buyer's questions (members of the buyer)."""

    permission_classes = [IsAuthenticated]

    def _question(self, request, pk, question_pk) -> ApplicationQuestion:
        opportunity = opportunity_selectors.opportunity_get_for_buyer_member(
            user=request.user, pk=pk
        )
        question = opportunity.application_questions.filter(pk=question_pk).first()
        if question is None:
            raise NotFound()
        return question

    @extend_schema(
        request=OpportunityApplicationQuestionsApi.InputSerializer,
        responses=ApplicationQuestionSerializer,
    )
    def patch(self, request, pk: int, question_pk: int):
        question = self._question(request, pk, question_pk)
        data = OpportunityApplicationQuestionsApi.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.application_question_update(
            question=question, by=request.user, data=data.validated_data
        )
        return Response(ApplicationQuestionSerializer(question).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int, question_pk: int):
        question = self._question(request, pk, question_pk)
        services.application_question_delete(question=question, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
