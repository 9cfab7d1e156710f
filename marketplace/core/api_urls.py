from django.urls import path

from marketplace.core import apis

urlpatterns = [
    path("auth/token/", apis.AuthTokenCreateApi.as_view(), name="api-auth-token"),
    path(
        "auth/token/revoke/", apis.AuthTokenRevokeCurrentApi.as_view(), name="api-auth-token-revoke"
    ),
    path("auth/tokens/", apis.AuthTokenListApi.as_view(), name="api-auth-tokens"),
    path(
        "auth/tokens/<int:token_id>/",
        apis.AuthTokenRevokeApi.as_view(),
        name="api-auth-token-detail",
    ),
    path("me/", apis.MeApi.as_view(), name="api-me"),
    path("organisations/", apis.OrganisationListCreateApi.as_view(), name="api-organisations"),
    path(
        "organisations/<int:org_id>/",
        apis.OrganisationDetailApi.as_view(),
        name="api-organisation-detail",
    ),
    path(
        "organisations/<int:org_id>/members/",
        apis.OrganisationMemberListApi.as_view(),
        name="api-organisation-members",
    ),
    path(
        "organisations/<int:org_id>/members/<int:user_id>/",
        apis.OrganisationMemberDetailApi.as_view(),
        name="api-organisation-member-detail",
    ),
    path(
        "organisations/<int:org_id>/invitations/",
        apis.OrganisationInvitationCreateApi.as_view(),
        name="api-organisation-invitations",
    ),
    path("competencies/", apis.CompetencyListApi.as_view(), name="api-competencies"),
    path("cpv/", apis.CpvListApi.as_view(), name="api-cpv"),
    path("regions/", apis.RegionListApi.as_view(), name="api-regions"),
]
