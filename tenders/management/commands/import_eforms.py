from django.core.management.base import BaseCommand

from tenders.management.commands._importing import print_report
from tenders.opendata.runs import default_workers, eforms_items, run


class Command(BaseCommand):
    help = (
        "Import TED eForms notices (SDK 1.3 to 1.15) from files, folders or .tar.gz archives as "
        "tender opportunities. Safe to repeat: a notice seen before changes nothing; a later "
        "notice of the same procedure updates it as an amendment."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="XML files, folders or .tar.gz archives")
        parser.add_argument(
            "--no-validate",
            action="store_true",
            help="Skip the XSD check of SDK 1.15 notices (older SDK versions are never checked).",
        )
        parser.add_argument("--limit", type=int, help="Import at most this many notices.")
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="Processes that parse notices while this one writes (default: %(default)s).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, paths, no_validate, limit, workers, no_progress, **options):
        items = eforms_items(paths, validate=not no_validate, limit=limit, workers=workers)
        report = run(items, show_progress=not no_progress)
        print_report(self, report)
