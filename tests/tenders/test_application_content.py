"""Each kind's application form: what is refused when saving, what the completeness check
lists, word limits, amounts, dates, the buyer's own questions, partners and file checks."""

from __future__ import annotations

import datetime as dt
import os

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from marketplace.core.errors import ApplicationError
from tenders.models import ApplicationQuestion
from tenders.services import applications as services
from tests.tenders.application_setup import (
    NOW,
    co_creation,
    co_creation_answers,
    funding,
    funding_answers,
    location,
    location_answers,
    pdf,
    people,
    tender,
    tender_answers,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    return people()


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


def start(p, opportunity, data=None):
    return services.application_create(
        opportunity=opportunity, company=p.company, by=p.alice, data=data or {}
    )


def missing(application):
    application.refresh_from_db()
    return services.application_missing(application=application)


def test_empty_tender_bid_lists_everything_that_is_missing(p):
    opportunity = tender(p.buyer)
    application = start(p, opportunity)
    quality = opportunity.award_criteria.get(type="quality")
    document = opportunity.required_documents.get()
    question = opportunity.application_questions.get()
    assert set(missing(application)) == {
        f"criteria.{quality.pk}",
        "lot_prices",
        f"documents.{document.pk}",
        f"answers.{question.pk}",
    }


def test_price_criterion_is_answered_by_the_prices_not_in_words(p):
    opportunity = tender(p.buyer)
    price = opportunity.award_criteria.get(type="price")
    with pytest.raises(ApplicationError) as exc:
        start(p, opportunity, {"criteria": {str(price.pk): "cheap"}})
    assert f"criteria.{price.pk}" in exc.value.errors


def test_tender_answer_over_the_word_limit_is_saved_but_blocks_submission(p):
    opportunity = tender(p.buyer)
    data = tender_answers(opportunity, text="one two three four five six")
    application = start(p, opportunity, data)
    quality = opportunity.award_criteria.get(type="quality")
    assert application.draft["criteria"][str(quality.pk)] == "one two three four five six"
    problems = missing(application)[f"criteria.{quality.pk}"]
    assert problems == ["Plan van aanpak has 6 words; the limit is 5."]
    document = opportunity.required_documents.get()
    services.application_file_add(
        application=application, by=p.alice, slot=f"document:{document.pk}", upload=pdf()
    )
    with pytest.raises(ApplicationError) as exc:
        services.application_submit(application=application, by=p.alice)
    assert list(exc.value.errors) == [f"criteria.{quality.pk}"]
    services.application_update(
        application=application,
        by=p.alice,
        data={"criteria": {str(quality.pk): "five words are just fine"}},
    )
    assert services.application_submit(application=application, by=p.alice).number == 1


def test_tender_prices_must_be_amounts_for_known_lots(p):
    opportunity = tender(p.buyer)
    lot = opportunity.lots.first()
    with pytest.raises(ApplicationError) as exc:
        start(p, opportunity, {"lot_prices": {str(lot.pk): "a lot", "999999": "10"}})
    assert exc.value.errors == {
        f"lot_prices.{lot.pk}": ["Enter an amount, like 12500 or 12500.50."],
        "lot_prices.999999": ["There is no such lot."],
    }
    with pytest.raises(ApplicationError) as exc:
        start(p, opportunity, {"lot_prices": {str(lot.pk): "-5"}})
    assert "negative" in exc.value.errors[f"lot_prices.{lot.pk}"][0]
    with pytest.raises(ApplicationError) as exc:
        start(p, opportunity, {"price": "100"})
    assert "price" in exc.value.errors


def test_unknown_fields_and_fields_of_other_kinds_are_refused(p):
    with pytest.raises(ApplicationError) as exc:
        start(p, tender(p.buyer), {"project_plan": "x", "colour": "blue"})
    assert set(exc.value.errors) == {"colour", "project_plan"}


def test_drafts_merge_per_id_and_empty_values_remove(p):
    opportunity = tender(p.buyer)
    lot1, lot2 = opportunity.lots.order_by("number")
    application = start(p, opportunity, {"lot_prices": {str(lot1.pk): "10"}})
    services.application_update(
        application=application, by=p.alice, data={"lot_prices": {str(lot2.pk): "20.5"}}
    )
    assert application.draft["lot_prices"] == {str(lot1.pk): "10.00", str(lot2.pk): "20.50"}
    services.application_update(
        application=application, by=p.alice, data={"lot_prices": {str(lot1.pk): None}}
    )
    assert application.draft["lot_prices"] == {str(lot2.pk): "20.50"}


def test_funding_application_checks_the_range_budget_and_cofinancing(p):
    opportunity = funding(p.buyer)
    application = start(p, opportunity, funding_answers())
    assert missing(application) == {}
    services.application_update(
        application=application, by=p.alice, data={"requested_amount": "60000"}
    )
    problems = missing(application)
    assert any("at most € 50,000.00" in m for m in problems["requested_amount"])
    assert problems["budget"] == ["You ask € 60,000.00 but the budget adds up to € 40,000.00."]
    services.application_update(
        application=application, by=p.alice, data={"requested_amount": "5000"}
    )
    assert "at least € 10,000.00" in missing(application)["requested_amount"][0]
    # 25% co-financing: of a 40,000 budget at most 30,000 can be asked.
    services.application_update(
        application=application, by=p.alice, data={"requested_amount": "30000.01"}
    )
    assert "at most € 30,000.00" in missing(application)["requested_amount"][0]


def test_funding_budget_rows_are_checked(p):
    opportunity = funding(p.buyer)
    with pytest.raises(ApplicationError) as exc:
        start(p, opportunity, {"budget": [{"item": "Personnel", "amount": "lots"}]})
    assert "budget.0.amount" in exc.value.errors
    application = start(
        p, opportunity, {**funding_answers(), "budget": [{"item": "", "amount": "40000"}]}
    )
    assert missing(application)["budget.0.item"] == ["Describe each budget item."]
    services.application_update(application=application, by=p.alice, data={"budget": []})
    assert "budget" in missing(application)


def test_funding_project_plan_has_a_word_limit(p):
    application = start(p, funding(p.buyer), {**funding_answers(), "project_plan": "word " * 2001})
    assert missing(application)["project_plan"] == [
        "Project plan has 2001 words; the limit is 2000."
    ]


def test_co_creation_proposal_needs_approach_team_and_pilot_plan(p):
    opportunity = co_creation(p.buyer)
    application = start(p, opportunity)
    assert set(missing(application)) == {"approach", "team", "pilot_plan"}
    services.application_update(application=application, by=p.alice, data=co_creation_answers())
    assert missing(application) == {}
    services.application_update(application=application, by=p.alice, data={"team": "x " * 501})
    assert missing(application) == {"team": ["Team has 501 words; the limit is 500."]}


def test_test_location_request_needs_dates_inside_a_window(p):
    opportunity = location(p.buyer)
    application = start(p, opportunity, location_answers())
    assert missing(application) == {}
    services.application_update(
        application=application, by=p.alice, data={"starts_on": "2026-04-28"}
    )
    assert "not inside one of the periods" in missing(application)["starts_on"][0]
    services.application_update(
        application=application, by=p.alice, data={"starts_on": "2026-05-10"}
    )
    assert "before the first day" in missing(application)["starts_on"][0]
    with pytest.raises(ApplicationError) as exc:
        services.application_update(
            application=application, by=p.alice, data={"starts_on": "4 May"}
        )
    assert exc.value.errors == {"starts_on": ["Enter a date as YYYY-MM-DD."]}


def test_test_location_request_cannot_start_in_the_past(p):
    opportunity = location(p.buyer)
    with time_machine.travel(dt.datetime(2026, 5, 6, 9, 0, tzinfo=dt.UTC), tick=False):
        application = start(p, opportunity, location_answers())
        assert missing(application)["starts_on"] == ["The first day has already passed."]


def test_test_location_request_needs_the_test_plan_and_safety_statement(p):
    application = start(p, location(p.buyer), {"starts_on": "2026-05-04", "ends_on": "2026-05-05"})
    assert set(missing(application)) == {"test_plan", "safety_privacy"}


@pytest.mark.parametrize(
    ("kind", "value", "error"),
    [
        ("number", "twelve", "Enter a number."),
        ("yes_no", "maybe", "Answer yes or no."),
        ("choice", "purple", "Choose one of the options."),
        ("text", 12, "Write text here."),
        ("file", "x.pdf", "Upload the file for this question instead."),
    ],
)
def test_buyer_question_answers_must_fit_the_question(p, kind, value, error):
    opportunity = co_creation(p.buyer)
    question = services.application_question_create(
        opportunity=opportunity,
        by=p.evaluator,
        data={"text": "Q", "type": kind, "choices": ["red", "green"] if kind == "choice" else []},
    )
    with pytest.raises(ApplicationError) as exc:
        start(p, opportunity, {"answers": {str(question.pk): value}})
    assert exc.value.errors == {f"answers.{question.pk}": [error]}


def test_buyer_questions_required_optional_and_word_limits(p):
    opportunity = co_creation(p.buyer)
    required = services.application_question_create(
        opportunity=opportunity,
        by=p.evaluator,
        data={"text": "Why you?", "type": "text", "word_limit": 3},
    )
    optional = services.application_question_create(
        opportunity=opportunity,
        by=p.evaluator,
        data={"text": "Team size", "type": "number", "is_required": False},
    )
    upload = services.application_question_create(
        opportunity=opportunity, by=p.evaluator, data={"text": "Your CV", "type": "file"}
    )
    application = start(p, opportunity, co_creation_answers())
    assert set(missing(application)) == {f"answers.{required.pk}", f"answers.{upload.pk}"}
    services.application_update(
        application=application,
        by=p.alice,
        data={"answers": {str(required.pk): "because we are good", str(optional.pk): "4"}},
    )
    assert missing(application)[f"answers.{required.pk}"] == [
        "Your answer to 'Why you?' has 4 words; the limit is 3."
    ]
    services.application_update(
        application=application, by=p.alice, data={"answers": {str(required.pk): "we are good"}}
    )
    services.application_file_add(
        application=application, by=p.alice, slot=f"question:{upload.pk}", upload=pdf("cv.pdf")
    )
    assert missing(application) == {}


def test_buyer_question_definitions_are_checked(p):
    opportunity = co_creation(p.buyer)
    with pytest.raises(ApplicationError) as exc:
        services.application_question_create(
            opportunity=opportunity,
            by=p.evaluator,
            data={"text": " ", "type": "choice", "choices": ["only one"]},
        )
    assert set(exc.value.errors) == {"text", "choices"}
    with pytest.raises(ApplicationError) as exc:
        services.application_question_create(
            opportunity=opportunity,
            by=p.evaluator,
            data={"text": "Size?", "type": "number", "word_limit": 10},
        )
    assert set(exc.value.errors) == {"word_limit"}
    assert not ApplicationQuestion.objects.exists()


def test_partners_need_a_name_and_a_kvk_number_other_than_the_lead(p):
    opportunity = co_creation(p.buyer)
    with pytest.raises(ApplicationError) as exc:
        start(p, opportunity, {"partners": [{"name": "X", "kvk_number": "123"}]})
    assert exc.value.errors == {"partners.0.kvk_number": ["A KvK number has exactly 8 digits."]}
    application = start(
        p,
        opportunity,
        {
            **co_creation_answers(),
            "partners": [
                {"name": "Sensorbedrijf B.V.", "kvk_number": "87654321", "role": "hardware"},
                {"name": "Ourselves", "kvk_number": p.company.kvk_number},
                {"name": "Twice", "kvk_number": "87654321"},
                {"kvk_number": "11112222"},
            ],
        },
    )
    assert missing(application) == {
        "partners.1.kvk_number": ["The lead company cannot also be a partner."],
        "partners.2.kvk_number": ["This partner is listed twice."],
        "partners.3.name": ["Give the name of each partner company."],
    }


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("uea.pdf", b"MZ\x90\x00" + b"\x00" * 200), "program"),
        (SimpleUploadedFile("uea.pdf", b"just text, not a pdf"), "not PDF"),
        (SimpleUploadedFile("uea.exe", b"%PDF-1.7"), "cannot be uploaded"),
        (SimpleUploadedFile("uea.pdf", b""), "empty"),
    ],
)
def test_uploads_are_checked_by_content(p, upload, message):
    opportunity = tender(p.buyer)
    application = start(p, opportunity)
    document = opportunity.required_documents.get()
    with pytest.raises(ApplicationError) as exc:
        services.application_file_add(
            application=application, by=p.alice, slot=f"document:{document.pk}", upload=upload
        )
    assert message in exc.value.errors[f"documents.{document.pk}"][0]
    application.refresh_from_db()
    assert application.files.count() == 0
    assert "files" not in application.draft


def test_upload_for_an_unknown_slot_is_refused(p):
    application = start(p, tender(p.buyer))
    with pytest.raises(ApplicationError) as exc:
        services.application_file_add(
            application=application, by=p.alice, slot="document:999", upload=pdf()
        )
    assert "slot" in exc.value.errors


def test_replacing_a_draft_file_removes_the_old_one(p, django_capture_on_commit_callbacks):
    opportunity = tender(p.buyer)
    application = start(p, opportunity)
    slot = f"document:{opportunity.required_documents.get().pk}"
    first = services.application_file_add(
        application=application, by=p.alice, slot=slot, upload=pdf()
    )
    path = first.file.path
    with django_capture_on_commit_callbacks(execute=True):
        second = services.application_file_add(
            application=application, by=p.alice, slot=slot, upload=pdf("uea-v2.pdf")
        )
    assert list(application.files.values_list("pk", flat=True)) == [second.pk]
    assert application.draft["files"] == {slot: second.pk}
    assert not os.path.exists(path)
