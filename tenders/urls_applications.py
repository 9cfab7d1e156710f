"""Pages for applications and their evaluation (included from tenders/urls.py)."""

from django.urls import path

from tenders import views_applications as v

urlpatterns = [
    path("applications/", v.application_list, name="application-list"),
    path("opportunities/<int:pk>/apply/", v.application_start, name="application-start"),
    path("applications/<int:pk>/", v.application_detail, name="application-detail"),
    path("applications/<int:pk>/withdraw/", v.application_withdraw, name="application-withdraw"),
    path("applications/<int:pk>/delete/", v.application_delete, name="application-delete"),
    path("applications/<int:pk>/files/<int:file_id>/", v.application_file, name="application-file"),
    path(
        "applications/<int:pk>/versions/<int:number>/receipt/",
        v.application_receipt,
        name="application-receipt",
    ),
    path(
        "applications/<int:pk>/versions/<int:number>/receipt.txt",
        v.application_receipt_text,
        name="application-receipt-text",
    ),
    path(
        "applications/<int:pk>/versions/<int:number>/content.json",
        v.application_version_json,
        name="application-version-json",
    ),
    path(
        "opportunities/<int:pk>/applications/",
        v.evaluation_overview,
        name="application-evaluation",
    ),
    path(
        "opportunities/<int:pk>/applications/open/",
        v.evaluation_open,
        name="application-box-open",
    ),
    path(
        "opportunities/<int:pk>/applications/export.csv",
        v.evaluation_export,
        name="application-export",
    ),
    path(
        "opportunities/<int:pk>/applications/award/",
        v.evaluation_award,
        name="application-award-publish",
    ),
    path("opportunities/<int:pk>/applications/log/", v.evaluation_log, name="application-log"),
    path(
        "opportunities/<int:pk>/applications/<int:app_pk>/",
        v.evaluation_detail,
        name="application-evaluate",
    ),
    path(
        "opportunities/<int:pk>/applications/<int:app_pk>/files/<int:file_id>/",
        v.evaluation_file,
        name="application-evaluate-file",
    ),
    path(
        "opportunities/<int:pk>/application-questions/",
        v.application_questions,
        name="application-questions",
    ),
]
