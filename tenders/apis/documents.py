"""Documents of an opportunity: everyone who may see the opportunity lists and downloads them;
members of its buyer upload, replace (a new version; old ones stay) and delete (drafts only)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from tenders import selectors
from tenders.downloads import document_response
from tenders.serializers import DocumentSerializer, DocumentVersionSerializer, errors
from tenders.services import documents as services

S400 = "The file was refused (type, size or content), or data is missing; `errors` says why."
S409 = "The opportunity is awarded or cancelled, or (delete) no longer a draft."


def _document_out(document_pk) -> dict:
    return DocumentSerializer(selectors.document_list_with_versions().get(pk=document_pk)).data


class OpportunityDocumentListCreateApi(APIView):
    """The documents of an opportunity. POST (multipart) adds one: PDF, ODT, DOCX, XLSX or ZIP up
    to 25 MB, checked by content. On a published opportunity followers are told."""

    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField()
        title = serializers.CharField(max_length=200, required=False, allow_blank=True)
        description = serializers.CharField(max_length=500, required=False, allow_blank=True)

    @extend_schema(responses={200: DocumentSerializer(many=True), **errors(404)})
    def get(self, request, pk: int):
        opportunity = selectors.opportunity_get_visible(user=request.user, pk=pk, related=False)
        documents = selectors.document_list(opportunity=opportunity)
        return Response(DocumentSerializer(documents, many=True).data)

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={201: DocumentSerializer, **errors(400, 401, 404, 409, s400=S400, s409=S409)},
    )
    def post(self, request, pk: int):
        opportunity = selectors.opportunity_get_for_buyer_member(
            user=request.user, pk=pk, related=False
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.document_add(
            opportunity=opportunity,
            by=request.user,
            upload=data.validated_data["file"],
            title=data.validated_data.get("title", ""),
            description=data.validated_data.get("description", ""),
        )
        return Response(_document_out(document.pk), status=status.HTTP_201_CREATED)


class OpportunityDocumentDetailApi(APIView):
    """One document with all its versions. DELETE removes a document of a draft that was
    never published."""

    @extend_schema(responses={200: DocumentSerializer, **errors(404)})
    def get(self, request, pk: int, document_id: int):
        opportunity = selectors.opportunity_get_visible(user=request.user, pk=pk, related=False)
        document = selectors.document_get(opportunity=opportunity, pk=document_id)
        return Response(DocumentSerializer(document).data)

    @extend_schema(responses={204: None, **errors(401, 404, 409, s409=S409)})
    def delete(self, request, pk: int, document_id: int):
        opportunity = selectors.opportunity_get_for_buyer_member(
            user=request.user, pk=pk, related=False
        )
        document = selectors.document_get(opportunity=opportunity, pk=document_id)
        services.document_delete(document=document, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class OpportunityDocumentReplaceApi(APIView):
    """Upload a new version of a document. After publishing, `note` says what changed."""

    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField()
        note = serializers.CharField(max_length=500, required=False, allow_blank=True)

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={
            201: DocumentVersionSerializer,
            **errors(400, 401, 404, 409, s400=S400, s409=S409),
        },
    )
    def post(self, request, pk: int, document_id: int):
        opportunity = selectors.opportunity_get_for_buyer_member(
            user=request.user, pk=pk, related=False
        )
        document = selectors.document_get(opportunity=opportunity, pk=document_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.document_replace(
            document=document,
            by=request.user,
            upload=data.validated_data["file"],
            note=data.validated_data.get("note", ""),
        )
        return Response(DocumentVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class OpportunityDocumentDownloadApi(APIView):
    """The file itself, as an attachment (the current version, or `version`)."""

    @extend_schema(
        parameters=[OpenApiParameter("version", int, description="Default: the current one.")],
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            **errors(404),
        },
    )
    def get(self, request, pk: int, document_id: int):
        opportunity = selectors.opportunity_get_visible(user=request.user, pk=pk, related=False)
        document = selectors.document_get(opportunity=opportunity, pk=document_id)
        version = selectors.document_version_get(
            document=document, version=request.query_params.get("version")
        )
        return document_response(version)
