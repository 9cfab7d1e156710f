from django.urls import include, path

from tenders.apis import documents as d
from tenders.apis import opportunities as o
from tenders.apis import questions as q

urlpatterns = [
    path("opportunities/", o.OpportunityListCreateApi.as_view(), name="api-opportunities"),
    path(
        "opportunities/<int:pk>/", o.OpportunityDetailApi.as_view(), name="api-opportunity-detail"
    ),
    path(
        "opportunities/<int:pk>/publish/",
        o.OpportunityPublishApi.as_view(),
        name="api-opportunity-publish",
    ),
    path(
        "opportunities/<int:pk>/withdraw/",
        o.OpportunityWithdrawApi.as_view(),
        name="api-opportunity-withdraw",
    ),
    path(
        "opportunities/<int:pk>/close/",
        o.OpportunityCloseApi.as_view(),
        name="api-opportunity-close",
    ),
    path(
        "opportunities/<int:pk>/award/",
        o.OpportunityAwardApi.as_view(),
        name="api-opportunity-award",
    ),
    path(
        "opportunities/<int:pk>/cancel/",
        o.OpportunityCancelApi.as_view(),
        name="api-opportunity-cancel",
    ),
    path(
        "opportunities/<int:pk>/missing/",
        o.OpportunityMissingApi.as_view(),
        name="api-opportunity-missing",
    ),
    path("", include("tenders.opendata.api_urls")),
]

# Applications and evaluation (issue 7): routes in tenders/apis/applications_urls.py.
urlpatterns += [path("", include("tenders.apis.applications_urls"))]
urlpatterns += [
    path(
        "opportunities/<int:pk>/documents/",
        d.OpportunityDocumentListCreateApi.as_view(),
        name="api-opportunity-documents",
    ),
    path(
        "opportunities/<int:pk>/documents/<int:document_id>/",
        d.OpportunityDocumentDetailApi.as_view(),
        name="api-opportunity-document-detail",
    ),
    path(
        "opportunities/<int:pk>/documents/<int:document_id>/replace/",
        d.OpportunityDocumentReplaceApi.as_view(),
        name="api-opportunity-document-replace",
    ),
    path(
        "opportunities/<int:pk>/documents/<int:document_id>/download/",
        d.OpportunityDocumentDownloadApi.as_view(),
        name="api-opportunity-document-download",
    ),
    path(
        "opportunities/<int:pk>/questions/",
        q.OpportunityQuestionListCreateApi.as_view(),
        name="api-opportunity-questions",
    ),
    path(
        "opportunities/<int:pk>/questions/<int:question_id>/answer/",
        q.OpportunityQuestionAnswerApi.as_view(),
        name="api-opportunity-question-answer",
    ),
]
