"""The seed_demo step that imports real notices."""

from __future__ import annotations

import pytest

from tenders.models import Opportunity
from tenders.opendata.demo import seed_imports

pytestmark = pytest.mark.django_db


def test_the_demo_imports_real_notices_once(reference_data):
    first = seed_imports()
    counts = dict(
        Opportunity.objects.values_list("source").annotate(
            n=__import__("django.db.models", fromlist=["Count"]).Count("id")
        )
    )
    assert counts["ted"] >= 68 and counts["ocds"] == 150 and counts["eu_funding"] == 512
    assert Opportunity.objects.filter(kind="funding").open().exists()
    second = seed_imports()
    assert all("0 created, 0 updated" in line for line in second), second
    assert len(first) == 3
