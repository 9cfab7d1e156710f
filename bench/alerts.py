"""Alert benchmarks (DESIGN.md targets).

deliver: N alert emails (default 10,000) through Redis and two Celery workers to a real SMTP
sink; reports the time until the last one arrives and how many were lost or duplicated (both
must be 0). Target: 10,000 in under 60 s with two workers.

    python -m bench alerts [--emails 10000] [--workers 2] [--smoke]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench import _stack


def deliver(emails: int, worker_count: int) -> dict:
    with _stack.postgresql() as db_url, _stack.redis() as redis_url, _stack.smtp_sink() as sink:
        env = {
            "DATABASE_URL": db_url,
            "CELERY_BROKER_URL": redis_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            "DEBUG": "False",
            "SECRET_KEY": "kansen-bench-only-" + "Zq8!xW3@pL6#vN1$" * 3,
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "KANSEN_VAR_DIR": tempfile.mkdtemp(prefix="kansen-bench-var-"),
        }
        _stack.django_setup(env)
        from django.utils import timezone

        from marketplace.core.models import Organisation, User
        from marketplace.core.reference import reference_data_load
        from suppliers.delivery import batches
        from suppliers.models_alerts import Alert
        from suppliers.tasks import alerts_deliver_task, enqueue
        from tenders.models import Opportunity

        reference_data_load()
        buyer = Organisation.objects.create(
            kind="buyer", name="Gemeente Bench", slug="gemeente-bench", buyer_type="municipality"
        )
        now = timezone.now()
        opportunities = Opportunity.objects.bulk_create(
            [
                Opportunity(
                    kind="tender",
                    buyer=buyer,
                    title=f"Benchmark opportunity {i}",
                    summary="Een kans.",
                    published_at=now,
                    closes_at=now + timezone.timedelta(days=20),
                )
                for i in range(max(emails // 100, 1))
            ]
        )
        users = User.objects.bulk_create(
            [
                User(
                    email=f"bench{i}@startup.example",
                    name=f"Bench {i}",
                    password="!",  # noqa: S106 - an unusable password
                    language="nl" if i % 2 else "en",
                )
                for i in range(emails)
            ]
        )
        alerts = Alert.objects.bulk_create(
            [
                Alert(
                    user=u,
                    opportunity=opportunities[i % len(opportunities)],
                    reason="saved_search",
                    reason_key="new",
                    why="Matches your saved search “Bench”.",
                    cadence="instant",
                )
                for i, u in enumerate(users)
            ],
            batch_size=2000,
        )
        ids = [a.pk for a in alerts]
        logdir = Path(tempfile.mkdtemp(prefix="kansen-bench-workers-"))
        with _stack.workers(worker_count, env, logdir):
            from marketplace.celery import app

            app.conf.update(broker_url=redis_url, task_always_eager=False)
            start = time.perf_counter()
            for batch in batches(ids, 50):
                enqueue(alerts_deliver_task, batch)
            deadline = start + max(120, emails / 20)
            while sink.count() < emails and time.perf_counter() < deadline:
                time.sleep(0.05)
            elapsed = time.perf_counter() - start
            time.sleep(2)
        message_ids = [m["Message-ID"] for m in sink.messages]
        received = len(message_ids)
        unique = len(set(message_ids))
        sent_rows = Alert.objects.filter(status="sent").count()
        return {
            "emails": emails,
            "workers": worker_count,
            "seconds": round(elapsed, 2),
            "per_second": round(received / elapsed, 1) if elapsed else None,
            "received": received,
            "lost": emails - unique,
            "duplicated": received - unique,
            "rows_sent": sent_rows,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench alerts",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--smoke", action="store_true", help="200 emails")
    args = parser.parse_args(argv)
    emails = 200 if args.smoke else args.emails
    result = deliver(emails, args.workers)
    print(
        f"alerts deliver: {result['received']}/{result['emails']} emails with {result['workers']} workers "
        f"in {result['seconds']} s ({result['per_second']}/s); lost {result['lost']}, duplicated {result['duplicated']}"
    )
    ok = result["lost"] == 0 and result["duplicated"] == 0
    if not args.smoke and result["seconds"] > 60:
        print("  slower than the 60 s target")
    return 0 if ok else 1
