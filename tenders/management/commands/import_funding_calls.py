from django.conf import settings
from django.core.management.base import BaseCommand

from tenders.management.commands._importing import print_report
from tenders.opendata.runs import funding_items, run


class Command(BaseCommand):
    help = (
        "Import Horizon Europe call topics (the EU Funding & Tenders Portal snapshot in "
        "data/eu_funding_calls) as funding opportunities of the European Commission. Safe to "
        "repeat."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="*",
            help="Snapshot files or folders (default: data/eu_funding_calls)",
        )
        parser.add_argument("--limit", type=int, help="Import at most this many topics.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, paths, limit, no_progress, **options):
        paths = paths or [settings.DATA_DIR / "eu_funding_calls"]
        report = run(funding_items(paths, limit=limit), show_progress=not no_progress)
        print_report(self, report)
