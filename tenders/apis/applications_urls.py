"""API routes for applications and their evaluation (included from tenders/api_urls.py)."""

from django.urls import path

from tenders.apis import applications as a

urlpatterns = [
    path("applications/", a.ApplicationListCreateApi.as_view(), name="api-applications"),
    path("applications/<int:pk>/", a.ApplicationDetailApi.as_view(), name="api-application-detail"),
    path(
        "applications/<int:pk>/submit/",
        a.ApplicationSubmitApi.as_view(),
        name="api-application-submit",
    ),
    path(
        "applications/<int:pk>/withdraw/",
        a.ApplicationWithdrawApi.as_view(),
        name="api-application-withdraw",
    ),
    path(
        "applications/<int:pk>/files/",
        a.ApplicationFileUploadApi.as_view(),
        name="api-application-files",
    ),
    path(
        "applications/<int:pk>/files/<int:file_id>/",
        a.ApplicationFileApi.as_view(),
        name="api-application-file",
    ),
    path(
        "applications/<int:pk>/versions/<int:number>/",
        a.ApplicationVersionApi.as_view(),
        name="api-application-version",
    ),
    path(
        "applications/<int:pk>/events/",
        a.ApplicationEventsApi.as_view(),
        name="api-application-events",
    ),
    path(
        "opportunities/<int:pk>/applications/",
        a.OpportunityApplicationListApi.as_view(),
        name="api-opportunity-applications",
    ),
    path(
        "opportunities/<int:pk>/applications/open/",
        a.OpportunityApplicationsOpenApi.as_view(),
        name="api-opportunity-applications-open",
    ),
    path(
        "opportunities/<int:pk>/applications/award/",
        a.OpportunityApplicationsAwardApi.as_view(),
        name="api-opportunity-applications-award",
    ),
    path(
        "opportunities/<int:pk>/applications/events/",
        a.OpportunityApplicationEventsApi.as_view(),
        name="api-opportunity-applications-events",
    ),
    path(
        "opportunities/<int:pk>/applications/<int:app_pk>/",
        a.OpportunityApplicationDetailApi.as_view(),
        name="api-opportunity-application-detail",
    ),
    path(
        "opportunities/<int:pk>/applications/<int:app_pk>/files/<int:file_id>/",
        a.OpportunityApplicationFileApi.as_view(),
        name="api-opportunity-application-file",
    ),
    path(
        "opportunities/<int:pk>/applications/<int:app_pk>/scores/",
        a.OpportunityApplicationScoreApi.as_view(),
        name="api-opportunity-application-scores",
    ),
    path(
        "opportunities/<int:pk>/applications/<int:app_pk>/feedback/",
        a.OpportunityApplicationFeedbackApi.as_view(),
        name="api-opportunity-application-feedback",
    ),
    *[
        path(
            f"opportunities/<int:pk>/applications/<int:app_pk>/{decision}/",
            a.OpportunityApplicationDecisionApi.as_view(decision=decision),
            name=f"api-opportunity-application-{decision}",
        )
        for decision in ("shortlist", "reject", "award", "approve", "decline")
    ],
    path(
        "opportunities/<int:pk>/application-questions/",
        a.OpportunityApplicationQuestionsApi.as_view(),
        name="api-opportunity-application-questions",
    ),
    path(
        "opportunities/<int:pk>/application-questions/<int:question_pk>/",
        a.OpportunityApplicationQuestionDetailApi.as_view(),
        name="api-opportunity-application-question",
    ),
]
