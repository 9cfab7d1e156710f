"""Applying and evaluating.

Companies: start a draft, change it as they go, upload files, submit (an immutable version with
a SHA-256 content hash and a receipt), withdraw and resubmit until the deadline. The deadline is
the server's: `now >= opportunity.closes_at` is too late, to the microsecond, whatever the
local clock says (deadlines are stored in UTC and shown in Europe/Amsterdam time).

Buyers: nothing of a sealed opportunity can be read before its deadline, and after it only once
a member opened the box (logged). Then they score per criterion, shortlist, reject or award
(test locations: approve or decline, with dates), and write feedback; every rejected applicant
must have written feedback before the opportunity can be awarded.

Every state change is logged as an ApplicationEvent; applicants hear of changes through
`application_notify` (after commit). Errors: ApplicationError (400, per field), TransitionError
(409: late, wrong state), Forbidden (403), NotFound (404).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marketplace.core import clock
from marketplace.core.errors import ApplicationError, Forbidden, NotFound, TransitionError
from marketplace.core.files import file_check
from marketplace.core.models import Organisation, User
from marketplace.core.selectors import membership_role
from tenders.models import (
    Application,
    ApplicationEvent,
    ApplicationFile,
    ApplicationQuestion,
    ApplicationScore,
    ApplicationVersion,
    AwardCriterion,
    Lot,
    Opportunity,
    SealedBoxOpening,
)
from tenders.selectors_applications import (
    application_box,
    application_form_spec,
    location_booked_days,
)
from tenders.services.application_content import (
    content_hash,
    content_items,
    dates_problem,
    draft_clean,
    draft_missing,
)

logger = logging.getLogger(__name__)

Status = Application.Status
Kind = Opportunity.Kind
EventType = ApplicationEvent.Type

# Statuses in which the company may still change its working copy.
EDITABLE = (Status.DRAFT, Status.WITHDRAWN, Status.SUBMITTED)


def local_deadline(value: dt.datetime) -> str:
    """A moment as people in Amsterdam read it, with the zone: '29 March 2026, 12:00:00 CEST'."""
    local = value.astimezone(clock.AMSTERDAM)
    return f"{date_format(local, 'j F Y, H:i:s')} {local.tzname()}"


def local_date(now: dt.datetime) -> dt.date:
    return now.astimezone(clock.AMSTERDAM).date()


# ---------------------------------------------------------------------------------------------
# Guards


def _require_company_member(*, application: Application, by: User) -> None:
    if membership_role(user=by, organisation=application.company) is None:
        raise Forbidden(
            _("Only members of %(org)s can do this.") % {"org": application.company.name}
        )


def _require_buyer_member(*, opportunity: Opportunity, by: User) -> None:
    if membership_role(user=by, organisation=opportunity.buyer) is None:
        raise Forbidden(_("Only members of %(org)s can do this.") % {"org": opportunity.buyer})


def _require_accepting(opportunity: Opportunity, now: dt.datetime) -> None:
    """TransitionError unless the opportunity accepts applications at `now`."""
    status = opportunity.get_status(now)
    if status == Opportunity.Status.PUBLISHED:
        return
    if status == Opportunity.Status.CLOSED:
        raise TransitionError(
            _(
                "Too late: the deadline was %(deadline)s (Amsterdam time). Applications can no "
                "longer be submitted, changed or withdrawn. Your draft has been kept."
            )
            % {"deadline": local_deadline(opportunity.closes_at)},
            errors={"closes_at": [_("The deadline has passed.")]},
        )
    raise TransitionError(
        _("This opportunity is %(status)s and does not accept applications.")
        % {"status": opportunity.get_status_display()}
    )


def _lock_application(application: Application) -> Application:
    list(
        Application.objects.select_for_update()
        .filter(pk=application.pk)
        .values_list("pk", flat=True)
    )
    application.refresh_from_db()
    return application


def _lock_opportunity(opportunity: Opportunity) -> Opportunity:
    list(
        Opportunity.objects.select_for_update()
        .filter(pk=opportunity.pk)
        .values_list("pk", flat=True)
    )
    opportunity.refresh_from_db()
    return opportunity


def _log(
    application: Application,
    type: str,
    *,
    by: User | None,
    organisation: Organisation | None,
    now: dt.datetime,
    from_status: str = "",
    to_status: str = "",
    payload: Mapping[str, Any] | None = None,
    internal: bool = False,
) -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        application=application,
        type=type,
        actor=by,
        actor_organisation=organisation,
        created_at=now,
        from_status=from_status,
        to_status=to_status,
        payload=dict(payload or {}),
        is_internal=internal,
    )


def _editable(application: Application, now: dt.datetime) -> None:
    if application.status not in EDITABLE:
        raise TransitionError(
            _("This application is being evaluated (%(status)s) and can no longer be changed.")
            % {"status": application.get_status_display()}
        )
    opportunity = application.opportunity
    if application.status == Status.SUBMITTED:
        _require_accepting(opportunity, now)
    elif opportunity.get_status(now) in (Opportunity.Status.AWARDED, Opportunity.Status.CANCELLED):
        raise TransitionError(
            _("This opportunity is %(status)s; its applications can no longer be changed.")
            % {"status": opportunity.get_status_display()}
        )


# ---------------------------------------------------------------------------------------------
# The company's side


@transaction.atomic
def application_create(
    *,
    opportunity: Opportunity,
    company: Organisation,
    by: User,
    data: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """Start a draft for `company` (the lead company; `by` must be a member) while the
    opportunity is open. A company has at most one live (not withdrawn) application per
    opportunity: a second one raises TransitionError naming the existing one."""
    now = now or clock.now()
    if not company.is_company:
        raise ApplicationError(_("Only companies can apply."))
    if membership_role(user=by, organisation=company) is None:
        raise Forbidden(_("Only members of %(org)s can do this.") % {"org": company.name})
    _require_accepting(opportunity, now)
    draft = draft_clean(application_form_spec(opportunity), {}, data or {})
    try:
        with transaction.atomic():
            application = Application.objects.create(
                opportunity=opportunity,
                company=company,
                draft=draft,
                created_by=by,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        existing = (
            Application.objects.filter(opportunity=opportunity, company=company)
            .exclude(status=Status.WITHDRAWN)
            .values_list("pk", flat=True)
            .first()
        )
        raise TransitionError(
            _("%(org)s already has an application for this opportunity; continue that one.")
            % {"org": company.name},
            errors={"application": [str(existing)]},
        ) from None
    _log(
        application,
        EventType.CREATED,
        by=by,
        organisation=company,
        now=now,
        to_status=Status.DRAFT,
    )
    return application


@transaction.atomic
def application_update(
    *,
    application: Application,
    by: User,
    data: Mapping[str, Any],
    now: dt.datetime | None = None,
) -> Application:
    """Save changes to the working copy (see `application_content`). A submitted application
    can be changed until the deadline and must then be submitted again for the change to
    count; drafts and withdrawn applications are kept also after the deadline."""
    now = now or clock.now()
    _lock_application(application)
    _require_company_member(application=application, by=by)
    _editable(application, now)
    spec = application_form_spec(application.opportunity)
    application.draft = draft_clean(spec, application.draft, data)
    application.updated_at = now
    application.save(update_fields=["draft", "updated_at"])
    return application


def _slot_key(slot: str) -> str:
    kind, _sep, pk = slot.partition(":")
    return f"documents.{pk}" if kind == "document" else f"answers.{pk}"


@transaction.atomic
def application_file_add(
    *,
    application: Application,
    by: User,
    slot: str,
    upload,
    now: dt.datetime | None = None,
) -> ApplicationFile:
    """Upload the file for one slot (`document:<id>` or `question:<id>`), replacing the one
    there. The file is checked by content (type, size, no programs); the refusal names the
    field (`documents.<id>` or `answers.<id>`)."""
    now = now or clock.now()
    _lock_application(application)
    _require_company_member(application=application, by=by)
    _editable(application, now)
    spec = application_form_spec(application.opportunity)
    if slot not in spec.slots():
        raise ApplicationError(
            _("There is no such document or question to upload a file for."),
            errors={"slot": [_("Unknown slot: %(slot)s.") % {"slot": slot}]},
        )
    checked = file_check(upload, field=_slot_key(slot))
    row = ApplicationFile(
        application=application,
        slot=slot,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
        uploaded_at=now,
    )
    row.file.save(checked.name, upload, save=False)
    row.save()
    _replace_slot(application, slot, row.pk)
    application.updated_at = now
    application.save(update_fields=["draft", "updated_at"])
    return row


def _replace_slot(application: Application, slot: str, file_id: int | None) -> None:
    files = dict(application.draft.get("files") or {})
    old = files.pop(slot, None)
    if file_id is not None:
        files[slot] = file_id
    draft = dict(application.draft)
    if files:
        draft["files"] = files
    else:
        draft.pop("files", None)
    application.draft = draft
    if old is not None:
        stale = ApplicationFile.objects.filter(
            pk=old, application=application, is_locked=False
        ).first()
        if stale is not None:
            name = stale.file.name
            stale.delete()
            transaction.on_commit(lambda: stale.file.storage.delete(name))


@transaction.atomic
def application_file_remove(
    *, application: Application, by: User, slot: str, now: dt.datetime | None = None
) -> Application:
    """Take the file out of a slot of the working copy (submitted versions keep theirs)."""
    now = now or clock.now()
    _lock_application(application)
    _require_company_member(application=application, by=by)
    _editable(application, now)
    if slot not in (application.draft.get("files") or {}):
        raise NotFound()
    _replace_slot(application, slot, None)
    application.updated_at = now
    application.save(update_fields=["draft", "updated_at"])
    return application


@transaction.atomic
def application_delete(*, application: Application, by: User) -> None:
    """Delete a draft that was never submitted, with its files."""
    _lock_application(application)
    _require_company_member(application=application, by=by)
    if application.current_version_id is not None or application.status != Status.DRAFT:
        raise TransitionError(_("A submitted application cannot be deleted; withdraw it instead."))
    names = [f.file.name for f in application.files.all()]
    storage = ApplicationFile._meta.get_field("file").storage
    application.delete()
    transaction.on_commit(lambda: [storage.delete(n) for n in names])


def application_missing(
    *, application: Application, now: dt.datetime | None = None
) -> dict[str, list[str]]:
    """What still stops submission, per field, in plain words. Empty: ready to submit."""
    now = now or clock.now()
    opportunity = application.opportunity
    spec = application_form_spec(opportunity)
    booked = None
    if opportunity.kind == Kind.TEST_LOCATION:
        booked = location_booked_days(opportunity=opportunity, exclude_pk=application.pk)
    return draft_missing(
        spec,
        application.draft,
        company_kvk=application.company.kvk_number,
        today=local_date(now),
        booked=booked,
    )


def _render(application: Application, *, number: int, now: dt.datetime) -> dict[str, Any]:
    """The content of a version: self-describing, in the site's language."""
    opportunity = application.opportunity
    spec = application_form_spec(opportunity)
    ids = list((application.draft.get("files") or {}).values())
    rows = {f.pk: f for f in ApplicationFile.objects.filter(application=application, pk__in=ids)}
    files = {
        slot: {"id": pk, "name": rows[pk].name, "size": rows[pk].size, "sha256": rows[pk].sha256}
        for slot, pk in (application.draft.get("files") or {}).items()
        if pk in rows
    }
    company = application.company
    with translation.override(settings.LANGUAGE_CODE):
        items = content_items(spec, application.draft, files)
    data = {k: v for k, v in application.draft.items() if k != "files"}
    return {
        "format": 1,
        "application": application.pk,
        "version": number,
        "submitted_at": now.astimezone(dt.UTC).isoformat(),
        "opportunity": {"id": opportunity.pk, "kind": opportunity.kind, "title": opportunity.title},
        "company": {"id": company.pk, "name": company.name, "kvk_number": company.kvk_number},
        "partners": application.draft.get("partners") or [],
        "items": items,
        "data": data,
    }


@transaction.atomic
def application_submit(
    *, application: Application, by: User, now: dt.datetime | None = None
) -> ApplicationVersion:
    """Submit the working copy: before the deadline (else TransitionError, the draft kept) and
    complete (else ApplicationError naming what is missing). Makes an immutable version with
    a content hash, sends the receipt after commit. Resubmitting replaces the earlier version
    for the buyer; submitting an unchanged application again returns the current version."""
    now = now or clock.now()
    _lock_application(application)
    _require_company_member(application=application, by=by)
    if application.status not in EDITABLE:
        raise TransitionError(
            _("This application is being evaluated (%(status)s) and cannot be submitted again.")
            % {"status": application.get_status_display()}
        )
    opportunity = application.opportunity
    _require_accepting(opportunity, now)
    current = application.current_version
    if (
        application.status == Status.SUBMITTED
        and current is not None
        and current.draft == application.draft
    ):
        return current
    missing = application_missing(application=application, now=now)
    if missing:
        count = sum(len(v) for v in missing.values())
        raise ApplicationError(
            ngettext(
                "Your application is not complete yet: %(count)d thing to do.",
                "Your application is not complete yet: %(count)d things to do.",
                count,
            )
            % {"count": count},
            errors=missing,
        )
    number = application.versions.count() + 1
    content = _render(application, number=number, now=now)
    version = ApplicationVersion.objects.create(
        application=application,
        number=number,
        content=content,
        draft=application.draft,
        content_hash=content_hash(content),
        submitted_at=now,
        submitted_by=by,
    )
    ApplicationFile.objects.filter(
        application=application, pk__in=list((application.draft.get("files") or {}).values())
    ).update(is_locked=True)
    previous = application.status
    application.status = Status.SUBMITTED
    application.current_version = version
    application.submitted_at = now
    application.withdrawn_at = None
    application.updated_at = now
    try:
        with transaction.atomic():
            application.save(
                update_fields=[
                    "status",
                    "current_version",
                    "submitted_at",
                    "withdrawn_at",
                    "updated_at",
                ]
            )
    except IntegrityError:
        raise TransitionError(
            _(
                "%(org)s has another application for this opportunity. Withdraw or delete that "
                "one first."
            )
            % {"org": application.company.name}
        ) from None
    _log(
        application,
        EventType.SUBMITTED,
        by=by,
        organisation=application.company,
        now=now,
        from_status=previous,
        to_status=Status.SUBMITTED,
        payload={"version": number, "content_hash": version.content_hash},
    )
    application_notify(application=application, event="submitted", version=version)
    return version


@transaction.atomic
def application_withdraw(
    *, application: Application, by: User, reason: str = "", now: dt.datetime | None = None
) -> Application:
    """Withdraw a submitted application before the deadline. The buyer no longer receives it;
    the company may resubmit it (or start another) until the deadline."""
    now = now or clock.now()
    _lock_application(application)
    _require_company_member(application=application, by=by)
    if application.status != Status.SUBMITTED:
        raise TransitionError(
            _("Only a submitted application can be withdrawn; this one is %(status)s.")
            % {"status": application.get_status_display()}
        )
    _require_accepting(application.opportunity, now)
    application.status = Status.WITHDRAWN
    application.withdrawn_at = now
    application.updated_at = now
    application.save(update_fields=["status", "withdrawn_at", "updated_at"])
    _log(
        application,
        EventType.WITHDRAWN,
        by=by,
        organisation=application.company,
        now=now,
        from_status=Status.SUBMITTED,
        to_status=Status.WITHDRAWN,
        payload={"reason": (reason or "")[:500]},
    )
    application_notify(application=application, event="withdrawn")
    return application


# ---------------------------------------------------------------------------------------------
# The buyer's side


@transaction.atomic
def applications_open(
    *, opportunity: Opportunity, by: User, now: dt.datetime | None = None
) -> SealedBoxOpening:
    """Open the sealed box after the deadline: from now on the buyer's members can read what
    arrived. Logged once per deadline, on the opportunity and on every application; opening
    again returns the first opening."""
    now = now or clock.now()
    _lock_opportunity(opportunity)
    _require_buyer_member(opportunity=opportunity, by=by)
    box = application_box(opportunity=opportunity, now=now)
    if not box.is_sealed:
        raise TransitionError(_("This opportunity is not sealed; its applications can be read."))
    if not box.deadline_passed:
        raise TransitionError(
            _("The box can be opened only after the deadline, %(deadline)s (Amsterdam time).")
            % {"deadline": local_deadline(opportunity.closes_at)}
        )
    if box.opening is not None:
        return box.opening
    opening = SealedBoxOpening.objects.create(
        opportunity=opportunity,
        deadline=opportunity.closes_at,
        opened_by=by,
        opened_at=now,
        application_count=box.received,
    )
    for application in Application.objects.filter(
        opportunity=opportunity, status__in=Application.RECEIVED
    ).select_related("current_version"):
        _log(
            application,
            EventType.OPENED,
            by=by,
            organisation=opportunity.buyer,
            now=now,
            payload={"version": application.current_version.number},
        )
    return opening


def _require_evaluable(application: Application, by: User, now: dt.datetime) -> None:
    opportunity = application.opportunity
    _require_buyer_member(opportunity=opportunity, by=by)
    status = opportunity.get_status(now)
    if status in (Opportunity.Status.AWARDED, Opportunity.Status.CANCELLED):
        raise TransitionError(
            _("This opportunity is %(status)s; the evaluation is closed.")
            % {"status": opportunity.get_status_display()}
        )
    if not application_box(opportunity=opportunity, now=now).is_readable:
        raise TransitionError(_("The applications are sealed: open the box after the deadline."))
    if (
        opportunity.kind != Kind.TEST_LOCATION
        and opportunity.closes_at is not None
        and now < opportunity.closes_at
    ):
        raise TransitionError(
            _("You can evaluate after the deadline, %(deadline)s; until then it may still change.")
            % {"deadline": local_deadline(opportunity.closes_at)}
        )
    if application.status not in Application.RECEIVED:
        raise NotFound()


@transaction.atomic
def application_score(
    *,
    application: Application,
    by: User,
    scores: Mapping[Any, Mapping[str, Any]],
    now: dt.datetime | None = None,
) -> list[ApplicationScore]:
    """Record the evaluator's scores, 0 to 10 per award criterion: {criterion id: {"score",
    "note"}}. Scoring again replaces the evaluator's earlier score. Logged internally."""
    now = now or clock.now()
    _lock_application(application)
    _require_evaluable(application, by, now)
    criteria = {str(c.pk): c for c in application.opportunity.award_criteria.all()}
    errors: dict[str, list[str]] = {}
    cleaned: list[tuple[AwardCriterion, int, str]] = []
    for key, value in scores.items():
        criterion = criteria.get(str(key))
        if criterion is None:
            errors[f"scores.{key}"] = [_("There is no such award criterion.")]
            continue
        raw = value.get("score") if isinstance(value, Mapping) else value
        whole = (isinstance(raw, int) and not isinstance(raw, bool)) or (
            isinstance(raw, str) and raw.strip().isdigit()
        )
        if not whole or not 0 <= int(raw) <= 10:
            errors[f"scores.{key}"] = [_("Give a whole number from 0 to 10.")]
            continue
        note = str(value.get("note") or "")[:5000] if isinstance(value, Mapping) else ""
        cleaned.append((criterion, int(raw), note))
    if not cleaned and not errors:
        errors["scores"] = [_("Give at least one score.")]
    if errors:
        raise ApplicationError(_("Please correct the scores."), errors=errors)
    rows = []
    for criterion, score, note in cleaned:
        row, _created = ApplicationScore.objects.update_or_create(
            application=application,
            criterion=criterion,
            evaluator=by,
            defaults={"score": score, "note": note, "scored_at": now},
        )
        rows.append(row)
    _log(
        application,
        EventType.SCORED,
        by=by,
        organisation=application.opportunity.buyer,
        now=now,
        payload={"scores": {str(c.pk): s for c, s, _n in cleaned}},
        internal=True,
    )
    return rows


DECISIONS = {
    "shortlist": Status.SHORTLISTED,
    "reject": Status.REJECTED,
    "award": Status.AWARDED,
    "approve": Status.APPROVED,
    "decline": Status.DECLINED,
}
TEST_LOCATION_DECISIONS = {"approve", "decline"}


@transaction.atomic
def application_decide(
    *,
    application: Application,
    by: User,
    decision: str,
    feedback: str | None = None,
    lots: list[Lot] | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """Shortlist, reject or award (tenders, funding and co-creation calls, after the deadline),
    or approve or decline (test-location requests). A decision can change until the opportunity
    is awarded. Declining needs feedback; rejecting may get it later, but before the award.
    Awarding a tender with lots names the lots won (default: every lot priced). Approving books
    the requested dates (or `starts_on`/`ends_on`), which must still be free.
    The company is told, except of a rejection without feedback (told once feedback is written).
    """
    now = now or clock.now()
    opportunity = _lock_opportunity(application.opportunity)
    _lock_application(application)
    application.opportunity = opportunity
    _require_evaluable(application, by, now)
    if decision not in DECISIONS:
        raise ApplicationError(
            _("Unknown decision."), errors={"decision": [", ".join(sorted(DECISIONS))]}
        )
    is_test_location = opportunity.kind == Kind.TEST_LOCATION
    if (decision in TEST_LOCATION_DECISIONS) != is_test_location:
        raise ApplicationError(
            _(
                "Test-location requests are approved or declined; other applications are shortlisted, rejected or awarded."
            ),
            errors={"decision": [_("This decision does not fit this kind of opportunity.")]},
        )
    target = DECISIONS[decision]
    previous = application.status
    if previous == target:
        raise TransitionError(
            _("This application is already %(status)s.")
            % {"status": application.get_status_display()}
        )
    feedback = (feedback or "").strip() if feedback is not None else None
    if decision == "decline" and not (feedback or application.feedback):
        raise ApplicationError(
            _("Say why you decline, so the company can learn from it."),
            errors={"feedback": [_("Feedback is required when you decline.")]},
        )
    payload: dict[str, Any] = {}
    version_draft = application.current_version.draft if application.current_version else {}
    if target == Status.APPROVED:
        start = starts_on or _as_date(version_draft.get("starts_on"))
        end = ends_on or _as_date(version_draft.get("ends_on"))
        if start is None or end is None:
            raise ApplicationError(
                _("Give the dates you approve."),
                errors={"starts_on": [_("Give the first and the last day.")]},
            )
        spec = application_form_spec(opportunity)
        problem = dates_problem(
            spec,
            start,
            end,
            today=local_date(now),
            booked=location_booked_days(opportunity=opportunity, exclude_pk=application.pk),
        )
        if problem:
            raise ApplicationError(problem, errors={"starts_on": [problem]})
        application.booked_starts_on, application.booked_ends_on = start, end
        payload.update(starts_on=start.isoformat(), ends_on=end.isoformat())
    else:
        application.booked_starts_on = application.booked_ends_on = None
    awarded_lots: list[Lot] = []
    if target == Status.AWARDED and opportunity.kind == Kind.TENDER:
        priced = {
            int(k) for k, v in (version_draft.get("lot_prices") or {}).items() if v is not None
        }
        all_lots = {lot.pk: lot for lot in opportunity.lots.all()}
        if lots is None:
            awarded_lots = [all_lots[pk] for pk in sorted(priced) if pk in all_lots]
        else:
            wrong = [lot.number for lot in lots if lot.pk not in priced]
            if wrong:
                raise ApplicationError(
                    _("This company did not bid on lot %(lots)s.") % {"lots": ", ".join(wrong)},
                    errors={"lots": [_("Choose lots the company gave a price for.")]},
                )
            awarded_lots = list(lots)
        payload["lots"] = [lot.number for lot in awarded_lots]
    application.awarded_lots.set(awarded_lots)
    if feedback:
        application.feedback = feedback
        application.feedback_at = now
    application.status = target
    application.decided_at = now if target in Application.DECIDED else None
    application.updated_at = now
    application.save()
    payload["with_feedback"] = bool(application.feedback)
    _log(
        application,
        target,
        by=by,
        organisation=opportunity.buyer,
        now=now,
        from_status=previous,
        to_status=target,
        payload=payload,
    )
    if feedback:
        _log(application, EventType.FEEDBACK, by=by, organisation=opportunity.buyer, now=now)
    if not (target == Status.REJECTED and not application.feedback):
        application_notify(application=application, event=target)
    return application


def _as_date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@transaction.atomic
def application_feedback_set(
    *, application: Application, by: User, feedback: str, now: dt.datetime | None = None
) -> Application:
    """Write (or rewrite) the feedback for the applicant. The company is told and reads it
    with its status."""
    now = now or clock.now()
    _lock_application(application)
    _require_evaluable(application, by, now)
    feedback = (feedback or "").strip()
    if not feedback:
        raise ApplicationError(
            _("Write the feedback."), errors={"feedback": [_("This field is required.")]}
        )
    if len(feedback) > 20000:
        raise ApplicationError(
            _("Keep the feedback shorter."), errors={"feedback": [_("At most 20,000 characters.")]}
        )
    application.feedback = feedback
    application.feedback_at = now
    application.updated_at = now
    application.save(update_fields=["feedback", "feedback_at", "updated_at"])
    _log(
        application,
        EventType.FEEDBACK,
        by=by,
        organisation=application.opportunity.buyer,
        now=now,
        from_status=application.status,
        to_status=application.status,
    )
    application_notify(application=application, event="feedback")
    return application


def application_award_precondition(*, opportunity: Opportunity, now: dt.datetime) -> None:
    """Registered in `opportunities.AWARD_PRECONDITIONS`: an opportunity can be awarded only
    when every received application has a decision and every rejected applicant has written
    feedback. Raises TransitionError (409) naming the companies concerned."""
    received = Application.objects.filter(
        opportunity=opportunity, status__in=Application.RECEIVED
    ).select_related("company")
    undecided = [a.company.name for a in received if a.status not in Application.DECIDED]
    without = [
        a.company.name
        for a in received
        if a.status in (Status.REJECTED, Status.DECLINED) and not a.feedback.strip()
    ]
    errors = {}
    if undecided:
        errors["undecided"] = [
            _("Decide on the application of %(org)s") % {"org": name} for name in undecided
        ]
    if without:
        errors["feedback"] = [_("Write feedback for %(org)s") % {"org": name} for name in without]
    if errors:
        raise TransitionError(
            _(
                "Before the award, every applicant needs a decision and every rejected applicant "
                "written feedback."
            ),
            errors=errors,
        )


def _value_of(application: Application, lot: Lot | None) -> Decimal | None:
    draft = application.current_version.draft if application.current_version else {}
    raw = None
    if lot is not None:
        raw = (draft.get("lot_prices") or {}).get(str(lot.pk))
    else:
        raw = draft.get("price") or draft.get("requested_amount")
    return Decimal(raw) if raw is not None else None


def applications_award_publish(
    *, opportunity: Opportunity, by: User, note: str = "", now: dt.datetime | None = None
) -> Opportunity:
    """Publish the award on the opportunity from the decisions: every successful application
    wins (per lot it won, at its price), or 'not awarded' when none did. Runs the award
    preconditions (decisions and feedback for everyone)."""
    from tenders.services.opportunities import opportunity_award

    now = now or clock.now()
    _require_buyer_member(opportunity=opportunity, by=by)
    winners = []
    awarded = (
        Application.objects.filter(opportunity=opportunity, status=Status.AWARDED)
        .select_related("company", "current_version")
        .prefetch_related("awarded_lots")
    )
    for application in awarded:
        lots = list(application.awarded_lots.all()) or [None]
        for lot in lots:
            winners.append(
                {"company": application.company, "lot": lot, "value": _value_of(application, lot)}
            )
    return opportunity_award(
        opportunity=opportunity,
        by=by,
        winners=winners,
        not_awarded=not winners,
        note=note,
        now=now,
    )


# ---------------------------------------------------------------------------------------------
# Notifications


def application_notify(
    *, application: Application, event: str, version: ApplicationVersion | None = None
) -> None:
    """Tell the members of the applying company about `event` (submitted: the receipt;
    withdrawn; shortlisted, rejected, awarded, approved, declined; feedback). Each message goes
    into the alerts outbox, rendered in the member's language, and is delivered after commit,
    once per event and version."""
    from suppliers.models_alerts import Alert
    from suppliers.outbox import notice_add
    from suppliers.tasks import alerts_enqueue

    recipients = list(
        User.objects.filter(
            memberships__organisation_id=application.company_id, is_active=True
        ).distinct()
    )
    template = "application_receipt" if event == "submitted" else "application_status"
    context = {
        "application": application,
        "opportunity": application.opportunity,
        "company": application.company,
        "event": event,
        "version": version,
        "path": application.get_absolute_url(),
    }
    stamp = version.number if version is not None else int(clock.now().timestamp())
    ids = []
    for user in recipients:
        alert = notice_add(
            user=user,
            opportunity=application.opportunity,
            reason=Alert.Reason.NOTICE,
            reason_key=f"application:{application.pk}:{event}:{stamp}",
            template=template,
            context=context,
        )
        if alert is not None:
            ids.append(alert.pk)
    alerts_enqueue(ids)


# ---------------------------------------------------------------------------------------------
# The buyer's own questions


QUESTION_FIELDS = ("text", "help_text", "type", "choices", "is_required", "word_limit", "position")


def _questions_editable(opportunity: Opportunity, by: User, now: dt.datetime) -> None:
    _require_buyer_member(opportunity=opportunity, by=by)
    status = opportunity.get_status(now)
    received = Application.objects.filter(
        opportunity=opportunity, status__in=Application.RECEIVED
    ).exists()
    if status not in (Opportunity.Status.DRAFT, Opportunity.Status.PUBLISHED) or received:
        raise TransitionError(
            _(
                "The questions can no longer change: applications have arrived or the "
                "opportunity is closed."
            )
        )


def _question_apply(question: ApplicationQuestion, data: Mapping[str, Any]) -> None:
    unknown = sorted(set(data) - set(QUESTION_FIELDS))
    if unknown:
        raise ApplicationError(
            _("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)},
            errors={f: [_("This field does not exist.")] for f in unknown},
        )
    for key, value in data.items():
        setattr(question, key, value)
    errors: dict[str, list[str]] = {}
    question.text = (question.text or "").strip()
    if not question.text:
        errors["text"] = [_("Write the question.")]
    if question.type not in ApplicationQuestion.Type.values:
        errors["type"] = [_("Choose text, number, yes_no, choice or file.")]
    choices = question.choices or []
    if not isinstance(choices, list):
        errors["choices"] = [_("Give a list of options.")]
        choices = []
    choices = [str(c).strip() for c in choices if str(c).strip()]
    question.choices = list(dict.fromkeys(choices))
    if question.type == ApplicationQuestion.Type.CHOICE and len(question.choices) < 2:
        errors["choices"] = [_("Give at least two options.")]
    if question.type != ApplicationQuestion.Type.CHOICE:
        question.choices = []
    if question.word_limit is not None and question.type != ApplicationQuestion.Type.TEXT:
        errors["word_limit"] = [_("Only text answers have a word limit.")]
    from django.core.exceptions import ValidationError

    try:
        question.full_clean(exclude=["opportunity"])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ApplicationError(_("Please correct the errors below."), errors=errors)


@transaction.atomic
def application_question_create(
    *, opportunity: Opportunity, by: User, data: Mapping[str, Any], now: dt.datetime | None = None
) -> ApplicationQuestion:
    """Add a question to the application form (members of the buyer), until applications
    arrive. `type`: text, number, yes_no, choice (with `choices`) or file."""
    now = now or clock.now()
    _questions_editable(opportunity, by, now)
    data = dict(data)
    if "position" not in data:
        data["position"] = opportunity.application_questions.count()
    question = ApplicationQuestion(opportunity=opportunity, created_at=now)
    _question_apply(question, data)
    question.save()
    return question


@transaction.atomic
def application_question_update(
    *, question: ApplicationQuestion, by: User, data: Mapping[str, Any], now=None
) -> ApplicationQuestion:
    now = now or clock.now()
    _questions_editable(question.opportunity, by, now)
    _question_apply(question, data)
    question.save()
    return question


@transaction.atomic
def application_question_delete(*, question: ApplicationQuestion, by: User, now=None) -> None:
    now = now or clock.now()
    _questions_editable(question.opportunity, by, now)
    question.delete()


__all__ = [
    "DECISIONS",
    "application_award_precondition",
    "application_create",
    "application_decide",
    "application_delete",
    "application_feedback_set",
    "application_file_add",
    "application_file_remove",
    "application_missing",
    "application_notify",
    "application_question_create",
    "application_question_delete",
    "application_question_update",
    "application_score",
    "application_submit",
    "application_update",
    "application_withdraw",
    "applications_award_publish",
    "applications_open",
    "local_deadline",
]
