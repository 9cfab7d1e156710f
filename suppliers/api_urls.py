from django.urls import include, path

from suppliers import apis

urlpatterns = [
    path("companies/", apis.CompanyListApi.as_view(), name="api-companies"),
    path("companies/<int:pk>/", apis.CompanyDetailApi.as_view(), name="api-company-detail"),
    path("companies/<int:pk>/logo/", apis.CompanyLogoApi.as_view(), name="api-company-logo"),
    path("matches/", apis.MatchListApi.as_view(), name="api-matches"),
    path("matches/<int:opportunity_id>/", apis.MatchDetailApi.as_view(), name="api-match-detail"),
    path(
        "matches/<int:opportunity_id>/feedback/",
        apis.MatchFeedbackApi.as_view(),
        name="api-match-feedback",
    ),
    path(
        "opportunities/<int:pk>/matches/",
        apis.OpportunityMatchListApi.as_view(),
        name="api-opportunity-matches",
    ),
    path(
        "opportunities/<int:pk>/matches/<int:company_id>/invite/",
        apis.OpportunityMatchInviteApi.as_view(),
        name="api-opportunity-match-invite",
    ),
    path(
        "opportunities/<int:pk>/market-scan/",
        apis.OpportunityMarketScanApi.as_view(),
        name="api-opportunity-market-scan",
    ),
]

urlpatterns += [path("", include("suppliers.api_urls_alerts"))]
