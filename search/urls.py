from django.urls import path

from search import views

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("search/export.csv", views.search_export_csv, name="search-export-csv"),
]
