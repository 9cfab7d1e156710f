from django.urls import path

from marketplace.core import views

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/new/<str:kind>/", views.organisation_create, name="organisation-create"),
    path(
        "organisations/<int:org_id>/members/",
        views.organisation_members,
        name="organisation-members",
    ),
    path(
        "organisations/<int:org_id>/members/<int:user_id>/",
        views.organisation_member_change,
        name="organisation-member-change",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("account/tokens/", views.api_tokens, name="api-tokens"),
    path("language/", views.language_set, name="language-set"),
    path("help/glossary/", views.glossary, name="glossary"),
]
