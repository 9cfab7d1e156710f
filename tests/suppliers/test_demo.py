"""The demo step fills the founder's profile and demo companies, so matching shows something."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import translation

from marketplace.core.models import Organisation, User
from marketplace.core.selectors import user_company
from suppliers import match_selectors
from suppliers.models import CompanyProfile
from tenders.selectors import opportunity_list_for_buyer_member

pytestmark = pytest.mark.django_db


def test_demo_matching_is_seeded_once_and_shows_matches(settings, capsys, reference_data):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "9 demo companies" in out and "/for-you/" in out
    assert Organisation.objects.filter(name__endswith="(demo)", kind="company").count() == 9
    assert CompanyProfile.objects.count() == 10

    founder = User.objects.get(email="founder@datastartup.example")
    company = user_company(user=founder)
    with translation.override("en"):
        rows = match_selectors.matches_for_company(company=company)
    # Demo opportunities come from the opportunities' demo step, or from ours when none is open.
    assert rows, "For you is empty after seeding"
    assert rows[0].reasons[0].startswith("Matches your competenc")

    buyer = User.objects.get(email="buyer@amsterdam.example")
    open_calls = (
        opportunity_list_for_buyer_member(buyer)
        .open()
        .filter(competencies__slug__in=["data-aggregation", "behaviour-prediction"])
    )
    assert open_calls.exists()
    with translation.override("en"):
        suggested = [
            row
            for call in open_calls.distinct()
            for row in match_selectors.matches_for_opportunity(opportunity=call)
        ]
    names = {row.company.name for row in suggested}
    assert "Stadsdata Lab B.V." in names
    assert all(name.endswith("(demo)") or name == "Stadsdata Lab B.V." for name in names)
