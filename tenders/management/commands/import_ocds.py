from django.core.management.base import BaseCommand

from tenders.management.commands._importing import print_report
from tenders.opendata.runs import ocds_items, run


class Command(BaseCommand):
    help = (
        "Import OCDS 1.1 data (release packages, record packages, JSON Lines; also .gz and "
        ".tar.gz) as tender opportunities, one per ocid, its releases compiled in date order. "
        "Safe to repeat."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="JSON / JSON Lines files or folders")
        parser.add_argument("--limit", type=int, help="Import at most this many ocids.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, paths, limit, no_progress, **options):
        report = run(ocds_items(paths, limit=limit), show_progress=not no_progress)
        print_report(self, report)
