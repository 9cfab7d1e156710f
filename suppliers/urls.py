from django.urls import include, path

urlpatterns: list = [
    path("", include("suppliers.urls_alerts")),
]
