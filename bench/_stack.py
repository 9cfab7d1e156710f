"""Throwaway services for benchmarks: PostgreSQL (scripts/pg_ctl), Redis, an SMTP sink and
Celery workers, each stopped again at the end. Uses the same helpers as the tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.services import ROOT, CeleryWorker, SmtpSink, free_port, wait_for_port

PG_CTL = ROOT / "scripts" / "pg_ctl"


@contextlib.contextmanager
def postgresql():
    """Yields a DATABASE_URL of a fresh PostgreSQL server (initdb in a temp dir)."""
    if os.environ.get("BENCH_DATABASE_URL"):
        yield os.environ["BENCH_DATABASE_URL"]
        return
    base = Path(tempfile.mkdtemp(prefix="kansen-bench-pg-"))
    data, port = base / "data", free_port()
    subprocess.run(
        [str(PG_CTL), "initdb", "-D", str(data), "-o", "--auth=trust --username=postgres"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            str(PG_CTL),
            "start",
            "-w",
            "-D",
            str(data),
            "-l",
            str(base / "pg.log"),
            "-o",
            f"-p {port} -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
        ],
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "-c",
                "CREATE DATABASE kansen",
            ],
            check=True,
            capture_output=True,
        )
        yield f"postgres://postgres@127.0.0.1:{port}/kansen"
    finally:
        subprocess.run(
            [str(PG_CTL), "stop", "-D", str(data), "-m", "immediate"], capture_output=True
        )
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def redis():
    if os.environ.get("BENCH_REDIS_URL"):
        yield os.environ["BENCH_REDIS_URL"]
        return
    port = free_port()
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
    try:
        if not wait_for_port(port, 10):
            raise RuntimeError("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


@contextlib.contextmanager
def smtp_sink(**kwargs):
    sink = SmtpSink(**kwargs).start()
    try:
        yield sink
    finally:
        sink.stop()


@contextlib.contextmanager
def workers(count: int, env: dict[str, str], logdir: Path):
    started = []
    try:
        for n in range(count):
            started.append(CeleryWorker(env, logdir / f"worker-{n}.log").start(timeout=60))
        yield started
    finally:
        for w in started:
            w.stop()


def django_setup(env: dict[str, str]) -> None:
    """Configure Django in this process for the given environment and migrate."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - start, value


@contextlib.contextmanager
def elasticsearch():
    """Yields the URL of a real Elasticsearch 8 node (scripts/elasticsearch/run), or of
    BENCH_ELASTICSEARCH_URL when given."""
    if os.environ.get("BENCH_ELASTICSEARCH_URL"):
        yield os.environ["BENCH_ELASTICSEARCH_URL"]
        return
    from tests.services import elasticsearch_start

    workdir = Path(tempfile.mkdtemp(prefix="kansen-bench-es-"))
    info = elasticsearch_start(workdir)
    if "error" in info:
        raise RuntimeError(info["error"])
    try:
        yield info["url"]
    finally:
        import signal

        with contextlib.suppress(ProcessLookupError):
            os.killpg(info["pid"], signal.SIGTERM)
            time.sleep(2)
        shutil.rmtree(workdir, ignore_errors=True)
