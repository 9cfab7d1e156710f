from django.urls import path

from tenders import views

urlpatterns = [
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity-detail"),
]
