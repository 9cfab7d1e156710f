"""Test wiring: SQLite by default, PostgreSQL with KANSEN_TEST_DATABASE=postgresql; real Redis,
Elasticsearch, SMTP sink and Celery worker fixtures (see tests/services.py)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from pytest_postgresql import factories as pg_factories
from pytest_redis import factories as redis_factories

from tests import services
from tests.services import ROOT, unavailable

# pytest keeps only the newest three temporary folders of a user and deletes older ones, also
# while another test run (another checkout) still has a PostgreSQL data directory in one. Give
# each checkout its own temporary root.
_TEMPROOT = Path("/tmp") / ("kansen-pytest-" + hashlib.sha256(str(ROOT).encode()).hexdigest()[:8])
_TEMPROOT.mkdir(exist_ok=True)
os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", str(_TEMPROOT))

TEST_DATABASE = os.environ.get("KANSEN_TEST_DATABASE", "sqlite")
PG_CTL = ROOT / "scripts" / "pg_ctl"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"

kansen_postgresql_proc = pg_factories.postgresql_proc(
    executable=str(PG_CTL),
    port=None,
    postgres_options=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
)
# Redis puts its unix socket in its data directory; keep that path short (at most 107 bytes).
kansen_redis_proc = redis_factories.redis_proc(
    executable=REDIS_SERVER, port=None, datadir=tempfile.mkdtemp(prefix="kr-")
)


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgresql` belong to the PostgreSQL pass (KANSEN_TEST_DATABASE=postgresql)."""
    if TEST_DATABASE == "postgresql":
        return
    skip = pytest.mark.skip(reason="PostgreSQL only: runs in the PostgreSQL pass of make test")
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)


def _postgresql_installed() -> bool:
    return any(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix):
    """Point the test database at PostgreSQL for the PostgreSQL pass of `make test`."""
    if TEST_DATABASE != "postgresql":
        return
    import environ
    from django.conf import settings
    from django.db import connections

    url = os.environ.get("TEST_POSTGRESQL_URL")
    if url:
        config = environ.Env.db_url_config(url)
    else:
        if not _postgresql_installed():
            unavailable("PostgreSQL is not installed (apt-get install postgresql)")
        proc = request.getfixturevalue("kansen_postgresql_proc")
        config = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "kansen",
            "USER": proc.user,
            "PASSWORD": "",
            "HOST": proc.host,
            "PORT": proc.port,
        }
    db = settings.DATABASES["default"]
    test = db.get("TEST", {})
    db.clear()
    db.update(
        {
            "OPTIONS": {},
            "TIME_ZONE": None,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
            **config,
            "TEST": test,
        }
    )
    with contextlib.suppress(AttributeError):
        del connections["default"]


@pytest.fixture(scope="session")
def _reference_data_committed(django_db_setup, django_db_blocker):
    """Load the reference data once per test database, outside the per-test transactions."""
    from marketplace.core.models import CpvCode
    from marketplace.core.reference import reference_data_load

    with django_db_blocker.unblock():
        if not CpvCode.objects.exists():
            reference_data_load()


@pytest.fixture
def reference_data(_reference_data_committed, db):
    """CPV, regions, municipalities and competencies (loaded once; reloaded after a flush)."""
    from marketplace.core.models import CpvCode
    from marketplace.core.reference import reference_data_load

    if not CpvCode.objects.exists():
        reference_data_load()


@pytest.fixture(scope="session")
def redis_url(request) -> str:
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        return url
    if not Path(REDIS_SERVER).exists():
        unavailable("redis-server is not installed (apt-get install redis-server)")
    proc = request.getfixturevalue("kansen_redis_proc")
    return f"redis://{proc.host}:{proc.port}/0"


def _shared_root(tmp_path_factory, worker_id: str) -> Path:
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


@pytest.fixture(scope="session")
def elasticsearch_url(tmp_path_factory, worker_id) -> str:
    url = os.environ.get("TEST_ELASTICSEARCH_URL")
    if url:
        return url
    if not shutil.which("java"):
        unavailable("Java is not installed, so no Elasticsearch node can start")
    info = services.elasticsearch_shared(_shared_root(tmp_path_factory, worker_id))
    if "error" in info:
        unavailable(f"Elasticsearch could not start: {info['error']}")
    return info["url"]


def pytest_unconfigure(config):
    if hasattr(config, "workerinput"):  # an xdist worker: the controller stops shared services
        return
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is not None and getattr(factory, "_basetemp", None) is not None:
        services.elasticsearch_stop(factory.getbasetemp())


@pytest.fixture
def smtp_sink():
    sink = services.SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp_settings(settings, smtp_sink):
    """Send email for real, over SMTP, to the sink."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    return smtp_sink


@pytest.fixture
def celery_broker(redis_url, settings):
    """Make this process send tasks to the real Redis broker instead of running them eagerly."""
    from marketplace.celery import app

    old = {k: app.conf.get(k) for k in ("broker_url", "task_always_eager", "result_backend")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(broker_url=redis_url, task_always_eager=False, result_backend=redis_url)
    _celery_reset_connections(app)
    yield redis_url
    app.conf.update(**old)
    _celery_reset_connections(app)


def _celery_reset_connections(app) -> None:
    """Forget pooled broker connections and the result backend so new settings take effect."""
    from kombu import pools

    pools.reset()  # kombu keeps connection and producer pools in a global registry
    app._pool = None
    app.amqp._producer_pool = None
    app.__dict__.pop("backend", None)
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def celery_worker_env(transactional_db, celery_broker, smtp_sink, settings):
    """Environment for a worker subprocess: the test's PostgreSQL database, Redis, the sink."""
    from django.db import connection

    if connection.vendor != "postgresql":
        unavailable("a Celery worker shares the test database only on PostgreSQL")
    db = connection.settings_dict
    return {
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": celery_broker,
        "CELERY_RESULT_BACKEND": celery_broker,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_sink.port}",
        "KANSEN_TESTING": "True",
        "KANSEN_VAR_DIR": str(settings.VAR_DIR),
        "SEARCH_BACKEND": settings.SEARCH_BACKEND,
        "ELASTICSEARCH_URL": settings.ELASTICSEARCH_URL,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
    }


@pytest.fixture
def celery_worker(celery_worker_env, tmp_path):
    worker = services.CeleryWorker(celery_worker_env, tmp_path / "celery-worker.log")
    try:
        worker.start()
    except RuntimeError as exc:
        unavailable(str(exc))
    yield worker
    worker.stop()


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Code run directly by a test (services, emails for users without a language) reads English,
    as the `client` and `api` fixtures ask for it; the site's default language stays Dutch, and a
    test that wants Dutch asks for it (`translation.override("nl")`, Accept-Language: nl)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """Django's test client, asking for English (the site's default language is Dutch)."""
    from django.test import Client

    return Client(headers={"Accept-Language": "en"})


@pytest.fixture
def api():
    """DRF's API client, asking for English."""
    from rest_framework.test import APIClient

    return APIClient(headers={"Accept-Language": "en"})
