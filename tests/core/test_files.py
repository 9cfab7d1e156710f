"""Upload checks: type by content, size, names."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.core.errors import ApplicationError
from marketplace.core.files import file_check, safe_filename

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def zipped(entries: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
XLSX = zipped({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
ODT = zipped({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<office/>"})


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("bestek.pdf", PDF, "application/pdf"),
        (
            "plan.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "begroting.xlsx",
            XLSX,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("notitie.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("bijlagen.zip", zipped({"a.pdf": PDF}), "application/zip"),
    ],
)
def test_accepted_documents(name, content, content_type):
    checked = file_check(SimpleUploadedFile(name, content))
    assert checked.content_type == content_type
    assert checked.size == len(content)
    assert len(checked.sha256) == 64


def test_renamed_executable_is_refused():
    with pytest.raises(ApplicationError, match="program"):
        file_check(SimpleUploadedFile("offerte.pdf", b"MZ\x90\x00" + b"\x00" * 500))


def test_content_must_match_the_extension():
    with pytest.raises(ApplicationError, match=r"called \.pdf but its content is not PDF"):
        file_check(SimpleUploadedFile("offerte.pdf", DOCX))
    with pytest.raises(ApplicationError, match="not DOCX"):
        file_check(SimpleUploadedFile("plan.docx", zipped({"a.txt": "hoi"})))


def test_unknown_type_and_size_limits():
    with pytest.raises(ApplicationError, match="Allowed: PDF, ODT, DOCX, XLSX, ZIP"):
        file_check(SimpleUploadedFile("foto.gif", b"GIF89a"))
    with pytest.raises(ApplicationError, match="empty"):
        file_check(SimpleUploadedFile("leeg.pdf", b""))
    with pytest.raises(ApplicationError, match="maximum is 1 MB"):
        file_check(
            SimpleUploadedFile("groot.pdf", PDF + b"0" * (2 * 1024 * 1024)), max_size=1024 * 1024
        )


def test_zip_with_a_program_inside_is_refused():
    with pytest.raises(ApplicationError, match=r"setup\.exe"):
        file_check(SimpleUploadedFile("bijlagen.zip", zipped({"setup.exe": b"MZ"})))


def test_error_names_the_field():
    with pytest.raises(ApplicationError) as exc:
        file_check(SimpleUploadedFile("x.exe", b"MZ"), field="documents")
    assert list(exc.value.errors) == ["documents"]


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\me\\Offerte Gemeente.PDF", "Offerte_Gemeente.pdf"),
        ("  .pdf", "document.pdf"),
        ("bijlage\x00<script>.pdf", "bijlagescript.pdf"),
    ],
)
def test_names_are_sanitised(raw, safe):
    assert safe_filename(raw) == safe
