"""Operators can look at documents and questions (with who asked) in the admin."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tenders.services.documents import document_add
from tenders.services.questions import question_ask
from tests.factories import (
    BuyerFactory,
    CompanyFactory,
    UserFactory,
    member_of,
    published_opportunity,
)

pytestmark = pytest.mark.django_db


def test_admin_lists_documents_and_questions(reference_data, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buyer = BuyerFactory()
    alice = member_of(buyer, "admin")
    opportunity = published_opportunity(buyer=buyer, by=alice)
    document = document_add(
        opportunity=opportunity, by=alice, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")
    )
    asker = member_of(CompanyFactory(name="Vrager B.V."))
    question = question_ask(opportunity=opportunity, by=asker, text="Waarom?")
    operator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(operator)
    for name, obj in (("document", document), ("question", question)):
        assert client.get(reverse(f"admin:tenders_{name}_changelist")).status_code == 200
        page = client.get(reverse(f"admin:tenders_{name}_change", args=[obj.pk]))
        assert page.status_code == 200
    assert (
        asker.email
        in client.get(reverse("admin:tenders_question_change", args=[question.pk])).content.decode()
    )
