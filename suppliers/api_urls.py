from django.urls import include, path

urlpatterns: list = [
    path("", include("suppliers.api_urls_alerts")),
]
