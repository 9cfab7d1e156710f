"""The company's application API end to end: create with content, save as you go, see what is
missing, upload files (checked), submit, and the form a client needs to fill in."""

from __future__ import annotations

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tenders.services import applications as services
from tests.tenders.application_setup import (
    NOW,
    SECRET,
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
def now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_apply_for_a_tender_over_the_api(p, api):
    opportunity = tender(p.buyer)
    api.force_authenticate(p.alice)
    response = api.post(
        reverse("api-applications"),
        {"opportunity": opportunity.pk, "content": {"criteria": {}}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    pk = body["id"]
    assert body["status"] == "draft"
    assert body["company"]["name"] == "Stadsdata Lab B.V."
    assert [c["name"] for c in body["form"]["criteria"]] == ["Plan van aanpak"]
    assert [lot["number"] for lot in body["form"]["lots"]] == ["1", "2"]
    slot = body["form"]["documents"][0]["slot"]
    assert set(body["missing"]) >= {"lot_prices"}

    again = api.post(reverse("api-applications"), {"opportunity": opportunity.pk}, format="json")
    assert again.status_code == 409
    assert again.json()["errors"] == {"application": [str(pk)]}

    detail = reverse("api-application-detail", args=[pk])
    response = api.patch(detail, {"content": tender_answers(opportunity)}, format="json")
    assert response.status_code == 200
    assert SECRET in str(response.json()["content"])
    bad = api.patch(detail, {"content": {"lot_prices": {"1": "cheap"}}}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"lot_prices.1"}

    files = reverse("api-application-files", args=[pk])
    program = SimpleUploadedFile("uea.pdf", b"MZ" + b"\x00" * 64)
    refused = api.post(files, {"slot": slot, "file": program}, format="multipart")
    assert refused.status_code == 400
    document_key = "documents." + slot.split(":")[1]
    assert "program" in refused.json()["errors"][document_key][0]
    uploaded = api.post(files, {"slot": slot, "file": pdf()}, format="multipart")
    assert uploaded.status_code == 201
    assert uploaded.json()["name"] == "uea.pdf"
    assert len(uploaded.json()["sha256"]) == 64

    response = api.post(reverse("api-application-submit", args=[pk]))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    assert body["version"] == 1
    assert body["missing"] == {}
    assert len(body["versions"][0]["content_hash"]) == 64
    listed = api.get(reverse("api-applications"), {"status": "submitted"}).json()
    assert [row["id"] for row in listed["results"]] == [pk]
    assert api.get(reverse("api-applications"), {"status": "draft"}).json()["count"] == 0

    response = api.post(reverse("api-application-withdraw", args=[pk]), {"reason": "Oops"})
    assert response.json()["status"] == "withdrawn"


def test_incomplete_submission_names_what_is_missing(p, api):
    opportunity = tender(p.buyer)
    application = services.application_create(
        opportunity=opportunity, company=p.company, by=p.alice
    )
    api.force_authenticate(p.bob)
    response = api.post(reverse("api-application-submit", args=[application.pk]))
    assert response.status_code == 400
    assert response.json()["detail"] == "Your application is not complete yet: 4 things to do."
    assert "lot_prices" in response.json()["errors"]


def test_a_test_location_form_offers_the_free_periods(p, api):
    opportunity = location(p.buyer)
    other = services.application_create(
        opportunity=opportunity,
        company=p.other_company,
        by=p.charlie,
        data=location_answers("2026-05-01", "2026-05-15"),
    )
    services.application_submit(application=other, by=p.charlie)
    services.application_decide(application=other, by=p.evaluator, decision="approve")
    api.force_authenticate(p.alice)
    response = api.post(
        reverse("api-applications"),
        {"opportunity": opportunity.pk, "content": location_answers("2026-05-10", "2026-05-20")},
        format="json",
    )
    body = response.json()
    assert body["form"]["available_periods"] == [
        {"starts_on": "2026-05-16", "ends_on": "2026-05-31"}
    ]
    assert "Already booked by others" in body["missing"]["starts_on"][0]


def test_a_company_member_of_two_companies_says_which_one_applies(p, api):
    from marketplace.core.models import Membership
    from tests.factories import CompanyFactory

    second = CompanyFactory()
    Membership.objects.create(user=p.alice, organisation=second)
    opportunity = tender(p.buyer)
    api.force_authenticate(p.alice)
    response = api.post(reverse("api-applications"), {"opportunity": opportunity.pk}, format="json")
    assert response.status_code == 400
    assert "company" in response.json()["errors"]
    response = api.post(
        reverse("api-applications"),
        {"opportunity": opportunity.pk, "company": second.pk},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["company"]["id"] == second.pk


@pytest.mark.parametrize(
    "content",
    [
        {"criteria": "x"},
        {"criteria": {"1": {"nested": True}}},
        {"lot_prices": {"1": ["a"]}},
        {"lot_prices": {"1": "NaN"}},
        {"lot_prices": {"1": "1e400"}},
        {"price": "Infinity"},
        {"answers": [1, 2]},
        {"partners": [1, 2]},
        {"partners": "ACME"},
        {"partners": [{"name": ["x"]}]},
        {"files": {"document:1": 1}},
        {"requested_amount": "10"},
    ],
)
def test_bad_input_gets_a_400_never_a_500(p, api, content):
    opportunity = tender(p.buyer)
    application = services.application_create(
        opportunity=opportunity, company=p.company, by=p.alice
    )
    api.force_authenticate(p.alice)
    response = api.patch(
        reverse("api-application-detail", args=[application.pk]),
        {"content": content},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert response.json()["errors"]


@pytest.mark.parametrize(
    "content",
    [
        {"budget": "x"},
        {"budget": [{"item": "A", "amount": {"x": 1}}]},
        {"budget": [{"item": 5, "amount": "1"}]},
        {"requested_amount": True},
    ],
)
def test_bad_funding_input_gets_a_400(p, api, content):
    from tests.tenders.application_setup import funding

    application = services.application_create(
        opportunity=funding(p.buyer), company=p.company, by=p.alice
    )
    api.force_authenticate(p.alice)
    response = api.patch(
        reverse("api-application-detail", args=[application.pk]),
        {"content": content},
        format="json",
    )
    assert response.status_code == 400, response.json()


@pytest.mark.parametrize("content", [{"starts_on": 12}, {"ends_on": "2026-02-30"}])
def test_bad_dates_get_a_400(p, api, content):
    application = services.application_create(
        opportunity=location(p.buyer), company=p.company, by=p.alice
    )
    api.force_authenticate(p.alice)
    response = api.patch(
        reverse("api-application-detail", args=[application.pk]),
        {"content": content},
        format="json",
    )
    assert response.status_code == 400, response.json()
