"""import_eforms: every SDK example and real TED notice, idempotence, change notices, buyers."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from marketplace.core.models import Organisation
from tenders.models import Amendment, ImportedNotice, ImportRecord, Opportunity
from tenders.opendata.runs import eforms_items
from tenders.services.imports import items_import
from tests.factories import BuyerFactory

pytestmark = pytest.mark.django_db
SDK = Path(settings.DATA_DIR) / "eforms-sdk-1.15.1" / "notices"
REAL = Path(settings.DATA_DIR) / "ted_real_eforms_notices"


def run(*paths, **kwargs):
    return items_import(items=eforms_items(list(paths), **kwargs))


def test_every_sdk_example_and_real_notice_imports_and_the_invalid_ones_are_rejected(
    reference_data,
):
    sdk_files = sorted(p.name for p in SDK.iterdir())
    real_files = sorted(REAL.rglob("*.xml"))
    report = run(SDK, REAL)

    problems = {Path(f).name: (kind, reason) for f, kind, reason in report.problems}
    invalid = {n for n in sdk_files if n.startswith("INVALID_")}
    assert {n for n, (kind, _) in problems.items() if kind == "invalid"} == invalid
    assert {n for n, (kind, _) in problems.items() if kind == "unsupported"} == {
        "X01_EEIG.xml",
        "X02_registration.xml",
    }
    assert all(reason for _, reason in problems.values())
    assert problems["INVALID_change-cn_24_FRA_comments.xml"][1].startswith("change notice of")
    assert report.total == len(sdk_files) + len(real_files) == 160
    imported = set(ImportedNotice.objects.values_list("file_name", flat=True))
    assert {Path(f).name for f in imported} == set(sdk_files) - set(problems) | {
        p.name for p in real_files
    }
    for path in real_files:  # every real TED notice links to TED by its publication number
        number = path.stem
        assert Opportunity.objects.filter(source_url__endswith=f"/detail/{number}").exists()

    counts = (
        Opportunity.objects.count(),
        Amendment.objects.count(),
        ImportedNotice.objects.count(),
        Organisation.objects.count(),
    )
    again = run(SDK, REAL)
    assert (again.created, again.updated) == (0, 0)
    assert again.unchanged == report.created + report.updated + report.unchanged + report.older
    assert counts == (
        Opportunity.objects.count(),
        Amendment.objects.count(),
        ImportedNotice.objects.count(),
        Organisation.objects.count(),
    )


def test_a_contract_notice_maps_onto_a_tender(reference_data):
    run(REAL / "eforms_sdk_v1.7" / "eform_subtype_11" / "671881-2023.xml")
    opportunity = Opportunity.objects.get()
    assert opportunity.kind == "tender"
    assert opportunity.source == "ted"
    assert opportunity.title == "Onshore CAR Insurance"
    assert opportunity.source_url == "https://ted.europa.eu/en/notice/-/detail/671881-2023"
    assert opportunity.main_cpv_id == "66510000"
    assert opportunity.tender.procedure == "negotiated"
    assert opportunity.tender.estimated_value == 52_000_000
    assert opportunity.buyer.name == "TenneT TSO B.V."
    assert opportunity.buyer.kvk_number == "09155985"
    assert opportunity.buyer.is_claimed is False
    assert opportunity.import_record.notices.get().publication_number == "671881-2023"


def test_every_language_is_kept_and_the_notice_language_is_shown(reference_data):
    run(SDK / "cn_24_multilingual.xml")
    opportunity = Opportunity.objects.get()
    record = opportunity.import_record
    assert record.primary_language == "en"
    assert opportunity.title.startswith("Provision of IT Services")
    assert len(record.translations) == 23
    assert record.translations["nl"]["title"]
    assert "nl" in opportunity.languages


def test_award_results_name_the_winners_per_lot(reference_data):
    run(SDK / "can_24_FRA_comments.xml")
    opportunity = Opportunity.objects.get()
    assert opportunity.status == "awarded"
    awards = {(a.lot.number, a.supplier_name, a.value) for a in opportunity.awards.all()}
    assert awards == {
        ("LOT-0001", "Espaces Verts Lemire", 95414),
        ("LOT-0002", "ID Verde SASU", 26500),
    }


def test_a_later_notice_of_the_procedure_amends_the_opportunity(
    reference_data, django_capture_on_commit_callbacks
):
    run(SDK / "cn_24_open.xml")
    opportunity = Opportunity.objects.get()
    old_deadline = opportunity.closes_at
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = run(SDK / "change-cn_24_open_dates.xml")
    assert report.updated == 1
    assert len(callbacks) == 1  # search and alerts hear of the changed opportunity once
    opportunity.refresh_from_db()
    assert opportunity.closes_at != old_deadline
    amendment = opportunity.amendments.get()
    assert amendment.reason.startswith("Updated from TED notice ")
    assert "closes_at" in amendment.changes
    assert opportunity.version == 2
    assert Opportunity.objects.count() == 1


def test_a_cancelling_change_notice_cancels(reference_data):
    run(SDK / "cn_24_minimal.xml", SDK / "change-cn_24_void.xml")
    opportunity = Opportunity.objects.get()
    assert opportunity.status == "cancelled"
    assert opportunity.cancel_reason == "We cancel because..."


def test_archives_are_read(reference_data, tmp_path):
    archive = tmp_path / "notices.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name in ("cn_24_minimal.xml", "INVALID_cn_24_empty.xml"):
            tar.add(SDK / name, arcname=f"batch/{name}")
        tar.addfile(tarfile.TarInfo("batch/readme.txt"), io.BytesIO(b""))
    report = run(archive)
    assert (report.created, report.invalid) == (1, 1)
    assert report.problems[0][0].endswith(":batch/INVALID_cn_24_empty.xml")


def test_a_broken_file_is_reported_and_the_batch_goes_on(reference_data, tmp_path):
    (tmp_path / "a_broken.xml").write_text("<ContractNotice><unclosed>")
    (tmp_path / "b.xml").write_bytes((SDK / "cn_24_minimal.xml").read_bytes())
    report = run(tmp_path)
    assert report.created == 1
    assert report.problems[0][1:] == ("invalid", report.problems[0][2])
    assert "not well-formed XML" in report.problems[0][2]


def test_buyers_are_matched_by_registration_number(reference_data):
    politie = BuyerFactory(name="Politie (Nationale Politie)", kvk_number="57096317")
    run(REAL / "eforms_sdk_v1.7" / "eform_subtype_10" / "649921-2023.xml")
    run(REAL / "eforms_sdk_v1.7" / "eform_subtype_12" / "666487-2023.xml")
    assert set(Opportunity.objects.values_list("buyer", flat=True)) == {politie.pk}
    assert not Organisation.objects.filter(is_claimed=False).exists()


def test_unknown_buyers_are_created_once_as_unclaimed(reference_data):
    run(SDK / "cn_24_cumbria.xml", SDK / "cn_24_open.xml", SDK / "can_25_ENG.xml")
    run(SDK / "can_25_ENG_Buyers.xml")
    unclaimed = Organisation.objects.filter(is_claimed=False, kind="buyer")
    assert unclaimed.count() == len(set(unclaimed.values_list("name", flat=True)))
    assert ImportRecord.objects.count() == Opportunity.objects.count()


def test_the_command_prints_problems_and_a_summary(reference_data, capsys):
    call_command(
        "import_eforms",
        str(SDK / "X01_EEIG.xml"),
        str(SDK / "cn_81.xml"),
        "--no-progress",
        "--workers=1",
    )
    out, err = capsys.readouterr()
    assert "1 created" in out and "1 unsupported" in out
    assert "UNSUPPORTED" in err and "X01_EEIG.xml" in err


def test_one_bad_notice_in_a_batch_does_not_spoil_the_others(reference_data, tmp_path):
    text = (SDK / "cn_24_minimal.xml").read_text()
    (tmp_path / "a.xml").write_text(text)
    # Same notice id, another procedure: the batch insert fails, each notice is written alone.
    (tmp_path / "b.xml").write_text(text.replace("4805c409-5939", "99999999-5939"))
    (tmp_path / "c.xml").write_bytes((SDK / "cn_24_open.xml").read_bytes())
    report = run(tmp_path)
    assert report.created == 3
    assert Opportunity.objects.count() == 3
    assert ImportedNotice.objects.count() == 2  # the shared notice id is recorded once


def test_two_notices_of_one_procedure_in_one_batch_make_one_opportunity(reference_data):
    report = run(SDK / "can_25_ENG.xml", SDK / "can_25_withheld.xml")
    assert report.created == 1
    assert report.updated + report.unchanged + report.older == 1
    assert Opportunity.objects.count() == 1


def test_notices_can_be_parsed_in_worker_processes(reference_data, monkeypatch):
    from tenders.opendata import runs

    monkeypatch.setattr(runs, "PARSE_BATCH", 4)  # fewer than a batch are parsed in-process
    report = items_import(items=eforms_items([REAL / "eforms_sdk_v1.3"], workers=2))
    assert report.created == 8
