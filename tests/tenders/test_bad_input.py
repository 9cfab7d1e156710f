"""Bad input gets a 4xx in the error format, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import BuyerFactory, CompanyFactory, member_of, published_opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buyer = BuyerFactory()
    alice = member_of(buyer, "admin")
    return published_opportunity(buyer=buyer, by=alice), alice, member_of(CompanyFactory())


@pytest.mark.parametrize(
    ("who", "method", "url_name", "extra", "data", "fmt"),
    [
        ("alice", "post", "api-opportunity-documents", "", {}, "multipart"),
        ("alice", "post", "api-opportunity-documents", "", {"file": "not a file"}, "multipart"),
        ("alice", "post", "api-opportunity-documents", "", {"file": "x"}, "json"),
        ("alice", "get", "api-opportunity-document-download", "doc", {"version": "abc"}, None),
        ("alice", "post", "api-opportunity-document-replace", "doc", {}, "multipart"),
        ("supplier", "post", "api-opportunity-questions", "", {"text": ""}, "json"),
        (
            "supplier",
            "post",
            "api-opportunity-questions",
            "",
            {"text": "Vraag", "company": 99999},
            "json",
        ),
        ("supplier", "post", "api-opportunity-questions", "", ["not", "an", "object"], "json"),
        ("alice", "post", "api-opportunity-question-answer", "question", {}, "json"),
        ("alice", "patch", "api-opportunity-detail", "", {"details": {"trl_min": "many"}}, "json"),
        ("alice", "patch", "api-opportunity-detail", "", {"details": {"nope": 1}}, "json"),
        (
            "alice",
            "patch",
            "api-opportunity-detail",
            "",
            {"lots": [{"number": "1", "colour": "red"}]},
            "json",
        ),
        (
            "alice",
            "patch",
            "api-opportunity-detail",
            "",
            {"availability": [{"starts_on": "2027-02-01", "ends_on": "2027-01-01"}]},
            "json",
        ),
        ("alice", "patch", "api-opportunity-detail", "", {"languages": ["dutch"]}, "json"),
        ("alice", "patch", "api-opportunity-detail", "", {"closes_at": "tomorrow"}, "json"),
        ("alice", "post", "api-opportunity-award", "", {"winners": [{"company": 12345}]}, "json"),
        (
            "alice",
            "get",
            "api-opportunities",
            "",
            {"closes_after": "soon", "budget_min": "lots"},
            None,
        ),
    ],
)
def test_bad_input_is_a_4xx_with_the_error_format(
    setup, api, who, method, url_name, extra, data, fmt
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tenders.services.documents import document_add
    from tenders.services.questions import question_ask

    opportunity, alice, supplier = setup
    args = [opportunity.pk]
    if extra == "doc":
        pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")
        args.append(document_add(opportunity=opportunity, by=alice, upload=pdf).pk)
    if extra == "question":
        args.append(question_ask(opportunity=opportunity, by=supplier, text="?").pk)
    if url_name == "api-opportunities":
        args = []
    api.force_authenticate(alice if who == "alice" else supplier)
    call = getattr(api, method)
    url = reverse(url_name, args=args)
    response = call(url, data) if fmt is None else call(url, data, format=fmt)
    assert 400 <= response.status_code < 500, response.content
    assert set(response.json()) == {"detail", "errors"}
