"""The Celery app. Without CELERY_BROKER_URL tasks run eagerly in-process (settings)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

app = Celery("marketplace")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="marketplace.ping", ignore_result=False)
def ping(value: str = "pong") -> str:
    """Used by /readyz-style checks and tests to prove a worker consumes from the broker."""
    return value
