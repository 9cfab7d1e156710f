"""Applying: drafts, submitting (versions, content hash, receipts), the deadline to the second
in Amsterdam time (also on daylight-saving weekends), one live application per company,
withdrawing and resubmitting, consortia, and the emails applicants get."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from marketplace.core.errors import ApplicationError, Forbidden, TransitionError
from tenders.models import Application, ApplicationEvent, ApplicationFile
from tenders.services import application_content as content
from tenders.services import applications as services
from tests.tenders.application_setup import (
    DEADLINE,
    NOW,
    co_creation,
    co_creation_answers,
    people,
    submitted_tender,
    tender,
    tender_answers,
)

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def p():
    return people()


def complete_co_creation(p, opportunity, company=None, by=None):
    return services.application_create(
        opportunity=opportunity,
        company=company or p.company,
        by=by or p.alice,
        data=co_creation_answers(),
    )


def test_submitting_makes_an_immutable_version_with_a_content_hash(p):
    with time_machine.travel(NOW, tick=False):
        application = submitted_tender(p)
    version = application.current_version
    assert application.status == "submitted"
    assert version.number == 1
    assert version.submitted_at == NOW
    assert version.content_hash == content.content_hash(version.content)
    assert len(version.content_hash) == 64
    assert version.content["company"]["name"] == "Stadsdata Lab B.V."
    labels = [item["label"] for item in version.content["items"]]
    assert labels[0] == "Plan van aanpak (60%)"
    document = next(i for i in version.content["items"] if i.get("file"))
    assert document["file"]["sha256"] == ApplicationFile.objects.get().sha256
    assert ApplicationFile.objects.get().is_locked
    # Changing the working copy afterwards does not touch the submitted version.
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        quality = application.opportunity.award_criteria.get(type="quality")
        services.application_update(
            application=application, by=p.bob, data={"criteria": {str(quality.pk): "Changed."}}
        )
    version.refresh_from_db()
    application.refresh_from_db()
    assert version.content_hash == content.content_hash(version.content)
    assert "Changed." not in str(version.content)
    assert application.has_unsubmitted_changes


def test_receipt_email_goes_to_the_company_after_commit(p, django_capture_on_commit_callbacks):
    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        application = submitted_tender(p)
    receipts = [m for m in mail.outbox if m.subject.startswith("Receipt")]
    assert sorted(m.to[0] for m in receipts) == [p.alice.email, p.bob.email]
    body = receipts[0].body
    assert application.current_version.content_hash in body
    assert "2 March 2026, 11:00:00 CET" in body  # NOW in Amsterdam time
    assert "1 April 2026, 12:00:00 CEST" in body  # the deadline
    assert f"/applications/{application.pk}/" in body
    html = receipts[0].alternatives[0][0]
    assert application.current_version.content_hash in html


def test_nothing_is_sent_when_the_transaction_rolls_back(p, django_capture_on_commit_callbacks):
    opportunity = tender(p.buyer)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        application = services.application_create(
            opportunity=opportunity, company=p.company, by=p.alice, data=tender_answers(opportunity)
        )
        with pytest.raises(ApplicationError):  # the UEA is missing
            services.application_submit(application=application, by=p.alice)
    assert mail.outbox == []
    assert not application.versions.exists()


def test_receipt_page_text_and_json_prove_the_hash(p, client):
    with time_machine.travel(NOW, tick=False):
        application = submitted_tender(p)
    version = application.current_version
    client.force_login(p.bob)
    page = client.get(reverse("application-receipt", args=[application.pk, 1]))
    assert page.status_code == 200
    assert version.content_hash in page.content.decode()
    assert "The stored content still has exactly this hash." in page.content.decode()
    text = client.get(reverse("application-receipt-text", args=[application.pk, 1]))
    assert text["Content-Type"].startswith("text/plain")
    assert "attachment" in text["Content-Disposition"]
    assert version.content_hash in text.content.decode()
    raw = client.get(reverse("application-version-json", args=[application.pk, 1]))
    import hashlib

    assert (
        hashlib.sha256(
            b"".join(raw.streaming_content if raw.streaming else [raw.content])
        ).hexdigest()
        == version.content_hash
    )


def test_resubmitting_makes_a_new_version_and_an_unchanged_one_is_not_duplicated(p):
    with time_machine.travel(NOW, tick=False):
        application = submitted_tender(p)
        first = application.current_version
        assert services.application_submit(application=application, by=p.alice) == first
        quality = application.opportunity.award_criteria.get(type="quality")
        services.application_update(
            application=application, by=p.alice, data={"criteria": {str(quality.pk): "Better now."}}
        )
        second = services.application_submit(application=application, by=p.alice)
    assert second.number == 2
    assert second.content_hash != first.content_hash
    application.refresh_from_db()
    assert application.current_version == second
    assert not application.has_unsubmitted_changes
    types = list(application.events.values_list("type", flat=True))
    assert types == ["created", "submitted", "submitted"]


# --- The deadline, to the second ------------------------------------------------------------


def submit_at(p, opportunity, moment):
    with time_machine.travel(moment - dt.timedelta(days=2), tick=False):
        application = complete_co_creation(p, opportunity)
    with time_machine.travel(moment, tick=False):
        try:
            services.application_submit(application=application, by=p.alice)
        except TransitionError as exc:
            application.refresh_from_db()
            return application, exc
    application.refresh_from_db()
    return application, None


def test_one_second_before_the_deadline_is_in_time(p):
    application, error = submit_at(p, co_creation(p.buyer), DEADLINE - SECOND)
    assert error is None
    assert application.status == "submitted"


def test_at_the_deadline_it_is_too_late_and_the_draft_is_kept(p):
    application, error = submit_at(p, co_creation(p.buyer), DEADLINE)
    assert error is not None
    assert error.status_code == 409
    assert error.message.startswith("Too late: the deadline was 1 April 2026, 12:00:00 CEST")
    assert "Your draft has been kept." in error.message
    assert application.status == "draft"
    assert application.draft == co_creation_answers()
    assert not application.versions.exists()


def test_half_a_second_late_is_late(p):
    _application, error = submit_at(
        p, co_creation(p.buyer), DEADLINE + dt.timedelta(microseconds=500_000)
    )
    assert error is not None


@pytest.mark.parametrize(
    ("local_deadline", "in_time_utc", "late_utc", "shown"),
    [
        # Last Sunday of March 2026: at 02:00 the clocks go forward to 03:00 (CET -> CEST).
        (
            dt.datetime(2026, 3, 29, 12, 0, tzinfo=AMSTERDAM),
            dt.datetime(2026, 3, 29, 9, 59, 59, tzinfo=dt.UTC),
            dt.datetime(2026, 3, 29, 10, 0, 0, tzinfo=dt.UTC),
            "29 March 2026, 12:00:00 CEST",
        ),
        (
            dt.datetime(2026, 3, 29, 3, 30, tzinfo=AMSTERDAM),  # 90 minutes after 00:00 local
            dt.datetime(2026, 3, 29, 1, 29, 59, tzinfo=dt.UTC),
            dt.datetime(2026, 3, 29, 1, 30, 0, tzinfo=dt.UTC),
            "29 March 2026, 03:30:00 CEST",
        ),
        # Last Sunday of October 2026: at 03:00 the clocks go back to 02:00 (CEST -> CET).
        (
            dt.datetime(2026, 10, 25, 12, 0, tzinfo=AMSTERDAM),
            dt.datetime(2026, 10, 25, 10, 59, 59, tzinfo=dt.UTC),
            dt.datetime(2026, 10, 25, 11, 0, 0, tzinfo=dt.UTC),
            "25 October 2026, 12:00:00 CET",
        ),
        # 02:30 happens twice that night; the second time (fold=1, CET) is an hour later.
        (
            dt.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=AMSTERDAM),
            dt.datetime(2026, 10, 25, 1, 29, 59, tzinfo=dt.UTC),
            dt.datetime(2026, 10, 25, 1, 30, 0, tzinfo=dt.UTC),
            "25 October 2026, 02:30:00 CET",
        ),
        (
            dt.datetime(2026, 10, 25, 2, 30, fold=0, tzinfo=AMSTERDAM),
            dt.datetime(2026, 10, 25, 0, 29, 59, tzinfo=dt.UTC),
            dt.datetime(2026, 10, 25, 0, 30, 0, tzinfo=dt.UTC),
            "25 October 2026, 02:30:00 CEST",
        ),
    ],
)
def test_deadline_on_a_daylight_saving_weekend(p, local_deadline, in_time_utc, late_utc, shown):
    opportunity = co_creation(p.buyer, closes_at=local_deadline)
    on_time, error = submit_at(p, opportunity, in_time_utc)
    assert error is None, error.message
    assert on_time.current_version.submitted_at == in_time_utc
    # Another company, one second later, is too late; the message shows Amsterdam time.
    late_company = p.other_company
    with time_machine.travel(late_utc - dt.timedelta(days=2), tick=False):
        late = complete_co_creation(p, opportunity, company=late_company, by=p.charlie)
    with time_machine.travel(late_utc, tick=False), pytest.raises(TransitionError) as exc:
        services.application_submit(application=late, by=p.charlie)
    assert shown in exc.value.message


def test_submit_api_answers_409_when_late_and_keeps_the_draft(p, api):
    opportunity = co_creation(p.buyer)
    with time_machine.travel(NOW, tick=False):
        application = complete_co_creation(p, opportunity)
    api.force_authenticate(p.alice)
    with time_machine.travel(DEADLINE, tick=False):
        response = api.post(reverse("api-application-submit", args=[application.pk]))
        assert response.status_code == 409
        assert response.json()["detail"].startswith("Too late")
        assert "closes_at" in response.json()["errors"]
        detail = api.get(reverse("api-application-detail", args=[application.pk])).json()
    assert detail["status"] == "draft"
    assert detail["content"] == co_creation_answers()


def test_a_submitted_application_cannot_be_changed_or_withdrawn_after_the_deadline(p):
    with time_machine.travel(NOW, tick=False):
        application = submitted_tender(p)
    with time_machine.travel(DEADLINE, tick=False):
        with pytest.raises(TransitionError):
            services.application_update(
                application=application, by=p.alice, data={"lot_prices": {}}
            )
        with pytest.raises(TransitionError):
            services.application_withdraw(application=application, by=p.alice)


def test_the_page_shows_the_late_error_and_keeps_what_was_typed(p, client):
    opportunity = co_creation(p.buyer)
    with time_machine.travel(NOW, tick=False):
        application = complete_co_creation(p, opportunity)
    client.force_login(p.alice)
    with time_machine.travel(DEADLINE + SECOND, tick=False):
        response = client.post(
            reverse("application-detail", args=[application.pk]),
            {**co_creation_answers(), "team": "Three people now.", "action": "submit"},
        )
    assert response.status_code == 409
    assert "Too late: the deadline was 1 April 2026, 12:00:00 CEST" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "draft"
    assert application.draft["team"] == "Three people now."


# --- One live application, withdraw and resubmit --------------------------------------------


def test_one_live_application_per_company_and_opportunity(p):
    opportunity = co_creation(p.buyer)
    with time_machine.travel(NOW, tick=False):
        first = complete_co_creation(p, opportunity)
        with pytest.raises(TransitionError) as exc:
            complete_co_creation(p, opportunity, by=p.bob)
    assert exc.value.errors == {"application": [str(first.pk)]}
    # Another company may apply to the same opportunity.
    with time_machine.travel(NOW, tick=False):
        complete_co_creation(p, opportunity, company=p.other_company, by=p.charlie)


def test_the_database_refuses_a_second_live_application(p):
    opportunity = co_creation(p.buyer)
    Application.objects.create(opportunity=opportunity, company=p.company, status="withdrawn")
    Application.objects.create(opportunity=opportunity, company=p.company, status="withdrawn")
    Application.objects.create(opportunity=opportunity, company=p.company, status="submitted")
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(opportunity=opportunity, company=p.company, status="draft")


def test_withdraw_and_resubmit_until_the_deadline(p, django_capture_on_commit_callbacks):
    opportunity = co_creation(p.buyer)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        application = complete_co_creation(p, opportunity)
        services.application_submit(application=application, by=p.alice)
        services.application_withdraw(application=application, by=p.bob, reason="Wrong file")
        assert application.status == "withdrawn"
        assert (
            application.opportunity.applications.filter(status__in=Application.RECEIVED).count()
            == 0
        )
        with pytest.raises(TransitionError):
            services.application_withdraw(application=application, by=p.bob)
        version = services.application_submit(application=application, by=p.alice)
    assert version.number == 2
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.withdrawn_at is None
    events = list(application.events.values_list("type", "from_status", "to_status"))
    assert events == [
        ("created", "", "draft"),
        ("submitted", "draft", "submitted"),
        ("withdrawn", "submitted", "withdrawn"),
        ("submitted", "withdrawn", "submitted"),
    ]
    assert application.events.get(type="withdrawn").actor == p.bob
    assert [m.subject for m in mail.outbox if m.to == [p.alice.email]] == [
        f"Receipt: your application for {opportunity.title}",
        f"You withdrew your application for {opportunity.title}",
        f"Receipt: your application for {opportunity.title}",
    ]


def test_after_withdrawing_a_new_application_may_be_started_but_only_one_can_be_live(p):
    opportunity = co_creation(p.buyer)
    with time_machine.travel(NOW, tick=False):
        old = complete_co_creation(p, opportunity)
        services.application_submit(application=old, by=p.alice)
        services.application_withdraw(application=old, by=p.alice)
        new = complete_co_creation(p, opportunity)
        services.application_submit(application=new, by=p.alice)
        with pytest.raises(TransitionError) as exc:
            services.application_submit(application=old, by=p.alice)
    assert "another application" in exc.value.message
    old.refresh_from_db()
    assert old.status == "withdrawn"


def test_a_never_submitted_draft_can_be_deleted_a_submitted_one_not(p):
    opportunity = co_creation(p.buyer)
    with time_machine.travel(NOW, tick=False):
        draft = complete_co_creation(p, opportunity)
        services.application_delete(application=draft, by=p.bob)
        assert not Application.objects.filter(pk=draft.pk).exists()
        application = complete_co_creation(p, opportunity)
        services.application_submit(application=application, by=p.alice)
        with pytest.raises(TransitionError):
            services.application_delete(application=application, by=p.alice)


def test_only_members_of_the_company_can_act_on_its_application(p):
    opportunity = co_creation(p.buyer)
    with time_machine.travel(NOW, tick=False):
        application = complete_co_creation(p, opportunity)
        for action in (
            lambda: services.application_update(application=application, by=p.charlie, data={}),
            lambda: services.application_submit(application=application, by=p.evaluator),
            lambda: services.application_create(
                opportunity=opportunity, company=p.company, by=p.charlie
            ),
        ):
            with pytest.raises(Forbidden):
                action()


def test_drafts_only_for_open_opportunities(p):
    unpublished = co_creation(p.buyer, published_at=None)
    with time_machine.travel(NOW, tick=False), pytest.raises(TransitionError) as exc:
        complete_co_creation(p, unpublished)
    assert "does not accept applications" in exc.value.message


def test_consortium_partners_go_into_the_submitted_version(p):
    opportunity = co_creation(p.buyer)
    partners = [{"name": "Sensorbedrijf B.V.", "kvk_number": "87654321", "role": "Hardware"}]
    with time_machine.travel(NOW, tick=False):
        application = services.application_create(
            opportunity=opportunity,
            company=p.company,
            by=p.alice,
            data={**co_creation_answers(), "partners": partners},
        )
        version = services.application_submit(application=application, by=p.alice)
    assert version.content["partners"] == partners
    item = next(i for i in version.content["items"] if i["key"] == "partners")
    assert item["value"] == "Sensorbedrijf B.V. (KvK 87654321): Hardware"


def test_every_state_change_is_logged_with_who_and_when(p):
    with time_machine.travel(NOW, tick=False):
        application = submitted_tender(p, by=p.bob)
    event = application.events.get(type=ApplicationEvent.Type.SUBMITTED)
    assert event.actor == p.bob
    assert event.actor_organisation == p.company
    assert event.created_at == NOW
    assert event.payload == {"version": 1, "content_hash": application.current_version.content_hash}


@pytest.mark.services
def test_the_receipt_reaches_a_real_smtp_server(
    p, smtp_settings, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        application = submitted_tender(p)
    messages = smtp_settings.wait_for(2)
    assert sorted(m["To"] for m in messages) == [p.alice.email, p.bob.email]
    text = messages[0].get_body(("plain",)).get_content()
    assert application.current_version.content_hash in text
