"""The seed_demo step that imports real notices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count

from tenders.models import Opportunity
from tenders.opendata.demo import seed_imports

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)


def test_the_demo_imports_real_notices_once(reference_data):
    first = seed_imports()
    counts = dict(Opportunity.objects.values_list("source").annotate(n=Count("id")))
    assert counts["ted"] >= 68
    assert counts["ocds"] == 150
    assert counts["eu_funding"] == 512
    # Horizon Europe topics with deadlines still to come are open, past ones closed.
    assert Opportunity.objects.filter(kind="funding").open(now=NOW).exists()
    assert Opportunity.objects.filter(kind="funding").with_status("closed", now=NOW).exists()
    assert len(first) == 3
    second = seed_imports()
    assert all("0 created, 0 updated" in line for line in second), second
