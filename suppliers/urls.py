from django.urls import include, path

from suppliers import views

urlpatterns = [
    path("companies/<slug:slug>/", views.company_public, name="company-public"),
    path("companies/<slug:slug>/logo/", views.company_logo, name="company-logo"),
    path("company/profile/", views.profile_edit, name="profile-edit"),
    path(
        "company/profile/competencies/",
        views.profile_competencies,
        name="profile-competencies",
    ),
    path("company/profile/references/", views.profile_references, name="profile-references"),
    path("for-you/", views.for_you, name="for-you"),
    path("for-you/<int:pk>/", views.for_you_detail, name="for-you-detail"),
    path("for-you/<int:pk>/feedback/", views.for_you_feedback, name="for-you-feedback"),
    path(
        "opportunities/<int:pk>/suggested-companies/",
        views.suggested_companies,
        name="suggested-companies",
    ),
    path(
        "opportunities/<int:pk>/suggested-companies/<int:company_id>/invite/",
        views.suggested_invite,
        name="suggested-invite",
    ),
]

urlpatterns += [path("", include("suppliers.urls_alerts"))]
