"""Imports hand search and alerts whole batches: one indexing task and one alerts task per
batch, not one per notice; imported notices that are already closed are not announced."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from celery.signals import task_prerun
from django.conf import settings
from django.core import mail

from search.models import SearchDocument
from suppliers import services_alerts
from suppliers.models_alerts import Alert, ProcessedEvent
from tenders import hooks
from tenders.models import Opportunity, OpportunityEvent
from tenders.opendata import runs
from tenders.opendata.runs import eforms_items
from tenders.services.imports import items_import
from tests.factories import UserFactory
from tests.tenders import calls

pytestmark = pytest.mark.django_db
SDK = Path(settings.DATA_DIR) / "eforms-sdk-1.15.1" / "notices"
REAL = Path(settings.DATA_DIR) / "ted_real_eforms_notices"


@pytest.fixture
def tasks_run():
    """Names of the Celery tasks that ran (in-process, eagerly)."""
    names: list[str] = []

    def record(sender=None, **_kwargs):
        names.append(sender.name)

    task_prerun.connect(record, weak=False)
    yield names
    task_prerun.disconnect(record)


def test_a_batch_of_notices_is_indexed_and_processed_by_one_task_each(
    reference_data, django_capture_on_commit_callbacks, tasks_run
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = items_import(items=eforms_items([REAL / "eforms_sdk_v1.7"]))
    assert report.created > 5
    assert len(callbacks) == 1  # search and alerts hear of the whole batch once
    assert tasks_run.count("search.tasks.search_index_many_task") == 1
    assert tasks_run.count("suppliers.tasks.alerts_process_opportunities_task") == 1
    assert "search.tasks.search_index_task" not in tasks_run
    public = set(Opportunity.objects.public().values_list("pk", flat=True))
    assert set(SearchDocument.objects.values_list("opportunity_id", flat=True)) == public
    assert ProcessedEvent.objects.count() == OpportunityEvent.objects.count() == report.created


def test_a_receiver_without_a_batch_form_hears_of_each_opportunity(
    reference_data, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(hooks, "OPPORTUNITY_RECEIVERS", ["tests.tenders.record"])
    calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        items_import(items=eforms_items([SDK / "cn_24_minimal.xml", SDK / "cn_24_open.xml"]))
    assert sorted(calls) == sorted(
        (pk, "published") for pk in Opportunity.objects.values_list("pk", flat=True)
    )


def test_imported_notices_already_closed_are_not_announced_as_new(
    reference_data, django_capture_on_commit_callbacks
):
    founder = UserFactory(email="founder@startup.example", language="en")
    services_alerts.saved_search_create(user=founder, name="All", params={}, cadence="instant")
    # cn_24_minimal closed on 4 February 2020, cn_24_open closes on 3 April 2020.
    with (
        time_machine.travel(dt.datetime(2020, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = items_import(
            items=eforms_items([SDK / "cn_24_minimal.xml", SDK / "cn_24_open.xml"])
        )
    assert report.created == 2
    alert = Alert.objects.get()
    assert alert.reason_key == "new" and alert.user == founder
    assert alert.opportunity.closes_at > dt.datetime(2020, 3, 1, tzinfo=dt.UTC)
    assert ProcessedEvent.objects.count() == 2  # the closed one is processed, without alerts
    assert [m.to for m in mail.outbox] == [["founder@startup.example"]]


def test_notices_are_parsed_in_worker_processes_when_there_is_more_than_a_batch(
    reference_data, monkeypatch
):
    in_process = [
        (i.file_name, i.notice_id, i.content_hash())
        for i in eforms_items([REAL / "eforms_sdk_v1.3"], workers=1)
    ]
    monkeypatch.setattr(runs, "PARSE_BATCH", 3)  # 8 notices: three batches for two processes
    pooled = [
        (i.file_name, i.notice_id, i.content_hash())
        for i in eforms_items([REAL / "eforms_sdk_v1.3"], workers=2)
    ]
    assert pooled == in_process and len(pooled) == 8


def _change_notice(tmp_path: Path, name: str, *, notice_id: str, changes: str, procedure: str):
    text = (SDK / "change-cn_24_open_dates.xml").read_text(encoding="utf-8")
    text = text.replace("c4c415ee-ac08-4465-8fa6-57568cf69462-01", changes)
    text = text.replace("71397268-6c47-4f2f-8ab0-f41a26138f81", notice_id)
    text = text.replace("31f258b6-5eb2-4875-8997-affa3cdce27c", procedure)
    (tmp_path / name).write_text(text, encoding="utf-8")


def test_change_notices_in_one_batch_keep_the_procedure_check(reference_data, tmp_path):
    # A changes a notice never imported: it starts its procedure. B changes A but names
    # another procedure: rejected, as when A was imported before.
    a_id, b_id = "aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002"
    _change_notice(
        tmp_path,
        "a.xml",
        notice_id=a_id,
        changes="cccccccc-0000-4000-8000-000000000003-01",
        procedure="11111111-0000-4000-8000-000000000001",
    )
    _change_notice(
        tmp_path,
        "b.xml",
        notice_id=b_id,
        changes=f"{a_id}-01",
        procedure="22222222-0000-4000-8000-000000000002",
    )
    report = items_import(items=eforms_items([tmp_path]))
    assert report.created == 1
    assert [(Path(f).name, kind) for f, kind, _ in report.problems] == [("b.xml", "invalid")]
    assert "the procedure identifier cannot change" in report.problems[0][2]
    assert Opportunity.objects.get().source_id == "11111111-0000-4000-8000-000000000001"
