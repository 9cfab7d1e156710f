"""/healthz, /readyz and the demo data command."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from marketplace.core.models import Membership, Organisation, User

pytestmark = pytest.mark.django_db


def test_healthz_is_alive(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_each_part(client):
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "search"}


def test_readyz_names_an_unreachable_broker(client, settings):
    from marketplace.celery import app

    old = app.conf.broker_url
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/readyz")
    finally:
        app.conf.broker_url = old
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


def test_readyz_reports_unreachable_elasticsearch_as_degraded(client, settings):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:1"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["search"]["status"] == "degraded"


def test_seed_demo_is_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refused when DEBUG is off"):
        call_command("seed_demo")


def test_seed_demo_creates_the_demo_accounts_once(settings, capsys, reference_data):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "buyer@amsterdam.example" in out and "kansen-demo" in out
    buyer = User.objects.get(email="buyer@amsterdam.example")
    assert buyer.check_password("kansen-demo")
    assert Membership.objects.get(user=buyer).organisation.name == "Gemeente Amsterdam"
    founder = User.objects.get(email="founder@datastartup.example")
    assert Membership.objects.get(user=founder).organisation.kind == "company"
    assert Organisation.objects.filter(name="Gemeente Amsterdam").count() == 1
    assert User.objects.filter(email__endswith=".example").count() == 2
