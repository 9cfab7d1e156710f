"""The demo opportunities of `make run`: every kind on the overview and on a detail page,
seeded once, and still open when the demo is seeded again weeks later."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from tenders.demo import DEMO_FILE, demo_pdf
from tenders.models import Opportunity

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def seeded(reference_data, settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo")
    return Opportunity.objects.filter(source_id__startswith="demo:")


def test_demo_file_is_marked_as_demo_content():
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    assert "DEMO CONTENT" in data["_about"]
    kinds = [o["kind"] for o in data["opportunities"]]
    assert kinds.count("co_creation") == 3 and kinds.count("test_location") == 3
    assert kinds.count("tender") == 1 and kinds.count("funding") == 1
    for item in data["opportunities"]:
        assert item["title"].endswith("(demo)")
        assert "demo-inhoud" in item["description"]


def test_every_kind_is_published_and_shows(seeded, client):
    assert seeded.count() == 8
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        assert all(o.status == "published" for o in seeded)
        home = client.get(reverse("home")).content.decode()
        for title, at_least in (
            ("Tenders", 1),
            ("Funding calls", 1),
            ("Co-creation calls", 3),
            ("Test locations", 3),
        ):
            found = re.search(rf"{title} \((\d+)\)", home)
            assert found and int(found.group(1)) >= at_least, title
        for opportunity in seeded:
            response = client.get(opportunity.get_absolute_url())
            assert response.status_code == 200
            assert opportunity.title in response.content.decode()
    tender = seeded.get(kind="tender")
    assert tender.documents.count() == 1 and tender.questions.get().is_answered
    assert seeded.get(source_id="demo:arena-drukte-voorspellen").amendments.count() == 1
    amsterdam = seeded.filter(buyer__name="Gemeente Amsterdam")
    assert all(o.created_by and o.created_by.email == "buyer@amsterdam.example" for o in amsterdam)


def test_seeding_again_changes_nothing(seeded, capsys):
    before = list(Opportunity.objects.order_by("pk").values_list("pk", "version", "closes_at"))
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        call_command("seed_demo")
    assert (
        list(Opportunity.objects.order_by("pk").values_list("pk", "version", "closes_at")) == before
    )
    assert "0 demo opportunities published, 8 already there" in capsys.readouterr().out


def test_seeding_weeks_later_keeps_the_demo_open(seeded, capsys):
    later = NOW + dt.timedelta(days=90)
    with time_machine.travel(later, tick=False):
        assert seeded.open().count() < 8
        call_command("seed_demo")
        with_deadline = seeded.exclude(closes_at=None)
        assert all(o.status == "published" for o in seeded)
        assert all(o.closes_at > later for o in with_deadline)
    assert "given a new deadline" in capsys.readouterr().out


def test_demo_pdf_is_accepted_as_a_pdf():
    from django.core.files.base import ContentFile

    from marketplace.core.files import file_check

    checked = file_check(ContentFile(demo_pdf("Hallo"), name="demo.pdf"))
    assert checked.content_type == "application/pdf"
