"""Evaluating: scores per criterion, shortlist, reject or award with written feedback for every
rejected applicant before the award, notifications, the award on the opportunity; and
test-location requests approved or declined with dates that are then no longer offered."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from marketplace.core.errors import ApplicationError, TransitionError
from tenders.models import Application, Award
from tenders.selectors_applications import (
    application_form_spec,
    application_score_summary,
    location_booked_days,
    location_free_periods,
)
from tenders.services import applications as services
from tenders.services.opportunities import opportunity_award
from tests.tenders.application_setup import (
    AFTER,
    NOW,
    co_creation,
    co_creation_answers,
    location,
    location_answers,
    people,
    submitted_tender,
    tender,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    return people()


@pytest.fixture
def bids(p):
    """Two submitted bids on one sealed tender, the box opened after the deadline."""
    opportunity = tender(p.buyer)
    with time_machine.travel(NOW, tick=False):
        ours = submitted_tender(p, opportunity=opportunity)
        theirs = submitted_tender(p, opportunity=opportunity, company=p.other_company, by=p.charlie)
    with time_machine.travel(AFTER, tick=False):
        services.applications_open(opportunity=opportunity, by=p.buyer_admin)
    return ours, theirs


@pytest.fixture
def after():
    with time_machine.travel(AFTER, tick=False):
        yield


def subjects(user):
    return [m.subject for m in mail.outbox if m.to == [user.email]]


def test_scores_per_criterion_give_a_weighted_total(p, bids, after):
    ours, _theirs = bids
    quality = ours.opportunity.award_criteria.get(type="quality")
    price = ours.opportunity.award_criteria.get(type="price")
    services.application_score(
        application=ours, by=p.evaluator, scores={quality.pk: {"score": 8, "note": "Clear"}}
    )
    services.application_score(
        application=ours, by=p.buyer_admin, scores={str(quality.pk): {"score": 6}}
    )
    criteria = list(ours.opportunity.award_criteria.all())
    rows, total = application_score_summary(application=ours, criteria=criteria, user=p.evaluator)
    assert rows[0].mean == 7 and rows[0].count == 2 and rows[0].mine.score == 8
    assert total is None  # price not scored yet
    services.application_score(application=ours, by=p.evaluator, scores={price.pk: {"score": 5}})
    # Scoring again replaces the evaluator's own score.
    services.application_score(application=ours, by=p.evaluator, scores={price.pk: {"score": 10}})
    _rows, total = application_score_summary(application=ours, criteria=criteria)
    assert total == pytest.approx(7 / 10 * 60 + 10 / 10 * 40)
    assert ours.events.filter(type="scored", is_internal=True).count() == 4


@pytest.mark.parametrize("bad", [11, -1, "eight", True, None, 7.5, "7.5", [7]])
def test_scores_must_be_whole_numbers_from_0_to_10(p, bids, after, bad):
    ours, _theirs = bids
    quality = ours.opportunity.award_criteria.get(type="quality")
    with pytest.raises(ApplicationError) as exc:
        services.application_score(
            application=ours, by=p.evaluator, scores={quality.pk: {"score": bad}}
        )
    assert f"scores.{quality.pk}" in exc.value.errors


def test_scores_are_internal_the_company_does_not_see_them(p, bids, after, api):
    ours, _theirs = bids
    quality = ours.opportunity.award_criteria.get(type="quality")
    services.application_score(application=ours, by=p.evaluator, scores={quality.pk: {"score": 2}})
    api.force_authenticate(p.alice)
    events = api.get(reverse("api-application-events", args=[ours.pk])).json()
    assert "scored" not in [e["type"] for e in events]
    assert "score" not in str(api.get(reverse("api-application-detail", args=[ours.pk])).json())


def test_no_evaluation_before_the_deadline_even_when_not_sealed(p):
    opportunity = co_creation(p.buyer)
    with time_machine.travel(NOW, tick=False):
        application = services.application_create(
            opportunity=opportunity, company=p.company, by=p.alice, data=co_creation_answers()
        )
        services.application_submit(application=application, by=p.alice)
        with pytest.raises(TransitionError) as exc:
            services.application_decide(application=application, by=p.evaluator, decision="reject")
    assert "after the deadline" in exc.value.message


def test_award_needs_written_feedback_for_every_rejected_applicant(
    p, bids, after, django_capture_on_commit_callbacks
):
    ours, theirs = bids
    opportunity = ours.opportunity
    with django_capture_on_commit_callbacks(execute=True):
        services.application_decide(application=ours, by=p.evaluator, decision="shortlist")
        # Undecided applications block the award.
        with pytest.raises(TransitionError) as exc:
            services.applications_award_publish(opportunity=opportunity, by=p.evaluator)
        assert exc.value.errors["undecided"] == [
            "Decide on the application of Stadsdata Lab B.V.",
            "Decide on the application of Concurrent B.V.",
        ]
        services.application_decide(application=ours, by=p.evaluator, decision="award")
        services.application_decide(application=theirs, by=p.evaluator, decision="reject")
        # A rejection without feedback blocks the award, also through the opportunity service.
        with pytest.raises(TransitionError) as exc:
            opportunity_award(
                opportunity=opportunity, by=p.evaluator, winners=[{"company": p.company}]
            )
        assert exc.value.errors == {"feedback": ["Write feedback for Concurrent B.V."]}
        assert exc.value.status_code == 409
        assert subjects(p.charlie) == []  # not told "no" without a reason
        services.application_feedback_set(
            application=theirs, by=p.evaluator, feedback="Your plan lacked a timeline."
        )
        services.applications_award_publish(opportunity=opportunity, by=p.buyer_admin)
    opportunity.refresh_from_db()
    assert opportunity.status == "awarded"
    award = Award.objects.get(opportunity=opportunity)
    assert (award.company, award.lot.number, award.value) == (p.company, "1", 125000)
    assert subjects(p.alice)[-2:] == [
        f"You are on the shortlist for {opportunity.title}",
        f"Good news: your application for {opportunity.title} was successful",
    ]
    feedback_mail = [m for m in mail.outbox if m.to == [p.charlie.email]][-1]
    assert feedback_mail.subject == f"Feedback on your application for {opportunity.title}"
    assert "Your plan lacked a timeline." in feedback_mail.body
    assert "Status: not successful" in feedback_mail.body
    # After the award the evaluation is closed.
    with pytest.raises(TransitionError):
        services.application_feedback_set(application=theirs, by=p.evaluator, feedback="More.")


def test_rejecting_with_feedback_tells_the_company_at_once(
    p, bids, after, django_capture_on_commit_callbacks, api
):
    _ours, theirs = bids
    with django_capture_on_commit_callbacks(execute=True):
        services.application_decide(
            application=theirs, by=p.evaluator, decision="reject", feedback="Too expensive."
        )
    assert (
        subjects(p.charlie)[-1] == f"The outcome of your application for {theirs.opportunity.title}"
    )
    api.force_authenticate(p.charlie)
    detail = api.get(reverse("api-application-detail", args=[theirs.pk])).json()
    assert detail["status"] == "rejected"
    assert detail["feedback"] == "Too expensive."
    events = [
        e["type"] for e in api.get(reverse("api-application-events", args=[theirs.pk])).json()
    ]
    assert events[-2:] == ["rejected", "feedback"]


def test_not_awarded_when_nobody_is_successful(p, bids, after):
    ours, theirs = bids
    for application in (ours, theirs):
        services.application_decide(
            application=application, by=p.evaluator, decision="reject", feedback="Not this time."
        )
    services.applications_award_publish(
        opportunity=ours.opportunity, by=p.evaluator, note="None fit."
    )
    award = Award.objects.get()
    assert not award.is_awarded
    assert award.note == "None fit."


def test_award_only_lots_the_company_bid_on(p, bids, after):
    ours, _theirs = bids
    lot2 = ours.opportunity.lots.get(number="2")
    with pytest.raises(ApplicationError) as exc:
        services.application_decide(application=ours, by=p.evaluator, decision="award", lots=[lot2])
    assert "did not bid on lot 2" in exc.value.message


def test_decisions_that_do_not_fit_the_kind_are_refused(p, bids, after):
    ours, _theirs = bids
    with pytest.raises(ApplicationError):
        services.application_decide(application=ours, by=p.evaluator, decision="approve")
    with pytest.raises(ApplicationError):
        services.application_decide(application=ours, by=p.evaluator, decision="nonsense")


def test_the_award_api_answers_409_until_feedback_is_written(p, bids, after, api):
    ours, theirs = bids
    services.application_decide(application=ours, by=p.evaluator, decision="award")
    services.application_decide(application=theirs, by=p.evaluator, decision="reject")
    api.force_authenticate(p.evaluator)
    o = ours.opportunity.pk
    response = api.post(reverse("api-opportunity-applications-award", args=[o]))
    assert response.status_code == 409
    assert response.json()["errors"] == {"feedback": ["Write feedback for Concurrent B.V."]}
    # The opportunities API's own award action runs the same check.
    response = api.post(reverse("api-opportunity-award", args=[o]), {"not_awarded": True})
    assert response.status_code == 409
    response = api.post(
        reverse("api-opportunity-application-feedback", args=[o, theirs.pk]),
        {"feedback": "Good, but the price was higher."},
    )
    assert response.status_code == 200
    assert response.json()["feedback"] == "Good, but the price was higher."
    response = api.post(reverse("api-opportunity-applications-award", args=[o]))
    assert response.status_code == 200
    assert response.json()["status"] == "awarded"
    assert response.json()["awards"][0]["company"] == "Stadsdata Lab B.V."


# --- Test locations -------------------------------------------------------------------------


def request_dates(p, opportunity, company, by, starts_on, ends_on):
    application = services.application_create(
        opportunity=opportunity, company=company, by=by, data=location_answers(starts_on, ends_on)
    )
    services.application_submit(application=application, by=by)
    return application


def test_approved_dates_are_no_longer_offered(p, django_capture_on_commit_callbacks):
    opportunity = location(p.buyer)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        ours = request_dates(p, opportunity, p.company, p.alice, "2026-05-04", "2026-05-08")
        theirs = request_dates(
            p, opportunity, p.other_company, p.charlie, "2026-05-06", "2026-05-10"
        )
        # No deadline: test-location requests are decided any time.
        services.application_decide(application=ours, by=p.evaluator, decision="approve")
        spec = application_form_spec(opportunity)
        periods = location_free_periods(
            spec=spec, booked=location_booked_days(opportunity=opportunity), today=NOW.date()
        )
        assert periods == [
            (dt.date(2026, 5, 1), dt.date(2026, 5, 3)),
            (dt.date(2026, 5, 9), dt.date(2026, 5, 31)),
        ]
        with pytest.raises(ApplicationError) as exc:
            services.application_decide(application=theirs, by=p.evaluator, decision="approve")
        assert (
            "Already booked by others on: 2026-05-06, 2026-05-07, 2026-05-08" in exc.value.message
        )
        # The buyer can approve other dates instead.
        services.application_decide(
            application=theirs,
            by=p.evaluator,
            decision="approve",
            starts_on=dt.date(2026, 5, 9),
            ends_on=dt.date(2026, 5, 12),
        )
    theirs.refresh_from_db()
    assert (theirs.booked_starts_on, theirs.booked_ends_on) == (
        dt.date(2026, 5, 9),
        dt.date(2026, 5, 12),
    )
    assert subjects(p.charlie)[-1] == f"Your request to test at {opportunity.title} was approved"
    assert "9 May 2026" in [m for m in mail.outbox if m.to == [p.charlie.email]][-1].body
    # A new request for booked dates is not complete.
    with time_machine.travel(NOW, tick=False):
        third_company = p.other_company.__class__.objects.create(
            kind="company", name="Derde B.V.", slug="derde", kvk_number="55555555"
        )
        from tests.factories import member_of

        dora = member_of(third_company)
        application = services.application_create(
            opportunity=opportunity,
            company=third_company,
            by=dora,
            data=location_answers("2026-05-05", "2026-05-05"),
        )
        assert (
            "Already booked"
            in services.application_missing(application=application)["starts_on"][0]
        )


def test_capacity_allows_parallel_bookings(p):
    opportunity = location(p.buyer, capacity=2)
    with time_machine.travel(NOW, tick=False):
        ours = request_dates(p, opportunity, p.company, p.alice, "2026-05-04", "2026-05-08")
        theirs = request_dates(
            p, opportunity, p.other_company, p.charlie, "2026-05-04", "2026-05-08"
        )
        services.application_decide(application=ours, by=p.evaluator, decision="approve")
        services.application_decide(application=theirs, by=p.evaluator, decision="approve")
        booked = location_booked_days(opportunity=opportunity)
    assert booked[dt.date(2026, 5, 4)] == 2


def test_declining_needs_feedback_and_frees_the_dates(p, api):
    opportunity = location(p.buyer)
    with time_machine.travel(NOW, tick=False):
        ours = request_dates(p, opportunity, p.company, p.alice, "2026-05-04", "2026-05-08")
        services.application_decide(application=ours, by=p.evaluator, decision="approve")
        api.force_authenticate(p.evaluator)
        url = reverse("api-opportunity-application-decline", args=[opportunity.pk, ours.pk])
        response = api.post(url, {})
        assert response.status_code == 400
        assert "feedback" in response.json()["errors"]
        response = api.post(url, {"feedback": "The site is closed for works."})
        assert response.status_code == 200
        assert response.json()["status"] == "declined"
        assert response.json()["booked_starts_on"] is None
        assert location_booked_days(opportunity=opportunity) == {}


def test_approve_via_api_with_dates(p, api):
    opportunity = location(p.buyer)
    with time_machine.travel(NOW, tick=False):
        ours = request_dates(p, opportunity, p.company, p.alice, "2026-05-04", "2026-05-08")
        api.force_authenticate(p.evaluator)
        response = api.post(
            reverse("api-opportunity-application-approve", args=[opportunity.pk, ours.pk]),
            {"starts_on": "2026-06-01", "ends_on": "2026-06-02"},
        )
    assert response.status_code == 400
    assert "not inside one of the periods" in response.json()["detail"]
    assert Application.objects.get(pk=ours.pk).status == "submitted"
