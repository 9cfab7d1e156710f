from django.core.management.base import BaseCommand

from marketplace.core.reference import reference_data_load


class Command(BaseCommand):
    help = "Load or refresh CPV 2008, NUTS 2024 regions, Dutch municipalities and competencies."

    def handle(self, *args, **options):
        result = reference_data_load(progress=options["verbosity"] > 0)
        self.stdout.write(
            self.style.SUCCESS(
                f"Reference data: {result.cpv} CPV codes, {result.regions} NUTS regions, "
                f"{result.municipalities} municipalities, {result.competencies} competencies."
            )
        )
