"""Operators can open the list page and a change page of every model in the admin."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_admin_page_opens_for_an_operator_on_the_demo_data(client, reference_data, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for model in admin.site._registry:
        meta = model._meta
        response = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert response.status_code == 200, meta.label
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            assert client.get(url).status_code == 200, meta.label
