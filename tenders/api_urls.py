from django.urls import include, path

from tenders.apis import opportunities as o

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
