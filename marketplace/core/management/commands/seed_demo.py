from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from marketplace.core.demo import DEMO_ACCOUNTS

# Each step is idempotent and returns lines for the summary. Later features add theirs here.
DEMO_STEPS = [
    "marketplace.core.demo.seed_accounts",
    "tenders.demo.seed_opportunities",
    "tenders.opendata.demo.seed_imports",
    "suppliers.demo.seed_matching",
    "tenders.demo_applications.seed_applications",
]


class Command(BaseCommand):
    help = "Create the demo accounts, organisations and content (refused when DEBUG is off)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a public password and is refused when DEBUG is "
                "off. Run it only on a development machine."
            )
        for dotted in DEMO_STEPS:
            for line in import_string(dotted)(stdout=self.stdout) or []:
                self.stdout.write(f"  {line}")
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in with:"))
        for account in DEMO_ACCOUNTS:
            self.stdout.write(
                f"  {account.email:32} password {settings.KANSEN_DEMO_PASSWORD}   "
                f"({account.role}, {account.organisation})"
            )
