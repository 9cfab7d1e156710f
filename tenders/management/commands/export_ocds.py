import json

from django.conf import settings
from django.core.management.base import BaseCommand

from tenders import selectors
from tenders.opendata.ocds_export import opportunity_release, release_package, releases_queryset


class Command(BaseCommand):
    help = (
        "Write every published opportunity and its awards as one OCDS 1.1 release package "
        "(JSON), to stdout or to --output."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write (default: stdout)")
        parser.add_argument("--indent", type=int, default=None, help="Indent the JSON")

    def handle(self, *args, output, indent, **options):
        qs = releases_queryset(selectors.opportunity_list_public()).order_by("pk")
        releases = [opportunity_release(o) for o in qs.iterator(chunk_size=500)]
        if not releases:
            self.stderr.write("No published opportunities: the package has no releases.")
        package = release_package(releases, uri=f"{settings.SITE_URL}/api/v1/ocds/releases/")
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                json.dump(package, fh, ensure_ascii=False, indent=indent)
            self.stderr.write(f"Wrote {len(releases)} releases to {output}")
        else:
            self.stdout.write(json.dumps(package, ensure_ascii=False, indent=indent))
