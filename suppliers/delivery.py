"""Delivering the alert outbox: instant alerts, digests, retries, bounces and the sweep.

Every row is claimed with a conditional update (only a PENDING row becomes SENDING), so two
workers never send the same alert; a row is marked SENT in the same moment the SMTP server is
given the end of the message (see marketplace.core.smtp). A worker that dies leaves its row
SENDING; the sweep puts rows that have been SENDING too long back to PENDING and enqueues them
again. Every function here is safe to run twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from marketplace.core import clock
from marketplace.core.smtp import SmtpSender, smtp_is_configured
from suppliers.models_alerts import Alert, AlertPreference, Cadence, Digest

logger = logging.getLogger(__name__)


@dataclass
class DeliveryResult:
    sent: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def backoff_seconds(attempts: int) -> int:
    """Exponential: base, 2 x base, 4 x base ... up to ALERTS_RETRY_MAX."""
    return min(settings.ALERTS_RETRY_BASE * 2 ** max(attempts - 1, 0), settings.ALERTS_RETRY_MAX)


def retry_countdown(model, ids: list[int]) -> int:
    """Seconds until the first of these rows is due again."""
    from django.db.models import Min

    first = model.objects.filter(pk__in=ids).aggregate(first=Min("next_attempt_at"))["first"]
    if first is None:
        return 1
    return max(1, int((first - timezone.now()).total_seconds()) + 1)


def preference_for(user) -> AlertPreference:
    pref, _created = AlertPreference.objects.get_or_create(user=user)
    return pref


def _claim(model, pk: int, now: dt.datetime) -> bool:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return bool(
        model.objects.filter(pk=pk, status=model.Status.PENDING)
        .filter(due)
        .update(status=model.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def _is_permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and code >= 500


def _record_failure(model, row, exc: Exception, now: dt.datetime, result: DeliveryResult) -> None:
    message = f"{type(exc).__name__}: {exc}"[:2000]
    if _is_permanent(exc) or row.attempts >= settings.ALERTS_MAX_ATTEMPTS:
        model.objects.filter(pk=row.pk).update(status=model.Status.FAILED, last_error=message)
        result.failed.append(row.pk)
        if _is_permanent(exc):
            _record_bounce(row.user_id, now)
        logger.warning(
            "Alert delivery failed for good (%s %s): %s", model.__name__, row.pk, message
        )
    else:
        model.objects.filter(pk=row.pk).update(
            status=model.Status.PENDING,
            last_error=message,
            next_attempt_at=now + dt.timedelta(seconds=backoff_seconds(row.attempts)),
        )
        result.retry.append(row.pk)
        logger.info("Alert delivery will be retried (%s %s): %s", model.__name__, row.pk, message)


def _record_bounce(user_id: int, now: dt.datetime) -> None:
    pref, _ = AlertPreference.objects.get_or_create(user_id=user_id)
    AlertPreference.objects.filter(pk=pref.pk).update(bounce_count=F("bounce_count") + 1)
    pref.refresh_from_db()
    if pref.bounce_count >= settings.ALERTS_BOUNCE_LIMIT and pref.bouncing_since is None:
        AlertPreference.objects.filter(pk=pref.pk).update(bouncing_since=now)
        logger.warning("Address of user %s keeps bouncing; alerts stop until it is fixed", user_id)


class _Transport:
    """SMTP with the exactly-once handshake when SMTP is configured; otherwise Django's backend
    (the embedded default writes .eml files to var/mail)."""

    def __init__(self):
        self.smtp = SmtpSender() if smtp_is_configured() else None
        self.connection = None if self.smtp else mail.get_connection()

    def send(self, message, mark_sent) -> None:
        if self.smtp is not None:
            self.smtp.send(message, before_final_dot=mark_sent)
        else:
            message.connection = self.connection
            message.send(fail_silently=False)
            mark_sent()

    def close(self) -> None:
        if self.smtp is not None:
            self.smtp.close()


def _claim_batch(ids: list[int], now: dt.datetime) -> str:
    """Claim every pending, due alert among `ids` in one statement; returns the claim token
    that marks the rows this run owns."""
    token = uuid.uuid4().hex
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    Alert.objects.filter(pk__in=ids, status=Alert.Status.PENDING).filter(due).update(
        status=Alert.Status.SENDING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1
    )
    return token


def alerts_deliver(*, alert_ids: Iterable[int], now: dt.datetime | None = None) -> DeliveryResult:
    """Send the given instant alerts that are still pending and due. Returns what happened."""
    from suppliers.emails import alert_message

    now = now or clock.now()
    result = DeliveryResult()
    token = _claim_batch(list(alert_ids), now)
    alerts = list(
        Alert.objects.filter(claim_token=token, status=Alert.Status.SENDING)
        .select_related("user", "opportunity__buyer", "saved_search")
        .order_by("pk")
    )
    if not alerts:
        return result
    prefs = {
        p.user_id: p
        for p in AlertPreference.objects.filter(user_id__in={a.user_id for a in alerts})
    }
    transport = _Transport()
    try:
        for alert in alerts:
            pk = alert.pk
            pref = prefs.get(alert.user_id) or AlertPreference(user=alert.user)
            allowed = pref.bouncing_since is None if alert.subject else pref.receives_email
            if not allowed or not alert.user.is_active:
                Alert.objects.filter(pk=pk).update(
                    status=Alert.Status.SKIPPED, last_error="unsubscribed or bouncing"
                )
                result.skipped.append(pk)
                continue
            message = alert_message(alert)

            def mark_sent(pk=pk):
                Alert.objects.filter(pk=pk, status=Alert.Status.SENDING).update(
                    status=Alert.Status.SENT, sent_at=timezone.now(), last_error=""
                )

            try:
                transport.send(message, mark_sent)
            except (smtplib.SMTPException, OSError) as exc:
                _undo_sent(Alert, pk)
                _record_failure(Alert, alert, exc, now, result)
            else:
                result.sent.append(pk)
    finally:
        transport.close()
    return result


def _undo_sent(model, pk: int) -> None:
    """The server refused the message after we marked it sent: it is not sent."""
    model.objects.filter(pk=pk, status=model.Status.SENT).update(
        status=model.Status.SENDING, sent_at=None
    )


def period_for(cadence: str, now: dt.datetime) -> str:
    local = timezone.localtime(now)
    if cadence == Cadence.WEEKLY:
        year, week, _day = local.isocalendar()
        return f"weekly:{year}-W{week:02d}"
    return f"daily:{local.date().isoformat()}"


def digests_prepare(*, cadence: str, now: dt.datetime | None = None) -> list[int]:
    """Bundle every user's pending alerts of this cadence into one digest for this period.

    One digest row per (user, period) under a unique constraint; alerts are attached only if
    not yet attached. Users with nothing new get no digest. Returns the digest ids to send."""
    now = now or clock.now()
    period = period_for(cadence, now)
    user_ids = (
        Alert.objects.filter(status=Alert.Status.PENDING, cadence=cadence, digest__isnull=True)
        .values_list("user_id", flat=True)
        .distinct()
    )
    digest_ids = []
    for user_id in list(user_ids):
        with transaction.atomic():
            digest, _created = Digest.objects.get_or_create(
                user_id=user_id, period=period, defaults={"cadence": cadence}
            )
            if digest.status == Digest.Status.SENT:
                # Already sent this period: the new alerts wait for the next one.
                continue
            Alert.objects.filter(
                user_id=user_id, status=Alert.Status.PENDING, cadence=cadence, digest__isnull=True
            ).update(digest=digest)
            digest_ids.append(digest.pk)
    digest_ids += list(
        Digest.objects.filter(status=Digest.Status.PENDING, cadence=cadence)
        .exclude(pk__in=digest_ids)
        .values_list("pk", flat=True)
    )
    return digest_ids


def digests_deliver(*, digest_ids: Iterable[int], now: dt.datetime | None = None) -> DeliveryResult:
    """Send digests (one email each), marking the digest and its alerts sent together."""
    from suppliers.emails import digest_message

    now = now or clock.now()
    result = DeliveryResult()
    transport = _Transport()
    try:
        for pk in digest_ids:
            if not _claim(Digest, pk, now):
                continue
            digest = Digest.objects.select_related("user").get(pk=pk)
            alerts = list(
                Alert.objects.filter(
                    digest=digest, status__in=[Alert.Status.PENDING, Alert.Status.SENDING]
                ).select_related("opportunity__buyer", "saved_search")
            )
            pref = preference_for(digest.user)
            if not alerts or not pref.receives_email or not digest.user.is_active:
                with transaction.atomic():
                    Digest.objects.filter(pk=pk).update(
                        status=Digest.Status.SENT, sent_at=now, last_error="nothing to send"
                    )
                    Alert.objects.filter(digest=digest, status=Alert.Status.PENDING).update(
                        status=Alert.Status.SKIPPED
                    )
                result.skipped.append(pk)
                continue
            message = digest_message(digest, alerts)
            ids = [a.pk for a in alerts]

            def mark_sent(pk=pk, ids=ids):
                with transaction.atomic():
                    stamp = timezone.now()
                    Digest.objects.filter(pk=pk, status=Digest.Status.SENDING).update(
                        status=Digest.Status.SENT, sent_at=stamp
                    )
                    Alert.objects.filter(pk__in=ids).update(status=Alert.Status.SENT, sent_at=stamp)

            try:
                transport.send(message, mark_sent)
            except (smtplib.SMTPException, OSError) as exc:
                with transaction.atomic():
                    Digest.objects.filter(pk=pk, status=Digest.Status.SENT).update(
                        status=Digest.Status.SENDING, sent_at=None
                    )
                    Alert.objects.filter(pk__in=ids, status=Alert.Status.SENT).update(
                        status=Alert.Status.PENDING, sent_at=None
                    )
                _record_failure(Digest, digest, exc, now, result)
            else:
                result.sent.append(pk)
    finally:
        transport.close()
    return result


@dataclass
class SweepResult:
    reclaimed: int = 0
    events: list[int] = field(default_factory=list)
    alerts: list[int] = field(default_factory=list)
    digests: list[int] = field(default_factory=list)


def outbox_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """What the periodic sweep finds to do: rows a dead worker left SENDING go back to PENDING;
    events never turned into alerts (e.g. Redis was down at publish time) and due instant
    alerts and digests are returned for enqueueing. Safe to run twice."""
    from suppliers.outbox import unprocessed_event_ids

    now = now or clock.now()
    stale = now - dt.timedelta(seconds=settings.ALERTS_CLAIM_TIMEOUT)
    reclaimed = 0
    for model in (Alert, Digest):
        reclaimed += model.objects.filter(status=model.Status.SENDING, claimed_at__lt=stale).update(
            status=model.Status.PENDING
        )
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    alerts = list(
        Alert.objects.filter(status=Alert.Status.PENDING, cadence=Cadence.INSTANT)
        .filter(due)
        .order_by("pk")
        .values_list("pk", flat=True)[:10_000]
    )
    digests = list(
        Digest.objects.filter(status=Digest.Status.PENDING).filter(due).values_list("pk", flat=True)
    )
    return SweepResult(
        reclaimed=reclaimed,
        events=unprocessed_event_ids(
            older_than=now - dt.timedelta(seconds=settings.ALERTS_EVENT_GRACE)
        ),
        alerts=alerts,
        digests=digests,
    )


def weekly_instant_count(user_id: int, now: dt.datetime) -> int:
    return Alert.objects.filter(
        user_id=user_id,
        cadence=Cadence.INSTANT,
        status=Alert.Status.SENT,
        sent_at__gte=now - dt.timedelta(days=7),
    ).count()


def batches(ids: list[int], size: int | None = None) -> list[list[int]]:
    size = size or settings.ALERTS_BATCH_SIZE
    return [ids[i : i + size] for i in range(0, len(ids), size)]
