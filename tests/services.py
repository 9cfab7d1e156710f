"""Real services for the test run: PostgreSQL, Redis, Elasticsearch, an SMTP sink, a Celery
worker. Each is started from the installed binaries (or the Maven artifacts) when no URL is
configured. When one cannot start, the tests that need it skip with the reason; under CI=true
they fail instead, so a missing service never passes silently.
"""

from __future__ import annotations

import email
import email.policy
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from email.message import EmailMessage
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command
IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str):
    """Skip the test, or fail it under CI=true."""
    if IN_CI:
        pytest.fail(f"{reason}\n(CI=true: a service the tests need must start.)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


# --- Elasticsearch ---------------------------------------------------------------------------

ES_SCRIPT = ROOT / "scripts" / "elasticsearch" / "run"


def elasticsearch_start(workdir: Path, timeout: float = 180) -> dict:
    """Start one node with scripts/elasticsearch/run; returns {"url", "pid"} or {"error"}."""
    if not ES_SCRIPT.exists():
        return {"error": f"{ES_SCRIPT} is missing"}
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    log = (workdir / "elasticsearch.log").open("w")
    proc = subprocess.Popen(
        [str(ES_SCRIPT), "--port", str(port), "--path", str(workdir / "data")],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = (workdir / "elasticsearch.log").read_text(errors="replace")[-3000:]
            return {"error": f"Elasticsearch exited with {proc.returncode}:\n{tail}"}
        try:
            with urllib.request.urlopen(
                f"{url}/_cluster/health?wait_for_status=yellow&timeout=1s", timeout=3
            ) as resp:
                if resp.status == 200:
                    return {"url": url, "pid": proc.pid}
        except OSError:
            pass
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    tail = (workdir / "elasticsearch.log").read_text(errors="replace")[-3000:]
    return {"error": f"Elasticsearch did not become ready in {timeout:.0f}s:\n{tail}"}


def elasticsearch_shared(root: Path) -> dict:
    """One node for the whole run, shared by all xdist workers through a lock file."""
    from filelock import FileLock

    info_path = root / "elasticsearch.json"
    with FileLock(str(root / "elasticsearch.lock")):
        if info_path.exists():
            return json.loads(info_path.read_text())
        info = elasticsearch_start(root / "elasticsearch")
        info_path.write_text(json.dumps(info))
        return info


def elasticsearch_stop(root: Path) -> None:
    info_path = root / "elasticsearch.json"
    if not info_path.exists():
        return
    pid = json.loads(info_path.read_text()).get("pid")
    if pid:
        try:
            os.killpg(pid, signal.SIGTERM)
            for _ in range(100):
                os.killpg(pid, 0)
                time.sleep(0.1)
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# --- SMTP sink -------------------------------------------------------------------------------


class SmtpSink:
    """A real SMTP server (aiosmtpd) on loopback that keeps every message it receives."""

    def __init__(
        self, port: int | None = None, *, reject: set[str] | None = None, delay: float = 0.0
    ):
        self.port = port or free_port()
        self.reject = {r.lower() for r in (reject or set())}
        self.delay = delay
        self.messages: list[EmailMessage] = []
        self.envelopes: list = []
        self._lock = threading.Lock()
        self.controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # Like a real mail server: the message is kept as soon as its final "." arrives; the
        # reply may come later (the optional delay), and a client that disconnects before it
        # reads the reply does not take the message back.
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.envelopes.append(envelope)
            self.messages.append(message)
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def count(self) -> int:
        with self._lock:
            return len(self.messages)

    def wait_for(self, count: int, timeout: float = 15) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        with self._lock:
            return list(self.messages)


# --- Celery worker ---------------------------------------------------------------------------


class CeleryWorker:
    """`celery -A marketplace worker` in a subprocess, with the test's database and broker."""

    def __init__(self, env: dict[str, str], logfile: Path, concurrency: int = 1):
        self.env = env
        self.logfile = logfile
        self.concurrency = concurrency
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> CeleryWorker:
        pool = (
            ["--pool=solo"]
            if self.concurrency == 1
            else ["--pool=prefork", f"--concurrency={self.concurrency}"]
        )
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "marketplace",
                "worker",
                *pool,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
                "-n",
                f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
            ],
            env={**os.environ, **self.env},
            stdout=self.logfile.open("a"),
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Celery worker exited:\n{self.log()[-3000:]}")
            if "ready." in self.log():
                return self
            time.sleep(0.1)
        raise RuntimeError(f"Celery worker not ready in {timeout}s:\n{self.log()[-3000:]}")

    def log(self) -> str:
        return self.logfile.read_text(errors="replace") if self.logfile.exists() else ""

    def kill(self) -> None:
        """SIGKILL, as a crash would: no chance to finish or acknowledge anything."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
