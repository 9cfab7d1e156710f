"""Checking uploaded files: type by content (not by name), size, and a safe name.

Used for opportunity documents and application uploads. A renamed executable is refused, so is
a file whose content does not match its extension, and a ZIP that hides programs or would
unpack to something enormous.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from marketplace.core.errors import ApplicationError

MB = 1024 * 1024
MAX_SIZE = 25 * MB

# extension -> (label, MIME type)
DOCUMENT_TYPES = {
    "pdf": ("PDF", "application/pdf"),
    "odt": ("ODT", "application/vnd.oasis.opendocument.text"),
    "docx": ("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "zip": ("ZIP", "application/zip"),
}
IMAGE_TYPES = {
    "png": ("PNG", "image/png"),
    "jpg": ("JPEG", "image/jpeg"),
}
EXECUTABLE_KINDS = {"exe", "elf", "swf", "wasm", "crx", "deb", "rpm", "cab"}
RISKY_IN_ZIP = {
    ".exe",
    ".dll",
    ".bat",
    ".cmd",
    ".com",
    ".msi",
    ".scr",
    ".js",
    ".vbs",
    ".ps1",
    ".sh",
    ".jar",
    ".app",
    ".apk",
    ".lnk",
    ".hta",
    ".pif",
}
MAX_ZIP_ENTRIES = 2000
MAX_ZIP_UNPACKED = 1024 * MB


@dataclass(frozen=True)
class CheckedFile:
    name: str
    extension: str
    content_type: str
    size: int
    sha256: str


def safe_filename(name: str, *, fallback: str = "document") -> str:
    """A name without paths, control characters or odd punctuation, at most 120 characters,
    keeping the (lower-case) extension."""
    name = unicodedata.normalize("NFKC", name or "")
    name = name.replace("\\", "/").split("/")[-1].strip()
    stem, ext = os.path.splitext(name)
    if not ext and stem.startswith("."):
        stem, ext = "", stem
    stem = "".join(ch for ch in stem if ch.isprintable()).strip(". ")
    try:
        stem = get_valid_filename(stem)[:100]
    except Exception:
        stem = ""
    ext = ext.lower()[:10]
    return f"{stem or fallback}{ext}"


def _detect(head: bytes) -> str | None:
    kind = filetype.guess(head)
    return kind.extension if kind else None


def _zip_problem(upload) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                return _("The ZIP file holds too many files.")
            if sum(i.file_size for i in infos) > MAX_ZIP_UNPACKED:
                return _("The ZIP file would unpack to more than 1 GB.")
            for info in infos:
                if os.path.splitext(info.filename.lower())[1] in RISKY_IN_ZIP:
                    return _(
                        "The ZIP file contains a program (%(name)s), which we do not accept."
                    ) % {"name": os.path.basename(info.filename)}
    except zipfile.BadZipFile:
        return _("The file is damaged: it cannot be opened as %(type)s.") % {"type": "ZIP"}
    finally:
        upload.seek(0)
    return None


def file_check(
    upload,
    *,
    allowed: dict[str, tuple[str, str]] | None = None,
    max_size: int = MAX_SIZE,
    field: str = "file",
) -> CheckedFile:
    """Check an uploaded file (a Django UploadedFile or any binary file object with `.name`).

    Raises ApplicationError with a message for `field` that says what to do instead.
    """
    allowed = allowed or DOCUMENT_TYPES
    kinds = ", ".join(label for label, _mime in allowed.values())

    def refuse(message: str):
        raise ApplicationError(message, errors={field: [message]})

    name = safe_filename(getattr(upload, "name", "") or "")
    extension = os.path.splitext(name)[1].lstrip(".")
    if extension == "jpeg":
        extension = "jpg"
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
    upload.seek(0)
    if size == 0:
        refuse(_("The file is empty."))
    if size > max_size:
        refuse(
            _("The file is %(size).1f MB; the maximum is %(max)d MB. Make it smaller or split it.")
            % {"size": size / MB, "max": max_size // MB}
        )
    if extension not in allowed:
        refuse(_("Files of this type cannot be uploaded. Allowed: %(kinds)s.") % {"kinds": kinds})

    head = upload.read(8192)
    upload.seek(0)
    detected = _detect(head)
    if detected in EXECUTABLE_KINDS or head.startswith((b"MZ", b"\x7fELF", b"#!")):
        refuse(_("This file is a program, not a document. We do not accept programs."))
    expected = {
        "jpg": "jpg",
        "png": "png",
        "pdf": "pdf",
        "zip": "zip",
        "docx": "docx",
        "xlsx": "xlsx",
        "odt": "odt",
    }[extension]
    matches = detected == expected or (expected == "zip" and head.startswith(b"PK\x03\x04"))
    if expected in ("docx", "xlsx", "odt") and detected == "zip":
        matches = False
    if not matches:
        label = allowed[extension][0]
        refuse(
            _(
                "The file is called .%(ext)s but its content is not %(label)s. Save it as %(label)s and try again."
            )
            % {"ext": extension, "label": label}
        )
    if head.startswith(b"PK"):
        problem = _zip_problem(upload)
        if problem:
            refuse(problem)
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        name=name,
        extension=extension,
        content_type=allowed[extension][1],
        size=size,
        sha256=digest.hexdigest(),
    )
