"""Reference data: counts, hierarchy, idempotence, type-ahead."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from marketplace.core.models import Competency, CpvCode, Region
from marketplace.core.reference import reference_data_load

pytestmark = pytest.mark.django_db


def test_all_cpv_codes_municipalities_and_regions_are_loaded(reference_data):
    assert CpvCode.objects.count() == 9454
    assert Region.objects.filter(kind="municipality").count() == 342
    assert Region.objects.filter(country="NL", kind="nuts2").count() == 13  # 12 provinces + NLZZ
    assert CpvCode.objects.filter(level=1).count() == 45


def test_hierarchy_links_codes_and_places(reference_data):
    software = CpvCode.objects.get(code="72212000")
    assert software.code_with_check_digit == "72212000-4"
    assert software.parent.parent.code == "72200000"
    assert software.division == "72"
    amsterdam = Region.objects.get(code="GM0363")
    assert amsterdam.label_nl == "Amsterdam"
    assert amsterdam.parent.code == "NL32"  # Noord-Holland
    assert Region.objects.get(code="NL32B").label_nl == "Groot-Amsterdam"


def test_competency_taxonomy_starts_with_the_three_from_the_idea(reference_data):
    slugs = list(Competency.objects.order_by("position").values_list("slug", flat=True))
    assert slugs[:3] == ["data-aggregation", "behaviour-prediction", "behaviour-influencing"]
    assert 20 <= len(slugs) <= 40
    prediction = Competency.objects.get(slug="behaviour-prediction")
    assert prediction.parent.slug == "data-and-analytics"
    assert prediction.label_nl == "Gedrag voorspellen"


def test_loading_twice_changes_nothing(reference_data):
    before = {
        "cpv": list(CpvCode.objects.order_by("code").values_list("code", "label_nl", "parent_id")),
        "regions": list(Region.objects.order_by("code").values_list("code", "parent_id")),
        "competencies": list(
            Competency.objects.order_by("slug").values_list("pk", "slug", "parent_id", "position")
        ),
    }
    reference_data_load()
    after = {
        "cpv": list(CpvCode.objects.order_by("code").values_list("code", "label_nl", "parent_id")),
        "regions": list(Region.objects.order_by("code").values_list("code", "parent_id")),
        "competencies": list(
            Competency.objects.order_by("slug").values_list("pk", "slug", "parent_id", "position")
        ),
    }
    assert before == after


def test_command_reports_counts(reference_data, capsys):
    call_command("load_reference_data", verbosity=0)
    out = capsys.readouterr().out
    assert "9454 CPV codes" in out
    assert "342 municipalities" in out


def test_cpv_type_ahead_finds_dutch_and_english_labels_and_codes(reference_data, api):
    en = api.get(reverse("api-cpv"), {"q": "software package"}).json()
    assert any(row["code"] == "48000000" for row in en)
    by_code = api.get(reverse("api-cpv"), {"q": "7221"}).json()
    assert all(row["code"].startswith("7221") for row in by_code)
    nl = api.get(reverse("api-cpv"), {"q": "afval"}).json()
    assert nl and all("afval" in row["label_nl"].lower() for row in nl)
    bad = api.get(reverse("api-cpv"), {"limit": "lots"})
    assert bad.status_code == 400 and "limit" in bad.json()["errors"]


def test_region_api_finds_amsterdam(reference_data, api):
    rows = api.get(reverse("api-regions"), {"q": "Amsterdam", "country": "NL"}).json()
    codes = {row["code"] for row in rows}
    assert {"GM0363", "NL32B"} <= codes
