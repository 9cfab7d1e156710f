"""Indexing after commit, degraded mode and catching up."""

from __future__ import annotations

import logging
import uuid

import pytest
import time_machine
from django.core.management import call_command

from search import get_backend
from search.models import IndexQueue, SearchDocument
from search.query import OpportunityQuery
from tenders.selectors import opportunity_list_public
from tenders.services import opportunities as services
from tests.search.conftest import DAY, NOW, publish
from tests.services import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(amsterdam):
    from tests.factories import member_of

    return member_of(amsterdam, "admin")


def search_ids(q: str) -> set[int]:
    page = get_backend().search(OpportunityQuery(q=q), visible=opportunity_list_public())
    return {o.pk for o in page.results}


def test_publishing_indexes_after_commit_and_withdrawing_removes(
    reference_data, amsterdam, alice, django_capture_on_commit_callbacks, settings
):
    settings.SEARCH_BACKEND = "database"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        o = publish(
            amsterdam, alice, "co_creation", title="Slimme verlichting", closes_at=NOW + 9 * DAY
        )
    assert not SearchDocument.objects.filter(pk=o.pk).exists()  # nothing before commit
    for callback in callbacks:
        callback()
    assert search_ids("verlichting") == {o.pk}
    assert not IndexQueue.objects.exists()
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(NOW, tick=False):
        services.opportunity_withdraw(opportunity=o, by=alice)
    assert search_ids("verlichting") == set()


def test_drafts_never_reach_the_index(
    reference_data, amsterdam, alice, django_capture_on_commit_callbacks, settings
):
    settings.SEARCH_BACKEND = "database"
    with django_capture_on_commit_callbacks(execute=True):
        draft = services.opportunity_create(
            buyer=amsterdam, by=alice, kind="tender", data={"title": "Geheime lantaarnpalen"}
        )
    get_backend().index([draft.pk])
    assert not SearchDocument.objects.filter(pk=draft.pk).exists()
    assert search_ids("lantaarnpalen") == set()


def test_when_elasticsearch_is_down_writes_work_and_search_answers_from_the_database(
    reference_data, amsterdam, alice, django_capture_on_commit_callbacks, settings, caplog, client
):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings.ELASTICSEARCH_INDEX_PREFIX = f"test-{uuid.uuid4().hex[:8]}"
    settings.ELASTICSEARCH_TIMEOUT = 2
    caplog.set_level(logging.WARNING, logger="search.backends.elasticsearch")
    with django_capture_on_commit_callbacks(execute=True):
        o = publish(
            amsterdam, alice, "co_creation", title="Slimme verlichting", closes_at=NOW + 9 * DAY
        )
    o.refresh_from_db()
    assert o.published_at is not None  # the write went through
    assert IndexQueue.objects.filter(opportunity_id=o.pk).exists()  # for the catch-up task

    backend = get_backend()
    for _ in range(3):
        page = backend.search(OpportunityQuery(q="verlichting"), visible=opportunity_list_public())
        assert [r.pk for r in page.results] == [o.pk]
        assert page.degraded and page.backend in ("sqlite", "postgresql")
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warnings) == 1  # at most once a minute

    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["search"]["status"] == "degraded"
    assert response.json()["status"] == "degraded"

    api = client.get("/api/v1/search/", {"q": "verlichting"}).json()
    assert api["degraded"] is True and api["count"] == 1
    suggestions = client.get("/api/v1/search/suggest/", {"q": "verl"}).json()["suggestions"]
    assert {"type": "opportunity", "text": "Slimme verlichting", "value": str(o.pk)} in suggestions


@pytest.mark.services
def test_catch_up_brings_elasticsearch_back_in_line(
    reference_data,
    amsterdam,
    alice,
    django_capture_on_commit_callbacks,
    settings,
    elasticsearch_url,
):
    from search.tasks import search_catch_up_task
    from tests.search.conftest import _drop_indices

    prefix = f"test-{uuid.uuid4().hex[:8]}"
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_INDEX_PREFIX = prefix
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"
    try:
        with django_capture_on_commit_callbacks(execute=True):
            o = publish(
                amsterdam, alice, "co_creation", title="Slimme verlichting", closes_at=NOW + 9 * DAY
            )
        assert IndexQueue.objects.filter(opportunity_id=o.pk).exists()

        settings.ELASTICSEARCH_URL = elasticsearch_url  # Elasticsearch is back
        backend = get_backend()
        assert backend.count() == 0
        result = search_catch_up_task.apply().get()
        assert result["status"] == "ok" and result["queued"] == 1
        backend.refresh()
        assert backend.count() == 1
        page = backend.search(OpportunityQuery(q="verlichting"), visible=opportunity_list_public())
        assert not page.degraded and [r.pk for r in page.results] == [o.pk]
        assert not IndexQueue.objects.exists()
        assert search_catch_up_task.apply().get()["queued"] == 0  # safe to run twice

        # An index that lost a document is repaired by comparing ids.
        backend.client.delete(index=backend.alias("opportunities"), id=str(o.pk), refresh=True)
        assert search_catch_up_task.apply().get()["index"] == {"missing": 1, "extra": 0}
    finally:
        _drop_indices(elasticsearch_url, prefix)


def test_search_index_command_rebuilds_and_reports(
    reference_data, amsterdam, alice, django_capture_on_commit_callbacks, settings, capsys
):
    settings.SEARCH_BACKEND = "database"
    with django_capture_on_commit_callbacks(execute=True):
        publish(
            amsterdam, alice, "co_creation", title="Slimme verlichting", closes_at=NOW + 9 * DAY
        )
    SearchDocument.objects.all().delete()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="out of line"):
        call_command("search_index", "status")
    call_command("search_index", "rebuild", "--no-progress")
    call_command("search_index", "status")
    out = capsys.readouterr().out
    assert "Rebuilt" in out and "in line with the database" in out


@pytest.mark.services
def test_search_index_rebuild_swaps_the_elasticsearch_alias(
    reference_data,
    amsterdam,
    alice,
    django_capture_on_commit_callbacks,
    settings,
    elasticsearch_url,
    capsys,
):
    from tests.search.conftest import _drop_indices

    prefix = f"test-{uuid.uuid4().hex[:8]}"
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_INDEX_PREFIX = prefix
    settings.ELASTICSEARCH_URL = elasticsearch_url
    try:
        with django_capture_on_commit_callbacks(execute=True):
            publish(
                amsterdam, alice, "co_creation", title="Slimme verlichting", closes_at=NOW + 9 * DAY
            )
        backend = get_backend()
        before = backend._indices_of(backend.alias("opportunities"))
        call_command("search_index", "rebuild", "--no-progress")
        after = backend._indices_of(backend.alias("opportunities"))
        assert len(after) == 1 and after != before
        call_command("search_index", "status")
        assert "in line with the database" in capsys.readouterr().out
        assert not backend.client.indices.exists(index=before[0])
    finally:
        _drop_indices(elasticsearch_url, prefix)
