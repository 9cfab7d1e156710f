"""The Dutch catalogue: every marked string is in it, translated, with the same placeholders, and
the committed .mo says the same as the .po (issue 9)."""

from __future__ import annotations

import re
import shutil

import polib
import pytest
from django.core.management import call_command

from tests.services import ROOT, unavailable

PO = ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs%]")


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(PO))


def _entries(catalogue) -> list[polib.POEntry]:
    return [e for e in catalogue if not e.obsolete]


def _keys(catalogue) -> set[tuple]:
    return {(e.msgctxt, e.msgid, e.msgid_plural) for e in _entries(catalogue) if e.msgid}


def _pairs(entry: polib.POEntry) -> list[tuple[str, str]]:
    if entry.msgid_plural:
        return [(entry.msgid, entry.msgstr_plural[0]), (entry.msgid_plural, entry.msgstr_plural[1])]
    return [(entry.msgid, entry.msgstr)]


def test_every_message_has_a_dutch_translation(catalogue):
    assert catalogue.metadata["Language"] == "nl"
    assert catalogue.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert not catalogue.metadata_is_fuzzy
    entries = _entries(catalogue)
    assert len(entries) > 1400
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []
    empty = [e.msgid for e in entries if any(not dutch.strip() for _en, dutch in _pairs(e))]
    assert empty == []


def test_placeholders_are_the_same_in_dutch(catalogue):
    differ = [
        (english, dutch)
        for entry in _entries(catalogue)
        for english, dutch in _pairs(entry)
        if sorted(PLACEHOLDER.findall(english)) != sorted(PLACEHOLDER.findall(dutch))
    ]
    assert differ == []


def test_the_dutch_says_je_not_u(catalogue):
    formal = re.compile(r"\b(u|uw|U|Uw)\b")
    assert [e.msgstr for e in _entries(catalogue) if formal.search(e.msgstr)] == []


def test_committed_mo_matches_the_po(catalogue):
    compiled = {(e.msgctxt, e.msgid): e for e in polib.mofile(str(MO)) if e.msgid}
    expected = {(e.msgctxt, e.msgid): e for e in _entries(catalogue) if e.msgid}
    assert sorted(compiled.keys() - expected.keys()) == []
    assert sorted(expected.keys() - compiled.keys()) == [], "run `make messages` to compile"
    stale = [
        key
        for key, entry in expected.items()
        if entry.msgstr != compiled[key].msgstr
        or {int(k): v for k, v in entry.msgstr_plural.items()}
        != {int(k): v for k, v in compiled[key].msgstr_plural.items()}
    ]
    assert stale == [], "the .mo is older than the .po: run `make messages`"


def _ignored_by_make_messages() -> set[str]:
    line = re.search(r"^LOCALE_IGNORE := (.+)$", (ROOT / "Makefile").read_text(), re.M)
    return set(line.group(1).split())


def test_every_marked_string_is_in_the_catalogue(catalogue, tmp_path, settings, monkeypatch):
    """makemessages over a copy of the code finds exactly the messages of the committed .po, so
    nobody adds or changes a marked string without translating it."""
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        unavailable("GNU gettext (xgettext, msgmerge) is not installed")
    skip = _ignored_by_make_messages() | {"locale"}
    source = tmp_path / "src"
    source.mkdir()

    def not_source(directory, names):
        return [
            n
            for n in names
            if n == "__pycache__" or (n.rpartition(".")[2] in {"pyc", "mo", "po", "pot"})
        ]

    for path in ROOT.iterdir():
        if path.name.startswith(".") or path.name in skip:
            continue
        if path.is_dir():
            shutil.copytree(path, source / path.name, ignore=not_source, symlinks=True)
        elif path.suffix in {".py", ".html", ".txt"}:
            shutil.copy2(path, source / path.name)
    (source / "locale").mkdir()
    settings.LOCALE_PATHS = [source / "locale"]
    monkeypatch.chdir(source)

    call_command("makemessages", locale=["nl"], verbosity=0)

    fresh = polib.pofile(str(source / "locale" / "nl" / "LC_MESSAGES" / "django.po"))
    missing = sorted(_keys(fresh) - _keys(catalogue), key=str)
    stale = sorted(_keys(catalogue) - _keys(fresh), key=str)
    assert missing == [], "marked but not in the .po: run `make messages` and translate them"
    assert stale == [], "in the .po but no longer in the code: run `make messages`"
