"""Questions and answers.

Suppliers (members of a company) ask while the opportunity is open and before its question
deadline (or, without one, its deadline). The buyer answers publicly; the answer never says who
asked. Each published answer writes an `answer_published` event for followers.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from marketplace.core import clock
from marketplace.core.errors import ApplicationError, Forbidden, TransitionError
from marketplace.core.models import Organisation, User
from marketplace.core.selectors import organisation_list_for_user
from tenders import hooks
from tenders.models import Opportunity, OpportunityEvent, Question
from tenders.services.opportunities import _lock, _require_member

Status = Opportunity.Status
MAX_QUESTION_LENGTH = 3000
MAX_ANSWER_LENGTH = 10000


def question_deadline(opportunity: Opportunity) -> dt.datetime | None:
    """Until when questions are accepted: the question deadline, else the deadline."""
    return opportunity.question_deadline or opportunity.closes_at


def questions_are_open(opportunity: Opportunity, *, now: dt.datetime | None = None) -> bool:
    now = now or clock.now()
    deadline = question_deadline(opportunity)
    return opportunity.is_open(now) and (deadline is None or now < deadline)


def _text(value: str, *, field: str, limit: int, empty: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(empty, errors={field: [_("This field is required.")]})
    if len(value) > limit:
        message = _("Keep it under %(n)d characters.") % {"n": limit}
        raise ApplicationError(message, errors={field: [message]})
    return value


@transaction.atomic
def question_ask(
    *,
    opportunity: Opportunity,
    by: User,
    text: str,
    company: Organisation | None = None,
    now: dt.datetime | None = None,
) -> Question:
    """Ask a question as a member of a company. `company` is the asker's company (the first one
    they belong to when not given). Raises Forbidden for people who are not in a company or who
    belong to the buyer itself, TransitionError when questions are closed."""
    now = now or clock.now()
    text = _text(text, field="text", limit=MAX_QUESTION_LENGTH, empty=_("Write your question."))
    companies = organisation_list_for_user(user=by, kind=Organisation.Kind.COMPANY)
    if company is None:
        company = companies.first()
    elif not companies.filter(pk=company.pk).exists():
        company = None
    if company is None:
        raise Forbidden(_("Only companies can ask questions. Add your company first."))
    _lock(opportunity)
    if organisation_list_for_user(user=by).filter(pk=opportunity.buyer_id).exists():
        raise Forbidden(_("You cannot ask questions about your own organisation's opportunity."))
    if not opportunity.is_open(now):
        raise TransitionError(
            _("Questions can only be asked while the opportunity is open; it is %(status)s.")
            % {"status": opportunity.get_status_display()}
        )
    deadline = question_deadline(opportunity)
    if deadline is not None and now >= deadline:
        raise TransitionError(_("The deadline for questions has passed."))
    return Question.objects.create(
        opportunity=opportunity, text=text, asked_by=by, asked_by_company=company, asked_at=now
    )


@transaction.atomic
def question_answer(
    *,
    question: Question,
    by: User | None,
    answer: str,
    public_text: str = "",
    now: dt.datetime | None = None,
) -> Question:
    """Answer a question publicly (members of the buyer). `public_text` rephrases the question
    as it will be published, e.g. to leave out a company name. Answering again corrects the
    answer; followers hear of each published answer. Refused once the opportunity is awarded or
    cancelled."""
    now = now or clock.now()
    answer = _text(answer, field="answer", limit=MAX_ANSWER_LENGTH, empty=_("Write the answer."))
    opportunity = question.opportunity
    _lock(opportunity)
    if by is not None:
        _require_member(buyer=opportunity.buyer, by=by)
    status = opportunity.get_status(now)
    if status not in (Status.PUBLISHED, Status.CLOSED):
        raise TransitionError(
            _(
                "Questions can be answered while the opportunity is open or closed; it is %(status)s."
            )
            % {"status": opportunity.get_status_display()}
        )
    corrected = question.is_answered
    question.answer = answer
    question.public_text = (public_text or "").strip()[:MAX_QUESTION_LENGTH]
    question.answered_by = by
    question.answered_at = now
    question.save(update_fields=["answer", "public_text", "answered_by", "answered_at"])
    OpportunityEvent.objects.create(
        opportunity=opportunity,
        type=OpportunityEvent.Type.ANSWER_PUBLISHED,
        created_at=now,
        payload={"question": question.pk, "corrected": corrected},
    )
    hooks.opportunity_changed(opportunity.pk, OpportunityEvent.Type.ANSWER_PUBLISHED)
    return question
