"""Writing the alert outbox: one row per (user, opportunity, reason), never twice.

A newly published opportunity is announced to a user once (reason key `new`), whether it
matched a saved search, the user's company, or both; the email says every reason. Followers
hear of each later event once (reason key `event:<id>`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from marketplace.core import clock
from marketplace.core.bulk import rows_insert
from marketplace.core.models import Membership, User
from suppliers.delivery import preference_for, weekly_instant_count
from suppliers.match_selectors import match_reasons
from suppliers.models_alerts import Alert, AlertPreference, Cadence, Follow, ProcessedEvent
from suppliers.sources import Audience, companies_matching, saved_searches_matching
from tenders.models import Opportunity, OpportunityEvent

logger = logging.getLogger(__name__)

CADENCE_ORDER = {Cadence.INSTANT: 0, Cadence.DAILY: 1, Cadence.WEEKLY: 2}
FOLLOWER_EVENTS = {
    OpportunityEvent.Type.AMENDED,
    OpportunityEvent.Type.DOCUMENT_ADDED,
    OpportunityEvent.Type.ANSWER_PUBLISHED,
    OpportunityEvent.Type.WITHDRAWN,
    OpportunityEvent.Type.CANCELLED,
    OpportunityEvent.Type.AWARDED,
}
HANDLED_EVENTS = FOLLOWER_EVENTS | {OpportunityEvent.Type.PUBLISHED}
STATUS_FIELDS = ("published_at", "withdrawn_at", "closes_at", "awarded_at", "cancelled_at")


@dataclass
class Announcement:
    user: User
    reason: str
    cadence: str
    score: int | None
    why: list[str]
    saved_search_id: int | None = None


def _receives(user: User, *, transactional: bool = False) -> bool:
    """Whether to email the user. Service messages about the user's own applications and
    invitations (`transactional`) still go to someone who unsubscribed from alerts, but never to
    an address that bounces."""
    if not user.is_active:
        return False
    pref = getattr(user, "alert_preference", None)
    if pref is None:
        return True
    if transactional:
        return pref.bouncing_since is None
    return pref.receives_email


def _new_opportunity_announcements(
    opportunity: Opportunity, audience: Audience | None = None
) -> dict[int, Announcement]:
    """Every user who should hear about a new opportunity, with the fastest cadence and all
    the reasons."""
    audience = audience or Audience.now()
    out: dict[int, Announcement] = {}

    def add(user, reason, cadence, score, why, saved_search_id=None):
        if not _receives(user):
            return
        current = out.get(user.pk)
        if current is None:
            out[user.pk] = Announcement(user, reason, cadence, score, [why], saved_search_id)
            return
        current.why.append(why)
        if CADENCE_ORDER[cadence] < CADENCE_ORDER[current.cadence]:
            current.cadence = cadence
        if score is not None and (current.score is None or score > current.score):
            current.score = score

    for saved in saved_searches_matching(opportunity) if audience.saved_searches else []:
        with override(saved.user.language):
            why = _("Matches your saved search “%(name)s”.") % {"name": saved.name}
        add(saved.user, Alert.Reason.SAVED_SEARCH, saved.cadence, None, why, saved.pk)

    matches = {
        m.company_id: m
        for m in (
            companies_matching(opportunity, min_score=audience.min_score)
            if audience.companies
            else []
        )
    }
    if matches:
        members = Membership.objects.filter(organisation_id__in=matches).select_related(
            "user", "user__alert_preference"
        )
        for membership in members:
            user = membership.user
            pref = getattr(user, "alert_preference", None) or AlertPreference(user=user)
            match = matches[membership.organisation_id]
            if pref.matches_enabled and match.score >= pref.match_threshold:
                reasons = match_reasons(match.match, language=user.language)
                with override(user.language):
                    why = _("Matches your company (%(score)d/100): %(reasons)s.") % {
                        "score": match.score,
                        "reasons": "; ".join(reasons),
                    }
                add(user, Alert.Reason.MATCH, pref.matches_cadence, match.score, why)
    return out


def _write(rows: list[Alert]) -> list[Alert]:
    """Insert rows one by one inside savepoints; a row that exists already is skipped."""
    written = []
    for row in rows:
        try:
            with transaction.atomic():
                row.save()
            written.append(row)
        except IntegrityError:
            continue
    return written


def _apply_weekly_cap(announcements: list[Alert], now: dt.datetime) -> None:
    """Instant alerts past a user's weekly cap wait for the weekly digest instead."""
    for alert in announcements:
        if alert.cadence != Cadence.INSTANT:
            continue
        pref = preference_for(alert.user)
        if weekly_instant_count(alert.user_id, now) >= pref.weekly_cap:
            alert.cadence = Cadence.WEEKLY


def describe_event(event: OpportunityEvent, language: str) -> str:
    with override(language):
        payload = event.payload or {}
        texts = {
            OpportunityEvent.Type.AMENDED: _(
                "The opportunity was changed (version %(version)s): %(reason)s"
            )
            % {"version": payload.get("version", "?"), "reason": payload.get("reason", "")},
            OpportunityEvent.Type.DOCUMENT_ADDED: _("A new document was added: %(name)s")
            % {"name": payload.get("name", "")},
            OpportunityEvent.Type.ANSWER_PUBLISHED: _("A question was answered."),
            OpportunityEvent.Type.WITHDRAWN: _("The opportunity was withdrawn."),
            OpportunityEvent.Type.CANCELLED: _("The opportunity was cancelled: %(reason)s")
            % {"reason": payload.get("reason", "")},
            OpportunityEvent.Type.AWARDED: _("The opportunity has been awarded."),
        }
        return str(texts.get(event.type, event.get_type_display())).strip().rstrip(":")


@transaction.atomic
def alerts_write_for_event(*, event_id: int, now: dt.datetime | None = None) -> list[int]:
    """Turn one opportunity event into outbox rows (once: the event is then marked processed).
    Returns the ids of new instant alerts, to be delivered after commit."""
    return alerts_write_for_events(event_ids=[event_id], now=now)


@transaction.atomic
def alerts_write_for_events(*, event_ids: list[int], now: dt.datetime | None = None) -> list[int]:
    """Turn opportunity events into outbox rows, each event once (it is then marked processed),
    in one transaction. A published opportunity is announced as new only while it is open:
    one that is closed, awarded or cancelled by the time its event is processed (an imported
    notice of a past procedure, say) is recorded as processed without alerts. Followers hear of
    later events. Returns the ids of new instant alerts, to be delivered after commit."""
    now = now or clock.now()
    events = list(
        OpportunityEvent.objects.select_for_update()
        .select_related("opportunity")
        # What says whether the opportunity is open; the rest is read when needed.
        .only("type", "created_at", "payload", *(f"opportunity__{f}" for f in STATUS_FIELDS))
        .filter(pk__in=list(event_ids))
        .order_by("pk")
    )
    done = set(
        ProcessedEvent.objects.filter(event_id__in=[e.pk for e in events]).values_list(
            "event_id", flat=True
        )
    )
    events = [e for e in events if e.pk not in done]
    if not events:
        return []
    follows: dict[int, list[Follow]] = {}
    followed = {e.opportunity_id for e in events if e.type in FOLLOWER_EVENTS}
    if followed:
        for follow in Follow.objects.filter(opportunity_id__in=followed).select_related(
            "user", "user__alert_preference"
        ):
            follows.setdefault(follow.opportunity_id, []).append(follow)
    audience = None
    if any(e.type == OpportunityEvent.Type.PUBLISHED for e in events):
        audience = Audience.now()
    processed: list[tuple[int, dt.datetime, int]] = []
    instant: list[int] = []
    for event in events:
        rows = _rows_for_event(event, follows.get(event.opportunity_id, []), audience, now)
        _apply_weekly_cap(rows, now)
        written = _write(rows)
        processed.append((event.pk, now, len(written)))
        instant += [a.pk for a in written if a.cadence == Cadence.INSTANT]
    # Plain rows: a batch of imported notices marks thousands of events at once.
    rows_insert(ProcessedEvent, ["event_id", "processed_at", "alerts_written"], processed)
    return instant


def _rows_for_event(
    event: OpportunityEvent, follows: list[Follow], audience: Audience | None, now: dt.datetime
) -> list[Alert]:
    opportunity = event.opportunity
    rows: list[Alert] = []
    if event.type == OpportunityEvent.Type.PUBLISHED:
        if not opportunity.is_open(now):
            return rows
        for ann in _new_opportunity_announcements(opportunity, audience).values():
            rows.append(
                Alert(
                    user=ann.user,
                    opportunity=opportunity,
                    reason=ann.reason,
                    reason_key="new",
                    saved_search_id=ann.saved_search_id,
                    cadence=ann.cadence,
                    score=ann.score,
                    why=" ".join(ann.why),
                    created_at=now,
                )
            )
    elif event.type in FOLLOWER_EVENTS:
        for follow in follows:
            if not _receives(follow.user):
                continue
            rows.append(
                Alert(
                    user=follow.user,
                    opportunity=opportunity,
                    reason=Alert.Reason.FOLLOW,
                    reason_key=f"event:{event.pk}",
                    cadence=Cadence.INSTANT,
                    created_at=now,
                    subject_extra=describe_event(event, follow.user.language)[:300],
                )
            )
    return rows


def alert_add(
    *,
    user: User,
    opportunity: Opportunity,
    reason: str,
    reason_key: str,
    subject_extra: str = "",
    why: str = "",
    score: int | None = None,
    cadence: str = Cadence.INSTANT,
) -> Alert | None:
    """Put one message for one user in the outbox (invitations, notices, reminders); None when
    it was there already or the user receives no email. Deliver after commit with
    `suppliers.tasks.alerts_enqueue`."""
    if not _receives(user):
        return None
    rows = _write(
        [
            Alert(
                user=user,
                opportunity=opportunity,
                reason=reason,
                reason_key=reason_key[:80],
                subject_extra=subject_extra[:300],
                why=why,
                score=score,
                cadence=cadence,
            )
        ]
    )
    return rows[0] if rows else None


def unprocessed_event_ids(*, older_than: dt.datetime, limit: int = 1000) -> list[int]:
    """Events from the last week that never became alerts (the normal path was lost)."""
    return list(
        OpportunityEvent.objects.filter(
            type__in=HANDLED_EVENTS,
            created_at__lte=older_than,
            created_at__gte=older_than - dt.timedelta(days=7),
        )
        .exclude(pk__in=ProcessedEvent.objects.values("event_id"))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def pending_event_ids(opportunity_id: int | list[int]) -> list[int]:
    """Events of this opportunity (or these) not yet turned into alerts, oldest first."""
    ids = [opportunity_id] if isinstance(opportunity_id, int) else list(opportunity_id)
    return list(
        OpportunityEvent.objects.filter(opportunity_id__in=ids, type__in=HANDLED_EVENTS)
        .exclude(pk__in=ProcessedEvent.objects.values("event_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


REMINDERS = (("reminder:7d", dt.timedelta(days=7)), ("reminder:1d", dt.timedelta(days=1)))


def has_applied(*, user: User, opportunity: Opportunity) -> bool:
    """Whether the user's company has a submitted application for the opportunity (applications
    area); False while that area is not installed."""
    try:
        from tenders.selectors_applications import application_submitted_exists
    except ImportError:
        return False
    return application_submitted_exists(user=user, opportunity=opportunity)


def reminders_write(*, now: dt.datetime | None = None) -> list[int]:
    """Deadline reminders 7 days and 1 day before the deadline, for followers who have not
    applied. One row per (user, opportunity, reminder) under the unique constraint, so running
    it every hour sends each reminder once. Returns new alert ids."""
    now = now or clock.now()
    written: list[Alert] = []
    for key, ahead in REMINDERS:
        follows = (
            Follow.objects.filter(
                opportunity__in=Opportunity.objects.open(now=now).filter(
                    closes_at__lte=now + ahead, closes_at__gt=now
                )
            )
            .exclude(user__alerts__opportunity=F("opportunity"), user__alerts__reason_key=key)
            .select_related("user", "user__alert_preference", "opportunity")
        )
        for follow in follows:
            if not _receives(follow.user) or has_applied(
                user=follow.user, opportunity=follow.opportunity
            ):
                continue
            deadline = timezone.localtime(follow.opportunity.closes_at)
            with override(follow.user.language):
                text = _("The deadline is %(date)s. You have not applied yet.") % {
                    "date": formats.date_format(deadline, "DATETIME_FORMAT")
                }
            written += _write(
                [
                    Alert(
                        user=follow.user,
                        opportunity=follow.opportunity,
                        reason=Alert.Reason.REMINDER,
                        reason_key=key,
                        cadence=Cadence.INSTANT,
                        subject_extra=text,
                        created_at=now,
                    )
                ]
            )
    return [a.pk for a in written]


def notice_add(
    *,
    user: User,
    opportunity: Opportunity,
    reason: str,
    reason_key: str,
    template: str,
    context: dict,
) -> Alert | None:
    """Put a service message (an application receipt or status, an invitation to apply) in the
    outbox, rendered now from templates/emails/<template>.* in the user's language. Once per
    `reason_key` and user; None when it was there already or the address bounces. Deliver after
    commit with `suppliers.tasks.alerts_enqueue`."""
    from marketplace.core.emails import email_build

    if not _receives(user, transactional=True):
        return None
    message = email_build(to=user.email, template=template, context=context, language=user.language)
    html = next(
        (content for content, mimetype in message.alternatives if mimetype == "text/html"), ""
    )
    rows = _write(
        [
            Alert(
                user=user,
                opportunity=opportunity,
                reason=reason,
                reason_key=reason_key[:80],
                cadence=Cadence.INSTANT,
                subject=message.subject[:300],
                body_text=message.body,
                body_html=html,
            )
        ]
    )
    return rows[0] if rows else None
