"""The buyer's pages: create and edit per kind with the service's errors beside the fields,
preview, publish (naming what is missing), amend, close early, award, cancel, documents,
answers, and the dashboard by status."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tenders.forms import ROWS_FOR_KIND
from tenders.models import Opportunity
from tenders.services import opportunities as services
from tenders.services import questions as question_services
from tests.factories import (
    BuyerFactory,
    CompanyFactory,
    member_of,
    published_opportunity,
)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 10, 5, 8, 0, tzinfo=dt.UTC)  # 10:00 in Amsterdam
LOCAL = "%Y-%m-%dT%H:%M"


@pytest.fixture
def buyer():
    return BuyerFactory(name="Gemeente Amsterdam", slug="gemeente-amsterdam")


@pytest.fixture
def alice(buyer, client):
    user = member_of(buyer, "admin")
    client.force_login(user)
    return user


def post_data(kind: str, rows: dict | None = None, **fields) -> dict:
    """What a browser sends from the create/edit form."""
    data = {
        "title": "Slimme lantaarnpalen",
        "summary": "Lantaarnpalen die meten.",
        "description": "We zoeken een partner.",
        "competencies": ["sensor-networks"],
        "cpv_codes": ["lantaarnpalen"],  # words, not a code
        "regions": ["Amsterdam"],
        "closes_at": "2026-11-20T17:00",
        "question_deadline": "2026-11-06T17:00",
        "languages": ["nl", "en"],
        "apply_checklist": "Een plan van 2 pagina's\n\n- Een begroting",
        "is_sme_suitable": "on",
    }
    data.update(fields)
    for name in ROWS_FOR_KIND[kind]:
        given = (rows or {}).get(name, [])
        data[f"{name}-TOTAL_FORMS"] = str(len(given) + 1)
        data[f"{name}-INITIAL_FORMS"] = "0"
        data[f"{name}-MIN_NUM_FORMS"] = "0"
        data[f"{name}-MAX_NUM_FORMS"] = "1000"
        for index, row in enumerate(given):
            for key, value in row.items():
                data[f"{name}-{index}-{key}"] = value
    return data


KIND_INPUT = {
    "tender": (
        {"details-procedure": "open", "details-estimated_value": "80000"},
        {
            "lots": [{"number": "1", "title": "Palen", "cpv_codes": "34928520, 50232100"}],
            "award_criteria": [
                {"type": "quality", "name": "Plan", "weight": "70"},
                {"type": "price", "name": "Prijs", "weight": "30"},
            ],
            "required_documents": [{"type": "uea", "name": "UEA", "is_required": "on"}],
        },
    ),
    "funding": (
        {
            "details-programme": "Stadsinnovatie",
            "details-amount_min": "5000",
            "details-amount_max": "20000",
            "details-eligible_sizes": ["startup", "small"],
        },
        {},
    ),
    "co_creation": (
        {"details-challenge": "Donkere straten", "details-desired_outcome": "Veilige straten"},
        {"phases": [{"name": "Pilot", "starts_on": "2027-01-10", "ends_on": "2027-03-01"}]},
    ),
    "test_location": (
        {"details-address": "Dam 1", "details-municipality": "Amsterdam", "details-trl_min": "5"},
        {
            "availability": [
                {"starts_on": "2026-12-01", "ends_on": "2027-02-01", "note": "Werkdagen"}
            ]
        },
    ),
}


@pytest.mark.parametrize("kind", ["tender", "funding", "co_creation", "test_location"])
def test_create_preview_and_publish_each_kind_through_the_pages(
    reference_data, client, alice, kind
):
    details, rows = KIND_INPUT[kind]
    with time_machine.travel(NOW, tick=False):
        form = client.get(reverse("opportunity-create", args=[kind])).content.decode()
        sealed = re.search(r'<input type="checkbox" name="is_sealed"[^>]*>', form).group(0)
        assert ("checked" in sealed) == (kind == "tender")  # tenders are sealed by default
        if kind == "tender":
            details = {**details, "is_sealed": "on"}
        response = client.post(
            reverse("opportunity-create", args=[kind]), post_data(kind, rows, **details)
        )
        assert response.status_code == 302, re.findall(
            r'<li><a href="#([^"]+)">([^<]+)</a>', response.content.decode()
        )
        opportunity = Opportunity.objects.get()
        assert response["Location"] == reverse("opportunity-manage", args=[opportunity.pk])
        assert opportunity.kind == kind and opportunity.status == "draft"
        assert opportunity.main_cpv_id == "34928520"  # "lantaarnpalen" found by its Dutch label
        assert [r.code for r in opportunity.regions.all()] == ["GM0363"]
        assert opportunity.apply_checklist == ["Een plan van 2 pagina's", "Een begroting"]
        assert opportunity.languages == ["nl", "en"]
        assert opportunity.is_sme_suitable and not opportunity.is_first_timer_friendly
        assert opportunity.closes_at == dt.datetime(2026, 11, 20, 16, 0, tzinfo=dt.UTC)

        preview = client.get(reverse("opportunity-preview", args=[opportunity.pk]))
        assert "Preview." in preview.content.decode()
        manage = client.get(reverse("opportunity-manage", args=[opportunity.pk])).content.decode()
        assert "Before you can publish" not in manage

        response = client.post(reverse("opportunity-publish", args=[opportunity.pk]))
        assert response.status_code == 302
        opportunity.refresh_from_db()
        assert opportunity.status == "published"
        page = client.get(opportunity.get_absolute_url()).content.decode()
        assert "Lantaarnpalen die meten." in page
    if kind == "tender":
        assert opportunity.lots.get().cpv_codes.count() == 2
        assert sum(c.weight for c in opportunity.award_criteria.all()) == 100
        assert opportunity.is_sealed
    if kind == "funding":
        assert opportunity.funding.eligible_sizes == ["startup", "small"]
        assert "Company size: start-up, small (10 to 49 people)" in page
    if kind == "test_location":
        assert opportunity.test_location.municipality_id == "GM0363"
        assert opportunity.availability.get().note == "Werkdagen"
    if kind == "co_creation":
        assert opportunity.phases.get().starts_on == dt.date(2027, 1, 10)


def test_the_services_errors_show_beside_their_fields(reference_data, client, alice):
    rows = {
        "lots": [
            {"number": "1", "title": "A"},
            {"number": "1", "title": "B"},
        ],
        "award_criteria": [{"type": "price", "name": "Prijs", "weight": "100"}],
    }
    data = post_data(
        "tender",
        rows,
        opens_at="2026-12-01T09:00",
        closes_at="2026-11-20T17:00",
        budget_min="900",
        budget_max="100",
        **{"details-procedure": "open"},
    )
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("opportunity-create", args=["tender"]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert not Opportunity.objects.exists()
    assert "kansen-error-summary" in html
    # Each message next to its own field (the error paragraph right under the field's label).
    for field_id, message in [
        ("id_opens_at", "The opening date must be before the deadline."),
        ("id_budget_min", "The lower budget cannot be above the upper budget."),
        ("id_lots-1-number", "Each lot needs its own number."),
    ]:
        assert f'<a href="#{field_id}">' in html, field_id
        assert message in html


def test_unclear_cpv_words_get_suggestions(reference_data, client, alice):
    data = post_data("co_creation", cpv_codes=["software"], regions=["Nergenshuizen"])
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("opportunity-create", args=["co_creation"]), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "matches" in html and "CPV codes. Choose one:" in html
    assert "No region or municipality is called" in html


def test_publishing_an_incomplete_draft_lists_what_is_missing(reference_data, client, alice, buyer):
    draft = services.opportunity_create(
        buyer=buyer, by=alice, kind="test_location", data={"title": "Dak"}
    )
    manage = client.get(reverse("opportunity-manage", args=[draft.pk])).content.decode()
    assert "Before you can publish" in manage
    assert "Say where the test location is." in manage
    assert "Add at least one period in which companies can test." in manage
    response = client.post(reverse("opportunity-publish", args=[draft.pk]), follow=True)
    assert "not complete yet" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_amending_through_the_form_needs_a_reason_and_shows_on_the_public_page(
    reference_data, client, alice, buyer
):
    with time_machine.travel(NOW, tick=False):
        opportunity = published_opportunity(buyer=buyer, by=alice, kind="funding")
        edit = reverse("opportunity-edit", args=[opportunity.pk])
        form = client.get(edit)
        assert "Why do you change it?" in form.content.decode()
        data = post_data(
            "funding",
            title=opportunity.title,
            summary="Meer geld per aanvrager.",
            cpv_codes=["72316000"],
            regions=["GM0363"],
            closes_at=timezone.localtime(opportunity.closes_at).strftime(LOCAL),
            question_deadline="",
            **{"details-programme": "Innovatieregeling", "details-amount_max": "40000"},
        )
        response = client.post(edit, data)
        assert response.status_code == 400
        assert "This field is required." in response.content.decode()
        response = client.post(edit, {**data, "reason": "Het budget is verhoogd"})
        assert response.status_code == 302, re.findall(
            r'<li><a href="#([^"]+)">([^<]+)</a>', response.content.decode()
        )
    opportunity.refresh_from_db()
    assert opportunity.version == 2
    assert opportunity.funding.amount_max == Decimal("40000")
    page = client.get(opportunity.get_absolute_url()).content.decode()
    assert "Het budget is verhoogd" in page
    assert "summary" in page and "maximum per applicant" in page


def test_close_early_award_to_a_company_and_show_the_outcome(reference_data, client, alice, buyer):
    winner = CompanyFactory(name="Lichtlab B.V.", kvk_number="12345678")
    with time_machine.travel(NOW, tick=False):
        opportunity = published_opportunity(buyer=buyer, by=alice, kind="tender")
        response = client.post(
            reverse("opportunity-close", args=[opportunity.pk]), {"close-reason": "Genoeg"}
        )
        assert response.status_code == 302
        opportunity.refresh_from_db()
        assert opportunity.status == "closed"
        award = reverse("opportunity-award", args=[opportunity.pk])
        response = client.post(award, {"outcome": "awarded", "company": "Onbekend B.V."})
        assert response.status_code == 400
        assert "No company on Kansen is called that" in response.content.decode()
        response = client.post(
            award,
            {"outcome": "awarded", "company": "Lichtlab B.V. (KvK 12345678)", "value": "75000"},
        )
        assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.status == "awarded"
    assert opportunity.awards.get().company == winner
    page = client.get(opportunity.get_absolute_url()).content.decode()
    assert "Lichtlab B.V." in page and "75,000" in page


def test_not_awarded_is_an_outcome_too(reference_data, client, alice, buyer):
    with time_machine.travel(NOW, tick=False):
        opportunity = published_opportunity(buyer=buyer, by=alice, kind="co_creation")
    with time_machine.travel(NOW + dt.timedelta(days=31), tick=False):
        response = client.post(
            reverse("opportunity-award", args=[opportunity.pk]), {"outcome": "not_awarded"}
        )
        assert response.status_code == 302
        page = client.get(opportunity.get_absolute_url()).content.decode()
    assert "Not awarded." in page


def test_award_before_the_deadline_is_refused_with_a_message(reference_data, client, alice, buyer):
    with time_machine.travel(NOW, tick=False):
        opportunity = published_opportunity(buyer=buyer, by=alice, kind="co_creation")
        response = client.post(
            reverse("opportunity-award", args=[opportunity.pk]), {"outcome": "not_awarded"}
        )
    assert response.status_code == 409
    assert "only after the deadline" in response.content.decode()


def test_cancel_needs_a_reason_that_everyone_reads(reference_data, client, alice, buyer):
    with time_machine.travel(NOW, tick=False):
        opportunity = published_opportunity(buyer=buyer, by=alice, kind="test_location")
        url = reverse("opportunity-cancel", args=[opportunity.pk])
        assert client.post(url, {"reason": ""}).status_code == 400
        assert client.post(url, {"reason": "De locatie wordt gesloopt."}).status_code == 302
    client.logout()
    page = client.get(opportunity.get_absolute_url()).content.decode()
    assert "Cancelled" in page and "De locatie wordt gesloopt." in page


def test_a_refused_upload_shows_its_reason_on_the_page(
    reference_data, client, alice, buyer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        opportunity = published_opportunity(buyer=buyer, by=alice, kind="tender")
    url = reverse("opportunity-document-upload", args=[opportunity.pk])
    response = client.post(url, {"file": SimpleUploadedFile("bestek.pdf", b"MZ" + b"\0" * 100)})
    assert response.status_code == 400
    assert "This file is a program" in response.content.decode()
    pdf = b"%PDF-1.4\n%%EOF\n"
    response = client.post(url, {"file": SimpleUploadedFile("bestek.pdf", pdf), "title": "Bestek"})
    assert response.status_code == 302
    assert opportunity.documents.get().title == "Bestek"


def test_answering_from_the_manage_page(reference_data, client, alice, buyer):
    supplier = member_of(CompanyFactory())
    with time_machine.travel(NOW, tick=False):
        opportunity = published_opportunity(buyer=buyer, by=alice)
        question = question_services.question_ask(
            opportunity=opportunity, by=supplier, text="Wij van X B.V. vragen: hoe lang?"
        )
        manage = client.get(reverse("opportunity-manage", args=[opportunity.pk])).content.decode()
        assert "1 waiting for an answer" in manage
        url = reverse("opportunity-question-answer", args=[opportunity.pk, question.pk])
        response = client.post(url, {f"answer-{question.pk}-answer": ""})
        assert response.status_code == 400
        response = client.post(
            url,
            {
                f"answer-{question.pk}-question": "Hoe lang duurt het?",
                f"answer-{question.pk}-answer": "Zes maanden.",
            },
        )
        assert response.status_code == 302
    page = client.get(opportunity.get_absolute_url()).content.decode()
    assert "Hoe lang duurt het?" in page and "Zes maanden." in page
    assert "X B.V." not in page


def test_dashboard_groups_by_status_and_counts_open_questions(reference_data, client, alice, buyer):
    supplier = member_of(CompanyFactory())
    with time_machine.travel(NOW, tick=False):
        services.opportunity_create(buyer=buyer, by=alice, kind="tender", data={"title": "Concept"})
        open_one = published_opportunity(buyer=buyer, by=alice, title="Lopend")
        question_services.question_ask(opportunity=open_one, by=supplier, text="?")
        cancelled = published_opportunity(buyer=buyer, by=alice, title="Gestopt")
        services.opportunity_cancel(opportunity=cancelled, by=alice, reason="Stop")
        published_opportunity(buyer=BuyerFactory(), by=None, title="Van een ander")
        html = client.get(reverse("buyer-dashboard")).content.decode()

    def section(status):
        start = html.index(f'id="status-{status}"')
        return html[start : html.index("</section>", start)]

    assert "Concept" in section("draft")
    assert "Lopend" in section("published") and "<strong>1</strong>" in section("published")
    assert "Gestopt" in section("cancelled")
    assert "Van een ander" not in html


def test_two_buyer_organisations_choose_on_whose_behalf(reference_data, client, alice):
    other = BuyerFactory(name="Waternet")
    from marketplace.core.models import Membership

    Membership.objects.create(user=alice, organisation=other)
    data = post_data("co_creation", buyer=str(other.pk))
    with time_machine.travel(NOW, tick=False):
        form = client.get(reverse("opportunity-create", args=["co_creation"])).content.decode()
        assert "On behalf of" in form
        response = client.post(reverse("opportunity-create", args=["co_creation"]), data)
    assert response.status_code == 302
    assert Opportunity.objects.get().buyer == other
