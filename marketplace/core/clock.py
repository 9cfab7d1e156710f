"""The one place the application asks what time it is, so tests can travel (time-machine)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def now() -> dt.datetime:
    return timezone.now()


def local_now() -> dt.datetime:
    return timezone.now().astimezone(AMSTERDAM)
