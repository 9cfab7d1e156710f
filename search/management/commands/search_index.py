"""`python manage.py search_index rebuild|status`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from search import documents, get_backend
from search.models import IndexQueue, StoredQuery


class Command(BaseCommand):
    help = (
        "rebuild: index every public opportunity afresh (Elasticsearch: into a new index, then "
        "swap the alias with no downtime; the database index is brought in line first). "
        "status: compare the number of indexed documents with the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "status"])
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, action: str, no_progress: bool = False, **options):
        backend = get_backend()
        if action == "rebuild":
            self._rebuild(backend, progress=not no_progress)
        else:
            self._status(backend)

    def _rebuild(self, backend, *, progress: bool) -> None:
        from search.backends.elasticsearch import ElasticsearchBackend

        if isinstance(backend, ElasticsearchBackend):
            result = backend.database.rebuild(progress=progress)
            self.stdout.write(f"Database index: {result.indexed} documents.")
        try:
            result = backend.rebuild(progress=progress)
        except Exception as exc:
            raise CommandError(f"Rebuild failed: {type(exc).__name__}: {exc}") from exc
        IndexQueue.objects.all().delete()
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt {backend.name} index {result.index_name}: {result.indexed} documents."
            )
        )

    def _status(self, backend) -> None:
        from search.backends.elasticsearch import ElasticsearchBackend

        public = len(documents.public_ids())
        rows = [("database: public opportunities", public)]
        indexes = [backend.database] if isinstance(backend, ElasticsearchBackend) else []
        indexes.append(backend)
        in_line = True
        for index in indexes:
            try:
                count = index.count()
            except Exception as exc:
                rows.append((f"{index.name} index", f"unreachable ({type(exc).__name__})"))
                in_line = False
                continue
            rows.append((f"{index.name} index", count))
            in_line &= count == public
        rows.append(("waiting in the index queue", IndexQueue.objects.count()))
        rows.append(("stored queries", StoredQuery.objects.count()))
        if isinstance(backend, ElasticsearchBackend):
            rows.append(("Elasticsearch aliases", ", ".join(backend.aliases_status())))
        for label, value in rows:
            self.stdout.write(f"{label:34} {value}")
        if not in_line:
            raise CommandError(
                "The index is out of line with the database: run `search_index rebuild` "
                "(or wait for the catch-up task)."
            )
        self.stdout.write(self.style.SUCCESS("The index is in line with the database."))
