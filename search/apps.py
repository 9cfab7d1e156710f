from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _labels_changed(**kwargs) -> None:
    from search import labels

    labels.clear_cache()


class SearchConfig(AppConfig):
    name = "search"

    def ready(self) -> None:
        from marketplace.core.models import Competency, CpvCode

        # Type-ahead keeps the labels in memory per process (search.labels): a competency or
        # CPV label edited in the admin is suggested under its new name at once.
        for model in (Competency, CpvCode):
            post_save.connect(
                _labels_changed, sender=model, dispatch_uid=f"labels-{model.__name__}"
            )
            post_delete.connect(
                _labels_changed, sender=model, dispatch_uid=f"labels-del-{model.__name__}"
            )
