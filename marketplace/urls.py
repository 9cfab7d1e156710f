from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from marketplace.api_root import ApiRootApi
from marketplace.core import health
from tenders.views import home

api_v1 = [
    path("", ApiRootApi.as_view(), name="api-root"),
    path("", include("marketplace.core.api_urls")),
    path("", include("tenders.api_urls")),
    path("", include("suppliers.api_urls")),
    path("", include("search.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

urlpatterns = [
    path("", home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("marketplace.core.urls")),
    path("", include("tenders.urls")),
    path("", include("suppliers.urls")),
    path("", include("search.urls")),
]

handler404 = "marketplace.core.views.page_not_found"
handler500 = "marketplace.core.views.server_error"
