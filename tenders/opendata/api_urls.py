from django.urls import path

from tenders.opendata import apis

urlpatterns = [
    path("ocds/releases/", apis.OcdsReleaseListApi.as_view(), name="api-ocds-releases"),
    path(
        "ocds/releases/<str:ocid>/",
        apis.OcdsReleaseDetailApi.as_view(),
        name="api-ocds-release-detail",
    ),
]
