"""Production static files: collectstatic with WhiteNoise's manifest storage gives every asset a
hashed name, the pages link those names, and WhiteNoise serves them with a long cache life.
Nothing is fetched from elsewhere at run time."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from tests.services import ROOT, unavailable

pytestmark = pytest.mark.django_db


def test_pages_link_hashed_assets_that_whitenoise_serves(settings, tmp_path, client):
    if not (ROOT / "static" / "vendor" / "amsterdam" / "design-system.css").exists():
        unavailable("the front-end assets are not built (make assets)")
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # Only our own files (the admin and API docs bring many more; they work the same way).
    ignore = ["drf_spectacular_sidecar", "admin", "rest_framework", "django_celery_beat"]
    call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=ignore)

    html = client.get("/").content.decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    names = {re.sub(r"\.[0-9a-f]{12}\.", ".", a) for a in assets}
    assert {
        "/static/vendor/amsterdam/tokens.css",
        "/static/vendor/amsterdam/design-system.css",
        "/static/css/kansen.css",
        "/static/vendor/htmx/htmx.min.js",
        "/static/js/kansen.js",
    } <= names
    assert all(re.search(r"\.[0-9a-f]{12}\.(css|js|svg)$", a) for a in assets), assets
    assert "//cdn" not in html and "unpkg" not in html
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert "immutable" in response["Cache-Control"]
