"""Documents: checked by content, stored outside the web root, versioned, served only to who may
see the opportunity, always as an attachment; followers hear of new files."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketplace.core.errors import ApplicationError, TransitionError
from tenders import hooks
from tenders.models import Document, DocumentVersion, OpportunityEvent
from tenders.services import documents as services
from tenders.services import opportunities as opportunity_services
from tests.factories import (
    BuyerFactory,
    CompanyFactory,
    member_of,
    opportunity_data,
    published_opportunity,
)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PDF_2 = b"%PDF-1.7\n% version two\ntrailer <<>>\n%%EOF\n"


def zipped(entries: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
XLSX = zipped({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
ODT = zipped({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<office/>"})


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def received(monkeypatch):
    """What tenders.hooks hands to receivers after commit (a receiver of our own, registered
    through the hook's list like search and alerts register theirs)."""
    calls: list[tuple[int, str]] = []
    monkeypatch.setattr(
        hooks, "OPPORTUNITY_RECEIVERS", [*hooks.OPPORTUNITY_RECEIVERS, "tests.tenders.record"]
    )
    from tests import tenders as receiver_module

    monkeypatch.setattr(receiver_module, "calls", calls)
    return calls


@pytest.fixture
def buyer():
    return BuyerFactory()


@pytest.fixture
def alice(buyer):
    return member_of(buyer, "admin")


@pytest.fixture
def draft(reference_data, buyer, alice):
    return opportunity_services.opportunity_create(
        buyer=buyer, by=alice, kind="tender", data=opportunity_data("tender", now=NOW)
    )


@pytest.fixture
def published(reference_data, buyer, alice):
    with time_machine.travel(NOW, tick=False):
        return published_opportunity(buyer=buyer, by=alice, kind="tender")


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("Bestek.pdf", PDF, "application/pdf"),
        (
            "plan.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("prijzen.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("notitie.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("bijlagen.zip", zipped({"a.pdf": PDF}), "application/zip"),
    ],
)
def test_the_five_accepted_types_are_stored_with_their_facts(
    draft, alice, media, name, content, content_type
):
    document = services.document_add(
        opportunity=draft, by=alice, upload=SimpleUploadedFile(name, content), title="Bijlage"
    )
    version = document.current
    assert version.version == 1
    assert version.content_type == content_type
    assert version.size == len(content)
    assert len(version.sha256) == 64
    assert version.uploaded_by == alice
    stored = Path(version.file.path)
    assert stored.is_relative_to(media)
    assert stored.read_bytes() == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("offerte.pdf", b"MZ\x90\x00" + b"\x00" * 600, "program"),
        ("script.pdf", b"#!/bin/sh\nrm -rf /\n", "program"),
        ("bestek.pdf", DOCX, "not PDF"),
        ("plan.docx", zipped({"a.txt": "hoi"}), "not DOCX"),
        ("setup.exe", b"MZ" + b"\x00" * 100, "Allowed: PDF, ODT, DOCX, XLSX, ZIP"),
        ("foto.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "Allowed"),
        ("leeg.pdf", b"", "empty"),
        ("bijlagen.zip", zipped({"install.exe": b"MZ"}), "install.exe"),
    ],
)
def test_refused_files_say_why_and_leave_nothing_behind(
    draft, alice, media, name, content, message
):
    with pytest.raises(ApplicationError) as exc:
        services.document_add(opportunity=draft, by=alice, upload=SimpleUploadedFile(name, content))
    assert message in exc.value.errors["file"][0]
    assert not Document.objects.exists()
    assert not any(p.is_file() for p in Path(media).rglob("*")) if Path(media).exists() else True


def test_a_file_over_25_mb_is_refused(draft, alice):
    big = SimpleUploadedFile("groot.pdf", PDF + b"0" * (25 * 1024 * 1024))
    with pytest.raises(ApplicationError, match="the maximum is 25 MB"):
        services.document_add(opportunity=draft, by=alice, upload=big)


def test_names_are_made_safe(draft, alice):
    upload = SimpleUploadedFile("../../etc/Bestek versie 2 <final>.pdf", PDF)
    document = services.document_add(opportunity=draft, by=alice, upload=upload)
    name = document.current.name
    assert "/" not in name and "<" not in name and ".." not in name
    assert name.endswith(".pdf")
    assert document.title == name


def test_replacing_keeps_every_old_version(draft, alice):
    document = services.document_add(
        opportunity=draft, by=alice, upload=SimpleUploadedFile("bestek.pdf", PDF)
    )
    first = document.current
    second = services.document_replace(
        document=document, by=alice, upload=SimpleUploadedFile("bestek.pdf", PDF_2)
    )
    document.refresh_from_db()
    assert document.current == second
    assert [v.version for v in document.versions.all()] == [2, 1]
    assert Path(first.file.path).read_bytes() == PDF
    assert Path(second.file.path).read_bytes() == PDF_2
    assert first.file.name != second.file.name


def test_adding_to_a_published_opportunity_tells_followers(
    published, alice, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_add(
            opportunity=published, by=alice, upload=SimpleUploadedFile("nota.pdf", PDF)
        )
    event = published.events.get(type=OpportunityEvent.Type.DOCUMENT_ADDED)
    assert event.payload["document"] == document.pk and event.payload["replaced"] is False
    assert received == [(published.pk, "document_added")]

    with pytest.raises(ApplicationError) as exc:  # after publishing, say what changed
        services.document_replace(
            document=document, by=alice, upload=SimpleUploadedFile("nota.pdf", PDF_2)
        )
    assert "note" in exc.value.errors
    with django_capture_on_commit_callbacks(execute=True):
        services.document_replace(
            document=document,
            by=alice,
            upload=SimpleUploadedFile("nota.pdf", PDF_2),
            note="Tabel 3 verbeterd",
        )
    events = published.events.filter(type=OpportunityEvent.Type.DOCUMENT_ADDED)
    assert [e.payload["version"] for e in events] == [1, 2]
    assert received[-1] == (published.pk, "document_added")


def test_adding_to_a_draft_is_nobodys_news(
    draft, alice, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.document_add(opportunity=draft, by=alice, upload=SimpleUploadedFile("a.pdf", PDF))
    assert not draft.events.exists()
    assert received == []


def test_documents_cannot_change_once_cancelled_and_stay_once_published(published, alice):
    document = services.document_add(
        opportunity=published, by=alice, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    with pytest.raises(TransitionError):
        services.document_delete(document=document, by=alice)
    opportunity_services.opportunity_cancel(opportunity=published, by=alice, reason="Stop")
    with pytest.raises(TransitionError):
        services.document_add(
            opportunity=published, by=alice, upload=SimpleUploadedFile("b.pdf", PDF)
        )
    with pytest.raises(TransitionError):
        services.document_replace(
            document=document, by=alice, upload=SimpleUploadedFile("a.pdf", PDF_2), note="x"
        )


def test_deleting_a_draft_document_removes_its_files(
    draft, alice, django_capture_on_commit_callbacks
):
    document = services.document_add(
        opportunity=draft, by=alice, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    path = Path(document.current.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(document=document, by=alice)
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert not path.exists()


def test_strangers_cannot_add_documents(draft):
    from django.core.exceptions import PermissionDenied

    charlie = member_of(BuyerFactory())
    with pytest.raises(PermissionDenied):
        services.document_add(
            opportunity=draft, by=charlie, upload=SimpleUploadedFile("a.pdf", PDF)
        )


# Serving -----------------------------------------------------------------------------------


def test_public_document_is_served_to_anyone_as_an_attachment(published, alice, client, api):
    document = services.document_add(
        opportunity=published, by=alice, upload=SimpleUploadedFile("Bestek.pdf", PDF)
    )
    for response in (
        client.get(reverse("opportunity-document-download", args=[published.pk, document.pk])),
        api.get(reverse("api-opportunity-document-download", args=[published.pk, document.pk])),
    ):
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="Bestek.pdf"'
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF


def test_old_versions_stay_downloadable(published, alice, client):
    document = services.document_add(
        opportunity=published, by=alice, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    services.document_replace(
        document=document, by=alice, upload=SimpleUploadedFile("a.pdf", PDF_2), note="Nieuw"
    )
    args = [published.pk, document.pk]
    latest = client.get(reverse("opportunity-document-download", args=args))
    first = client.get(reverse("opportunity-document-version-download", args=[*args, 1]))
    assert b"".join(latest.streaming_content) == PDF_2
    assert b"".join(first.streaming_content) == PDF
    missing = client.get(reverse("opportunity-document-version-download", args=[*args, 7]))
    assert missing.status_code == 404


def test_draft_documents_are_only_for_the_buyers_members(draft, alice, client):
    document = services.document_add(
        opportunity=draft, by=alice, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    url = reverse("opportunity-document-download", args=[draft.pk, document.pk])
    bob = member_of(draft.buyer)
    for user, expected in [
        (None, 404),
        (member_of(BuyerFactory()), 404),
        (member_of(CompanyFactory()), 404),
        (bob, 200),
    ]:
        client.logout()
        if user is not None:
            client.force_login(user)
        assert client.get(url).status_code == expected


def test_a_document_is_only_found_under_its_own_opportunity(published, draft, alice, client):
    document = services.document_add(
        opportunity=draft, by=alice, upload=SimpleUploadedFile("geheim.pdf", PDF)
    )
    url = reverse("opportunity-document-download", args=[published.pk, document.pk])
    assert client.get(url).status_code == 404


def test_media_files_are_not_served_statically(published, alice, client):
    document = services.document_add(
        opportunity=published, by=alice, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    name = document.current.file.name
    for prefix in ("/media/", "/static/", "/"):
        assert client.get(prefix + name).status_code == 404


# API ---------------------------------------------------------------------------------------


def test_api_upload_list_and_replace(published, alice, api):
    api.force_authenticate(alice)
    url = reverse("api-opportunity-documents", args=[published.pk])
    response = api.post(
        url,
        {"file": SimpleUploadedFile("Bestek.pdf", PDF), "title": "Bestek"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "Bestek"
    assert body["current"]["version"] == 1
    assert body["current"]["download_url"].endswith(
        f"/api/v1/opportunities/{published.pk}/documents/{body['id']}/download/?version=1"
    )
    replace = reverse("api-opportunity-document-replace", args=[published.pk, body["id"]])
    response = api.post(
        replace,
        {"file": SimpleUploadedFile("Bestek.pdf", PDF_2), "note": "Bijlage 2 erbij"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["version"] == 2
    api.force_authenticate(None)
    listed = api.get(url).json()
    assert [v["version"] for v in listed[0]["versions"]] == [2, 1]
    assert listed[0]["current"]["note"] == "Bijlage 2 erbij"
    detail = api.get(reverse("api-opportunity-detail", args=[published.pk])).json()
    assert detail["documents"][0]["id"] == body["id"]


def test_api_refused_upload_is_a_400_naming_the_file(published, alice, api):
    api.force_authenticate(alice)
    response = api.post(
        reverse("api-opportunity-documents", args=[published.pk]),
        {"file": SimpleUploadedFile("offerte.pdf", b"MZ" + b"\x00" * 600)},
        format="multipart",
    )
    assert response.status_code == 400
    assert "program" in response.json()["errors"]["file"][0]


def test_document_list_takes_a_fixed_number_of_queries(
    published, alice, api, django_assert_num_queries
):
    url = reverse("api-opportunity-documents", args=[published.pk])

    def add(n):
        for i in range(n):
            document = services.document_add(
                opportunity=published, by=alice, upload=SimpleUploadedFile(f"{i}.pdf", PDF)
            )
            services.document_replace(
                document=document, by=alice, upload=SimpleUploadedFile(f"{i}.pdf", PDF_2), note="v2"
            )

    add(1)
    # opportunity, documents with their current version, versions
    with django_assert_num_queries(3):
        assert len(api.get(url).json()) == 1
    add(4)
    with django_assert_num_queries(3):
        assert len(api.get(url).json()) == 5
