from django.urls import include, path

from tenders import views

urlpatterns = [
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity-detail"),
]

# Applications and evaluation (issue 7): pages in tenders/urls_applications.py.
urlpatterns += [path("", include("tenders.urls_applications"))]
