from django.urls import path

from tenders.opendata import views

urlpatterns = [
    path("opportunities.csv", views.opportunities_csv, name="opportunities-csv"),
    path("feeds/opportunities.atom", views.opportunities_atom, name="opportunities-atom"),
    path("feeds/opportunities.rss", views.opportunities_rss, name="opportunities-rss"),
    path(
        "opportunities/<int:pk>/calendar.ics",
        views.opportunity_calendar,
        name="opportunity-calendar",
    ),
    path("organisations/<int:pk>/claim/", views.organisation_claim, name="organisation-claim"),
]
