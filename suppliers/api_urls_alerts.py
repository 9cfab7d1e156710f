from django.urls import path

from suppliers import apis_alerts as a

urlpatterns = [
    path("saved-searches/", a.SavedSearchListCreateApi.as_view(), name="api-saved-searches"),
    path(
        "saved-searches/<int:pk>/", a.SavedSearchDetailApi.as_view(), name="api-saved-search-detail"
    ),
    path(
        "opportunities/<int:pk>/follow/",
        a.OpportunityFollowApi.as_view(),
        name="api-opportunity-follow",
    ),
]
