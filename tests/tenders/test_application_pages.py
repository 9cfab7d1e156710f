"""The pages: the company's dashboard and application form (save as you go, completeness,
uploads, submit, receipt, withdraw), the buyer's evaluation (side by side, scores, decisions,
feedback, CSV export, award), the log, the buyer's own questions and the box on the
opportunity page."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine
from django.urls import reverse

from tenders.models import Application, ApplicationQuestion
from tenders.services import applications as services
from tests.tenders.application_setup import (
    AFTER,
    NOW,
    PDF,
    SECRET,
    co_creation,
    co_creation_answers,
    funding,
    location,
    pdf,
    people,
    submitted_tender,
    tender,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    return people()


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_company_applies_through_the_pages(p, client, now):
    opportunity = tender(p.buyer)
    client.force_login(p.alice)
    page = client.get(opportunity.get_absolute_url())
    assert reverse("application-start", args=[opportunity.pk]) in page.content.decode()
    start = client.get(reverse("application-start", args=[opportunity.pk]))
    assert "Plan van aanpak" in start.content.decode()
    response = client.post(reverse("application-start", args=[opportunity.pk]))
    application = Application.objects.get()
    assert response.url == reverse("application-detail", args=[application.pk])
    form = client.get(response.url).content.decode()
    assert "Before you can submit" in form
    assert "Upload: UEA." in form

    quality = opportunity.award_criteria.get(type="quality")
    lot = opportunity.lots.get(number="1")
    question = opportunity.application_questions.get()
    document = opportunity.required_documents.get()
    fields = {
        f"criteria_{quality.pk}": SECRET,
        f"lot_{lot.pk}": "99000",
        f"q_{question.pk}": "yes",
        "partner_name_0": "Sensorbedrijf B.V.",
        "partner_kvk_0": "87654321",
        "partner_role_0": "Hardware",
    }
    # Saving an incomplete application keeps it as a draft.
    response = client.post(
        reverse("application-detail", args=[application.pk]), {**fields, "action": "save"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.draft["criteria"] == {str(quality.pk): SECRET}
    assert application.draft["answers"] == {str(question.pk): True}
    assert application.draft["partners"][0]["kvk_number"] == "87654321"
    # Submitting without the required document is refused with the list of what is missing.
    response = client.post(
        reverse("application-detail", args=[application.pk]), {**fields, "action": "submit"}
    )
    assert response.status_code == 400
    assert "Upload: UEA." in response.content.decode()
    # A renamed program is refused, the answers are still saved.
    fake = pdf("uea.pdf", b"MZ" + b"\x00" * 100)
    response = client.post(
        reverse("application-detail", args=[application.pk]),
        {**fields, f"doc_{document.pk}": fake, "action": "submit"},
    )
    assert response.status_code == 400
    assert "This file is a program" in response.content.decode()
    response = client.post(
        reverse("application-detail", args=[application.pk]),
        {**fields, f"doc_{document.pk}": pdf(), "action": "submit"},
    )
    assert response.status_code == 302
    assert response.url == reverse("application-receipt", args=[application.pk, 1])
    application.refresh_from_db()
    assert application.status == "submitted"
    receipt = client.get(response.url).content.decode()
    assert application.current_version.content_hash in receipt
    assert SECRET in receipt
    # The company downloads its own file.
    file_id = application.draft["files"][f"document:{document.pk}"]
    download = client.get(reverse("application-file", args=[application.pk, file_id]))
    assert b"".join(download.streaming_content) == PDF
    # Withdraw from the page.
    response = client.post(reverse("application-withdraw", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == "withdrawn"


def test_word_limit_shows_on_the_page_and_blocks_submission(p, client, now):
    opportunity = co_creation(p.buyer)
    application = services.application_create(
        opportunity=opportunity, company=p.company, by=p.alice, data=co_creation_answers()
    )
    client.force_login(p.alice)
    response = client.post(
        reverse("application-detail", args=[application.pk]),
        {**co_creation_answers(), "team": "word " * 501, "action": "submit"},
    )
    assert response.status_code == 400
    assert "Team has 501 words; the limit is 500." in response.content.decode()
    application.refresh_from_db()
    assert application.status == "draft"


def test_badly_formatted_values_are_shown_next_to_the_field(p, client, now):
    opportunity = funding(p.buyer)
    application = services.application_create(
        opportunity=opportunity, company=p.company, by=p.alice
    )
    client.force_login(p.alice)
    response = client.post(
        reverse("application-detail", args=[application.pk]),
        {"requested_amount": "a lot", "action": "save"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "error-summary" in body
    assert 'href="#id_requested_amount"' in body


def test_test_location_form_offers_only_free_dates(p, client, now):
    opportunity = location(p.buyer)
    other = services.application_create(
        opportunity=opportunity,
        company=p.other_company,
        by=p.charlie,
        data={
            "starts_on": "2026-05-10",
            "ends_on": "2026-05-20",
            "test_plan": "x",
            "safety_privacy": "y",
        },
    )
    services.application_submit(application=other, by=p.charlie)
    services.application_decide(application=other, by=p.evaluator, decision="approve")
    application = services.application_create(
        opportunity=opportunity, company=p.company, by=p.alice
    )
    client.force_login(p.alice)
    body = client.get(reverse("application-detail", args=[application.pk])).content.decode()
    assert "Still available: 2026-05-01 to 2026-05-09; 2026-05-21 to 2026-05-31." in body


def test_dashboard_groups_applications_by_status(p, client, now):
    submitted_tender(p)
    draft = services.application_create(
        opportunity=co_creation(p.buyer), company=p.company, by=p.bob
    )
    client.force_login(p.bob)
    body = client.get(reverse("application-list")).content.decode()
    assert "Drafts (1)" in body and "Submitted (1)" in body
    assert draft.opportunity.title in body
    client.force_login(p.charlie)
    body = client.get(reverse("application-list")).content.decode()
    assert draft.opportunity.title not in body


def test_buyer_evaluates_through_the_pages(p, client):
    opportunity = tender(p.buyer)
    with time_machine.travel(NOW, tick=False):
        ours = submitted_tender(p, opportunity=opportunity)
        theirs = submitted_tender(p, opportunity=opportunity, company=p.other_company, by=p.charlie)
    client.force_login(p.evaluator)
    overview = reverse("application-evaluation", args=[opportunity.pk])
    with time_machine.travel(AFTER, tick=False):
        body = client.get(overview).content.decode()
        assert "Open the box" in body and SECRET not in body
        client.post(reverse("application-box-open", args=[opportunity.pk]))
        body = client.get(overview).content.decode()
        assert "Answers side by side" in body
        assert body.count(SECRET) == 2
        assert "Opened by" in body
        detail = reverse("application-evaluate", args=[opportunity.pk, ours.pk])
        quality = opportunity.award_criteria.get(type="quality")
        price = opportunity.award_criteria.get(type="price")
        response = client.post(
            detail,
            {
                "action": "score",
                f"score_{quality.pk}": "9",
                f"score_{price.pk}": "7",
                f"note_{quality.pk}": "Good",
            },
        )
        assert response.status_code == 302
        assert "Weighted total" in client.get(detail).content.decode()
        client.post(detail, {"action": "award", "feedback": "Strong plan."})
        their_detail = reverse("application-evaluate", args=[opportunity.pk, theirs.pk])
        client.post(their_detail, {"action": "reject", "feedback": ""})
        body = client.get(overview).content.decode()
        assert "Write feedback for Concurrent B.V." in body
        response = client.post(reverse("application-award-publish", args=[opportunity.pk]))
        opportunity.refresh_from_db()
        assert opportunity.awarded_at is None
        client.post(their_detail, {"action": "feedback", "feedback": "Price too high."})
        client.post(reverse("application-award-publish", args=[opportunity.pk]))
    opportunity.refresh_from_db()
    assert opportunity.status == "awarded"
    ours.refresh_from_db()
    assert ours.status == "awarded" and ours.feedback == "Strong plan."


def test_csv_export_has_a_row_per_application_and_is_safe_in_spreadsheets(p, client):
    opportunity = tender(p.buyer)
    with time_machine.travel(NOW, tick=False):
        submitted_tender(p, opportunity=opportunity)
        quality = opportunity.award_criteria.get(type="quality")
        other = services.application_create(
            opportunity=opportunity,
            company=p.other_company,
            by=p.charlie,
            data={
                "criteria": {str(quality.pk): "=HYPERLINK(evil)"},
                "lot_prices": {str(opportunity.lots.first().pk): "1"},
                "answers": {str(opportunity.application_questions.get().pk): "no"},
            },
        )
        services.application_file_add(
            application=other,
            by=p.charlie,
            slot=f"document:{opportunity.required_documents.get().pk}",
            upload=pdf(),
        )
        services.application_submit(application=other, by=p.charlie)
    with time_machine.travel(AFTER, tick=False):
        services.applications_open(opportunity=opportunity, by=p.evaluator)
        client.force_login(p.evaluator)
        response = client.get(reverse("application-export", args=[opportunity.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3
    header = rows[0]
    assert header[:3] == ["application", "company", "KvK number"]
    assert "Plan van aanpak (60%)" in header
    column = header.index("Plan van aanpak (60%)")
    assert rows[1][column] == SECRET
    assert rows[2][column] == "'=HYPERLINK(evil)"
    assert rows[2][header.index("Are you insured?")] == "no"


def test_log_page_is_for_the_buyers_admins(p, client):
    with time_machine.travel(NOW, tick=False):
        bid = submitted_tender(p)
    with time_machine.travel(AFTER, tick=False):
        services.applications_open(opportunity=bid.opportunity, by=p.evaluator)
        url = reverse("application-log", args=[bid.opportunity.pk])
        client.force_login(p.evaluator)
        assert client.get(url).status_code == 403
        client.force_login(p.buyer_admin)
        body = client.get(url).content.decode()
    assert "Opened by the buyer" in body
    assert "Stadsdata Lab B.V." in body
    assert "opened by" in body


def test_buyer_manages_the_questions_on_the_form(p, client, now):
    opportunity = co_creation(p.buyer)
    client.force_login(p.evaluator)
    url = reverse("application-questions", args=[opportunity.pk])
    response = client.post(
        url, {"text": "Colour?", "type": "choice", "choices": "Red\nGreen", "is_required": "on"}
    )
    assert response.status_code == 302
    question = ApplicationQuestion.objects.get()
    assert question.choices == ["Red", "Green"]
    response = client.post(url, {"text": "Colour?", "type": "choice", "choices": "Red"})
    assert response.status_code == 400
    assert "Give at least two options." in response.content.decode()
    application = services.application_create(
        opportunity=opportunity,
        company=p.company,
        by=p.alice,
        data={**co_creation_answers(), "answers": {str(question.pk): "Red"}},
    )
    services.application_submit(application=application, by=p.alice)
    response = client.post(url, {"delete": question.pk})
    assert response.status_code == 409
    assert ApplicationQuestion.objects.filter(pk=question.pk).exists()
    client.force_login(p.other_buyer_member)
    assert client.get(url).status_code == 404


def test_opportunity_page_shows_the_buyer_how_many_arrived(p, client):
    with time_machine.travel(NOW, tick=False):
        bid = submitted_tender(p)
        client.force_login(p.evaluator)
        body = client.get(bid.opportunity.get_absolute_url()).content.decode()
    assert "1 application has arrived." in body
    assert "sealed until the deadline" in body


def test_anonymous_visitors_are_sent_to_sign_in(client, p, now):
    opportunity = tender(p.buyer)
    response = client.get(reverse("application-start", args=[opportunity.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_signed_in_users_find_their_applications_in_the_menu(p, client):
    client.force_login(p.bob)
    assert reverse("application-list") in client.get("/").content.decode()


def test_the_api_schema_describes_the_application_endpoints(api):
    schema = api.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in (
        "/api/v1/applications/",
        "/api/v1/applications/{id}/submit/",
        "/api/v1/applications/{id}/withdraw/",
        "/api/v1/opportunities/{id}/applications/",
    ):
        assert path in schema["paths"], path


def test_demo_step_starts_a_draft_once_when_an_open_call_exists(p):
    from marketplace.core.demo import seed_accounts
    from marketplace.core.models import Organisation
    from tenders.demo_applications import seed_applications

    seed_accounts()
    assert "no open" in seed_applications()[0]
    buyer = Organisation.objects.get(name="Gemeente Amsterdam", kind="buyer")
    with time_machine.travel(NOW, tick=False):
        co_creation(buyer)
        assert seed_applications()[0].startswith("1 draft application")
        assert seed_applications() == ["the demo company already has an application"]
    assert Application.objects.get().status == "draft"
