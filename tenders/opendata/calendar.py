"""iCalendar files with the deadlines of opportunities (RFC 5545, written with `icalendar`).

`opportunities_calendar` takes any iterable of opportunities, so a saved search can offer its
own .ics by passing the opportunities it finds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _

from marketplace.core import clock
from tenders.models import Opportunity

PRODID = "-//Kansen//Opportunity deadlines//EN"


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "kansen.example"


def _event(
    opportunity: Opportunity, *, kind: str, at: dt.datetime, title: str, now: dt.datetime
) -> icalendar.Event:
    url = f"{settings.SITE_URL}{opportunity.get_absolute_url()}"
    event = icalendar.Event()
    event.add("uid", f"opportunity-{opportunity.pk}-{kind}@{_host()}")
    event.add("dtstamp", now)
    event.add("dtstart", at)
    event.add("dtend", at + dt.timedelta(minutes=30))
    event.add("summary", f"{title}: {opportunity.title}")
    description = "\n\n".join(
        p for p in (opportunity.summary, f"{opportunity.buyer.name}", url) if p
    )
    event.add("description", description)
    event.add("url", url)
    event.add("categories", [str(opportunity.get_kind_display())])
    event.add("transp", "TRANSPARENT")
    if kind == "closes":
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{title}: {opportunity.title}")
        alarm.add("trigger", dt.timedelta(days=-1))
        event.add_component(alarm)
    return event


def opportunities_calendar(
    opportunities: Iterable[Opportunity], *, name: str, now: dt.datetime | None = None
) -> icalendar.Calendar:
    """A calendar with, per opportunity, its question deadline and its closing deadline (and
    the opening date when that is still to come)."""
    now = now or clock.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for opportunity in opportunities:
        if opportunity.opens_at and opportunity.opens_at > now:
            calendar.add_component(
                _event(
                    opportunity, kind="opens", at=opportunity.opens_at, title=_("Opens"), now=now
                )
            )
        if opportunity.question_deadline:
            calendar.add_component(
                _event(
                    opportunity,
                    kind="questions",
                    at=opportunity.question_deadline,
                    title=_("Question deadline"),
                    now=now,
                )
            )
        if opportunity.closes_at:
            calendar.add_component(
                _event(
                    opportunity,
                    kind="closes",
                    at=opportunity.closes_at,
                    title=_("Deadline"),
                    now=now,
                )
            )
    return calendar


def calendar_response(calendar: icalendar.Calendar, *, filename: str) -> HttpResponse:
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
