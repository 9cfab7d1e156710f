"""Alert delivery on the real stack: Redis broker, a Celery worker subprocess, an SMTP sink.

Exactly once: publishing twice, re-running tasks, the SMTP server being down, a worker killed
with SIGKILL half-way, and Redis being down at publish time never lose an alert and never send
one twice (counted at the sink)."""

from __future__ import annotations

import subprocess
import time

import pytest

from suppliers import services_alerts as services
from suppliers.models_alerts import Alert
from tests import services as real
from tests.conftest import _celery_reset_connections
from tests.factories import BuyerFactory, UserFactory, member_of, opportunity_published

pytestmark = [pytest.mark.postgresql, pytest.mark.services]

WORKER_ENV = {"ALERTS_CLAIM_TIMEOUT": "2", "ALERTS_RETRY_BASE": "1", "ALERTS_EVENT_GRACE": "0"}


@pytest.fixture
def buyer_user(reference_data):
    return member_of(BuyerFactory(name="Gemeente Amsterdam"), "admin")


@pytest.fixture
def worker(celery_worker_env, tmp_path):
    started = []

    def start():
        w = real.CeleryWorker(
            {**celery_worker_env, **WORKER_ENV}, tmp_path / f"worker-{len(started)}.log"
        )
        w.start()
        started.append(w)
        return w

    yield start
    for w in started:
        w.stop()


def subscribers(n: int) -> list:
    users = [UserFactory(email=f"founder{i}@startup.example") for i in range(n)]
    for user in users:
        services.saved_search_create(user=user, name="Alles", params={}, cadence="instant")
    return users


def wait_until(predicate, timeout: float, every: float = 0.1, tick=None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if tick:
            tick()
        time.sleep(every)
    return predicate()


def message_ids(sink) -> list[str]:
    return [m["Message-ID"] for m in sink.messages]


def test_publish_sends_the_alert_once_even_when_everything_runs_again(
    buyer_user, worker, smtp_sink
):
    from suppliers.tasks import alerts_process_opportunity_task, outbox_sweep_task

    worker()
    subscribers(1)
    opportunity = opportunity_published(buyer_user.memberships.get().organisation, by=buyer_user)
    messages = smtp_sink.wait_for(1, timeout=20)
    assert len(messages) == 1
    assert messages[0]["Subject"] == f"New opportunity: {opportunity.title}"
    assert messages[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    alerts_process_opportunity_task.delay(opportunity.pk)
    outbox_sweep_task.delay()
    time.sleep(3)
    assert smtp_sink.count() == 1
    assert Alert.objects.get().status == "sent"


def test_alert_is_retried_while_the_smtp_server_is_down_and_sent_once(
    buyer_user, worker, smtp_sink
):
    worker()
    subscribers(1)
    smtp_sink.stop()
    opportunity_published(buyer_user.memberships.get().organisation, by=buyer_user)
    assert wait_until(lambda: Alert.objects.filter(attempts__gte=1, status="pending").exists(), 20)
    assert "Connection refused" in Alert.objects.get().last_error
    smtp_sink.start()
    assert len(smtp_sink.wait_for(1, timeout=30)) == 1
    time.sleep(3)
    assert smtp_sink.count() == 1
    alert = Alert.objects.get()
    assert alert.status == "sent" and alert.attempts >= 2


def test_worker_killed_mid_batch_leaves_every_alert_delivered_exactly_once(
    buyer_user, worker, smtp_sink
):
    from suppliers.tasks import outbox_sweep_task

    smtp_sink.delay = 0.02  # slow enough to kill the worker half-way
    users = subscribers(120)
    first = worker()
    opportunity_published(buyer_user.memberships.get().organisation, by=buyer_user)
    assert wait_until(lambda: smtp_sink.count() >= 25, 40), (smtp_sink.count(), first.log()[-4000:])
    first.kill()
    delivered_before_restart = smtp_sink.count()
    assert 0 < delivered_before_restart < len(users)

    second = worker()
    delivered = wait_until(
        lambda: smtp_sink.count() >= len(users), 90, every=1.0, tick=outbox_sweep_task.delay
    )
    from django.db.models import Count

    assert delivered, (
        smtp_sink.count(),
        list(Alert.objects.values("status").annotate(n=Count("pk"))),
        second.log()[-3000:],
    )
    time.sleep(3)
    ids = message_ids(smtp_sink)
    assert len(ids) == len(users)
    assert len(set(ids)) == len(users)
    assert sorted(m["To"] for m in smtp_sink.messages) == sorted(u.email for u in users)
    assert set(Alert.objects.values_list("status", flat=True)) == {"sent"}


@pytest.fixture
def private_redis(tmp_path, settings):
    """A Redis server of this test's own, so the test can stop and restart it."""
    port = real.free_port()
    procs = []

    def start():
        proc = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        procs.append(proc)
        assert real.wait_for_port(port, 10)

    def stop():
        procs[-1].terminate()
        procs[-1].wait(10)

    start()
    yield f"redis://127.0.0.1:{port}/0", start, stop
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)


def test_publish_succeeds_with_redis_down_and_alerts_go_out_when_it_is_back(
    buyer_user, private_redis, celery_worker_env, smtp_sink, tmp_path
):
    from marketplace.celery import app
    from suppliers.tasks import outbox_sweep_task

    url, start_redis, stop_redis = private_redis
    app.conf.update(broker_url=url, result_backend=url)
    _celery_reset_connections(app)
    env = {
        **celery_worker_env,
        **WORKER_ENV,
        "CELERY_BROKER_URL": url,
        "CELERY_RESULT_BACKEND": url,
    }
    w = real.CeleryWorker(env, tmp_path / "worker.log").start()
    try:
        subscribers(2)
        stop_redis()
        started = time.monotonic()
        opportunity = opportunity_published(
            buyer_user.memberships.get().organisation, by=buyer_user
        )
        assert time.monotonic() - started < 10
        assert opportunity.status == "published"
        assert Alert.objects.count() == 0  # the outbox waits for the sweep

        start_redis()
        _celery_reset_connections(app)
        assert wait_until(
            lambda: smtp_sink.count() >= 2, 60, every=1.0, tick=outbox_sweep_task.delay
        )
        time.sleep(3)
        assert smtp_sink.count() == 2
        assert len(set(message_ids(smtp_sink))) == 2
    finally:
        w.stop()
