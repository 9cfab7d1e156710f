from django.core.management.base import BaseCommand

from suppliers import delivery


class Command(BaseCommand):
    help = "Send the daily or weekly alert digests now (Celery beat does this at 08:00 on its own)."

    def add_arguments(self, parser):
        parser.add_argument("--cadence", choices=["daily", "weekly", "both"], default="both")

    def handle(self, *args, cadence, **options):
        cadences = ["daily", "weekly"] if cadence == "both" else [cadence]
        for c in cadences:
            ids = delivery.digests_prepare(cadence=c)
            result = delivery.digests_deliver(digest_ids=ids)
            self.stdout.write(
                f"{c}: {len(result.sent)} digests sent, {len(result.skipped)} with nothing to send, "
                f"{len(result.retry)} to retry, {len(result.failed)} failed."
            )
