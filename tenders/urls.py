from django.urls import include, path

from tenders import buyer_views as b
from tenders import views

urlpatterns = [
    # Public pages
    path("opportunities/", views.opportunity_list, name="opportunity-list"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity-detail"),
    path("opportunities/<int:pk>/questions/", views.question_ask, name="opportunity-question-ask"),
    path(
        "opportunities/<int:pk>/documents/<int:document_id>/",
        views.document_download,
        name="opportunity-document-download",
    ),
    path(
        "opportunities/<int:pk>/documents/<int:document_id>/v<int:version>/",
        views.document_download,
        name="opportunity-document-version-download",
    ),
    path("buyers/<slug:slug>/", views.buyer_detail, name="buyer-detail"),
    # The buyer's pages
    path("manage/opportunities/", b.buyer_dashboard, name="buyer-dashboard"),
    path(
        "manage/opportunities/new/", b.opportunity_create_choose, name="opportunity-create-choose"
    ),
    path("manage/opportunities/new/<str:kind>/", b.opportunity_create, name="opportunity-create"),
    path("manage/opportunities/<int:pk>/", b.opportunity_manage, name="opportunity-manage"),
    path("manage/opportunities/<int:pk>/edit/", b.opportunity_edit, name="opportunity-edit"),
    path(
        "manage/opportunities/<int:pk>/preview/", b.opportunity_preview, name="opportunity-preview"
    ),
    path(
        "manage/opportunities/<int:pk>/publish/", b.opportunity_publish, name="opportunity-publish"
    ),
    path(
        "manage/opportunities/<int:pk>/withdraw/",
        b.opportunity_withdraw,
        name="opportunity-withdraw",
    ),
    path("manage/opportunities/<int:pk>/close/", b.opportunity_close, name="opportunity-close"),
    path("manage/opportunities/<int:pk>/award/", b.opportunity_award, name="opportunity-award"),
    path("manage/opportunities/<int:pk>/cancel/", b.opportunity_cancel, name="opportunity-cancel"),
    path("manage/opportunities/<int:pk>/delete/", b.opportunity_delete, name="opportunity-delete"),
    path(
        "manage/opportunities/<int:pk>/documents/",
        b.document_upload,
        name="opportunity-document-upload",
    ),
    path(
        "manage/opportunities/<int:pk>/documents/<int:document_id>/replace/",
        b.document_replace,
        name="opportunity-document-replace",
    ),
    path(
        "manage/opportunities/<int:pk>/documents/<int:document_id>/delete/",
        b.document_delete,
        name="opportunity-document-delete",
    ),
    path(
        "manage/opportunities/<int:pk>/questions/<int:question_id>/answer/",
        b.question_answer,
        name="opportunity-question-answer",
    ),
    path("", include("tenders.opendata.urls")),
]

# Applications and evaluation (issue 7): pages in tenders/urls_applications.py.
urlpatterns += [path("", include("tenders.urls_applications"))]
