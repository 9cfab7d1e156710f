from django.urls import include, path

from tenders import views

urlpatterns = [
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity-detail"),
    path("", include("tenders.opendata.urls")),
]
