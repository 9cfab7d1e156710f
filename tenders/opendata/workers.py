"""The job of an eForms parsing process. Imports nothing that needs Django's app registry, so a
spawned process can run it without django.setup()."""

from __future__ import annotations

from tenders.opendata import eforms
from tenders.opendata.items import ImportItem, NoticeRejected


def read_eforms(args: tuple[str, bytes, bool]) -> ImportItem | tuple[str, NoticeRejected]:
    name, data, validate = args
    try:
        item = eforms.read_notice(data, file_name=name, validate=validate)
        item.content_hash()  # computed here, in the parsing process, and kept on the item
        return item
    except NoticeRejected as exc:
        return name, exc
