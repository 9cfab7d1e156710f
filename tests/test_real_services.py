"""Each real service the product depends on, proven with a real round trip."""

from __future__ import annotations

import pytest
from django.core.mail import send_mail
from django.db import connection

pytestmark = pytest.mark.services


@pytest.mark.postgresql
@pytest.mark.django_db
def test_postgresql_stems_dutch_words_with_its_own_dictionary():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_tsvector('dutch', 'voorspellingen') @@ plainto_tsquery('dutch', 'voorspelling'),"
            " current_setting('server_version_num')::int"
        )
        matches, version = cursor.fetchone()
    assert matches is True
    assert version >= 130000


@pytest.mark.postgresql
def test_celery_worker_executes_a_task_sent_through_redis(celery_worker):
    from marketplace.celery import ping

    result = ping.delay("hallo Kansen")
    assert result.get(timeout=20) == "hallo Kansen"
    assert "marketplace.ping" in celery_worker.log()


def test_smtp_sink_receives_an_email_sent_over_smtp(smtp_settings):
    send_mail(
        "Nieuwe kans",
        "Er is een nieuwe aanbesteding.",
        "noreply@kansen.example",
        ["founder@datastartup.example"],
    )
    messages = smtp_settings.wait_for(1)
    assert len(messages) == 1
    assert messages[0]["Subject"] == "Nieuwe kans"
    assert messages[0]["To"] == "founder@datastartup.example"


def test_elasticsearch_8_indexes_and_finds_a_document(elasticsearch_url):
    import uuid

    from elasticsearch import Elasticsearch

    client = Elasticsearch(elasticsearch_url, request_timeout=30)
    info = client.info()
    assert info["version"]["number"].startswith("8.")
    index = f"test-roundtrip-{uuid.uuid4().hex[:8]}"
    try:
        client.indices.create(
            index=index,
            mappings={"properties": {"title": {"type": "text"}, "kind": {"type": "keyword"}}},
        )
        client.index(
            index=index,
            id="1",
            document={"title": "Slimme sensoren in de Amsterdamse haven", "kind": "tender"},
        )
        client.indices.refresh(index=index)
        hits = client.search(index=index, query={"match": {"title": "sensoren"}})["hits"]
        assert hits["total"]["value"] == 1
        assert hits["hits"][0]["_id"] == "1"
    finally:
        client.indices.delete(index=index, ignore_unavailable=True)
