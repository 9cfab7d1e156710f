"""Saved searches, follows, the outbox, digests, unsubscribe and bounces (embedded mode:
tasks run in-process; emails in Django's test outbox or, for SMTP behaviour, a real sink)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from marketplace.core.errors import ApplicationError, NotFound
from suppliers import delivery, outbox
from suppliers import services_alerts as services
from suppliers.emails import unsubscribe_token
from suppliers.models_alerts import Alert, AlertPreference, Digest, SavedSearch
from tenders.services import opportunities as opportunity_services
from tests.factories import (
    BuyerFactory,
    UserFactory,
    member_of,
    opportunity_draft,
    opportunity_published,
)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def buyer():
    return BuyerFactory(name="Gemeente Amsterdam")


@pytest.fixture
def buyer_user(buyer):
    return member_of(buyer, "admin")


@pytest.fixture
def founder():
    return UserFactory(email="founder@startup.example", name="Fatima Founder", language="en")


def publish(buyer, by, capture, **data):
    with capture(execute=True):
        return opportunity_published(buyer, by=by, **data)


def test_new_opportunity_matching_a_saved_search_is_emailed_once(
    reference_data, buyer, buyer_user, founder, django_capture_on_commit_callbacks
):
    services.saved_search_create(
        user=founder,
        name="Drukte",
        params={"competency": ["behaviour-prediction"]},
        cadence="instant",
    )
    opportunity = publish(buyer, buyer_user, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["founder@startup.example"]
    assert message.subject == f"New opportunity: {opportunity.title}"
    assert "Matches your saved search “Drukte”." in message.body
    assert opportunity.get_absolute_url() in message.body
    assert message.alternatives[0][1] == "text/html"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(
        r"<https?://\S+/alerts/unsubscribe/\S+/>", message.extra_headers["List-Unsubscribe"]
    )

    event = opportunity.events.get(type="published")
    assert outbox.alerts_write_for_event(event_id=event.pk) == []  # processed already
    from suppliers.models_alerts import ProcessedEvent

    ProcessedEvent.objects.all().delete()
    assert (
        outbox.alerts_write_for_event(event_id=event.pk) == []
    )  # the unique row stops a second alert
    assert Alert.objects.count() == 1


def test_two_matching_searches_give_one_alert_with_both_reasons(
    reference_data, buyer, buyer_user, founder, django_capture_on_commit_callbacks
):
    services.saved_search_create(
        user=founder, name="Amsterdam", params={"region": ["NL32"]}, cadence="daily"
    )
    services.saved_search_create(
        user=founder, name="Voorspellen", params={"q": "drukte"}, cadence="instant"
    )
    publish(buyer, buyer_user, django_capture_on_commit_callbacks)
    alert = Alert.objects.get()
    assert alert.cadence == "instant"
    assert "“Amsterdam”" in alert.why and "“Voorspellen”" in alert.why
    assert len(mail.outbox) == 1


def test_non_matching_and_paused_searches_stay_quiet(
    reference_data, buyer, buyer_user, founder, django_capture_on_commit_callbacks
):
    services.saved_search_create(
        user=founder, name="Tenders", params={"kind": ["tender"]}, cadence="instant"
    )
    paused = services.saved_search_create(user=founder, name="Alles", params={}, cadence="instant")
    services.saved_search_update(saved_search=paused, is_paused=True)
    publish(buyer, buyer_user, django_capture_on_commit_callbacks)
    assert Alert.objects.count() == 0
    assert mail.outbox == []


def test_followers_hear_of_amendments_and_cancellation(
    reference_data, buyer, buyer_user, founder, django_capture_on_commit_callbacks
):
    opportunity = publish(buyer, buyer_user, django_capture_on_commit_callbacks)
    services.follow(user=founder, opportunity=opportunity)
    services.follow(user=founder, opportunity=opportunity)  # idempotent
    with django_capture_on_commit_callbacks(execute=True):
        opportunity_services.opportunity_update(
            opportunity=opportunity,
            by=buyer_user,
            data={"summary": "Nieuwe samenvatting"},
            reason="Planning verduidelijkt",
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"Update: {opportunity.title}"
    assert "Planning verduidelijkt" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        opportunity_services.opportunity_cancel(
            opportunity=opportunity, by=buyer_user, reason="Budget ingetrokken"
        )
    assert len(mail.outbox) == 2
    assert "Budget ingetrokken" in mail.outbox[1].body


def test_daily_digest_bundles_ranks_and_caps(
    reference_data, buyer, buyer_user, founder, settings, django_capture_on_commit_callbacks
):
    settings.ALERTS_DIGEST_CAP = 3
    services.saved_search_create(user=founder, name="Alles", params={}, cadence="daily")
    with time_machine.travel(NOW, tick=False):
        for n in range(5):
            publish(buyer, buyer_user, django_capture_on_commit_callbacks, title=f"Kans nummer {n}")
        assert mail.outbox == []  # nothing instant
        call_command("send_digests", "--cadence", "daily")
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.subject == "5 new opportunities for you"
    assert digest.body.count("Kans nummer") == 3
    assert "And 2 more" in digest.body
    assert Alert.objects.filter(status="sent").count() == 5
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        call_command("send_digests", "--cadence", "daily")
    assert len(mail.outbox) == 1  # nothing new, no email
    assert Digest.objects.count() == 1


def test_weekly_cap_moves_instant_alerts_to_the_digest(
    reference_data, buyer, buyer_user, founder, django_capture_on_commit_callbacks
):
    services.preferences_update(user=founder, weekly_cap=2)
    services.saved_search_create(user=founder, name="Alles", params={}, cadence="instant")
    for n in range(3):
        publish(buyer, buyer_user, django_capture_on_commit_callbacks, title=f"Kans {n}")
    assert len(mail.outbox) == 2
    assert Alert.objects.filter(cadence="weekly", status="pending").count() == 1


def test_one_click_unsubscribe_needs_no_session_or_csrf(reference_data, client, founder):
    from django.test import Client

    saved = services.saved_search_create(user=founder, name="Alles", params={}, cadence="instant")
    strict = Client(enforce_csrf_checks=True, headers={"Accept-Language": "en"})
    url = reverse(
        "alerts-unsubscribe",
        args=[unsubscribe_token(user_id=founder.pk, scope=f"search:{saved.pk}")],
    )
    assert strict.get(url).status_code == 200
    saved.refresh_from_db()
    assert not saved.is_paused  # GET only asks
    response = strict.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    saved.refresh_from_db()
    assert saved.is_paused
    url_all = reverse(
        "alerts-unsubscribe", args=[unsubscribe_token(user_id=founder.pk, scope="all")]
    )
    strict.post(url_all, {"List-Unsubscribe": "One-Click"})
    assert AlertPreference.objects.get(user=founder).unsubscribed_all_at is not None
    bad = strict.post(reverse("alerts-unsubscribe", args=["forged"]))
    assert bad.status_code == 400


def test_unsubscribed_user_gets_nothing(
    reference_data, buyer, buyer_user, founder, django_capture_on_commit_callbacks
):
    services.saved_search_create(user=founder, name="Alles", params={}, cadence="instant")
    services.unsubscribe(token=unsubscribe_token(user_id=founder.pk, scope="all"))
    publish(buyer, buyer_user, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_saved_search_with_a_bad_filter_is_refused_with_field_messages(reference_data, founder):
    with pytest.raises(ApplicationError) as exc:
        services.saved_search_create(user=founder, name="Fout", params={"kind": ["spaceship"]})
    assert "params.kind" in exc.value.errors
    with pytest.raises(ApplicationError) as exc:
        services.saved_search_create(user=founder, name=" ", params={})
    assert "name" in exc.value.errors
    assert SavedSearch.objects.count() == 0


def test_saved_search_belongs_to_its_owner(reference_data, founder):
    saved = services.saved_search_create(user=founder, name="Alles", params={})
    with pytest.raises(NotFound):
        services.saved_search_get_for_user(user=UserFactory(), pk=saved.pk)


def test_permanent_smtp_failures_flag_a_bouncing_address(
    reference_data, buyer, buyer_user, settings, smtp_sink, django_capture_on_commit_callbacks
):
    smtp_sink.reject.add("gone@startup.example")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_sink.port
    settings.ALERTS_BOUNCE_LIMIT = 2
    gone = UserFactory(email="gone@startup.example")
    services.saved_search_create(user=gone, name="Alles", params={}, cadence="instant")
    for n in range(3):
        publish(buyer, buyer_user, django_capture_on_commit_callbacks, title=f"Kans {n}")
    statuses = sorted(Alert.objects.values_list("status", flat=True))
    assert statuses == ["failed", "failed"]  # the third is not even written: the address bounces
    pref = AlertPreference.objects.get(user=gone)
    assert pref.bounce_count == 2 and pref.bouncing_since is not None
    assert smtp_sink.count() == 0


def test_transient_smtp_failure_is_retried_with_backoff(
    reference_data, buyer, buyer_user, founder, settings, smtp_sink
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_sink.port
    services.saved_search_create(user=founder, name="Alles", params={}, cadence="instant")
    opportunity = opportunity_published(buyer, by=buyer_user)
    ids = outbox.alerts_write_for_event(event_id=opportunity.events.get().pk)
    smtp_sink.stop()
    with time_machine.travel(NOW, tick=False):
        result = delivery.alerts_deliver(alert_ids=ids)
        assert result.retry == ids
        alert = Alert.objects.get()
        assert alert.status == "pending" and alert.next_attempt_at == NOW + dt.timedelta(
            seconds=settings.ALERTS_RETRY_BASE
        )
        assert delivery.alerts_deliver(alert_ids=ids).sent == []  # not due yet
    smtp_sink.start()
    with time_machine.travel(
        NOW + dt.timedelta(seconds=settings.ALERTS_RETRY_BASE + 1), tick=False
    ):
        assert delivery.outbox_sweep().alerts == ids
        assert delivery.alerts_deliver(alert_ids=ids).sent == ids
    assert smtp_sink.count() == 1
    assert delivery.alerts_deliver(alert_ids=ids).sent == []


def test_preferences_page_saves_threshold_and_lists_searches(reference_data, client, founder):
    services.saved_search_create(user=founder, name="Data Amsterdam", params={"region": ["NL32"]})
    client.force_login(founder)
    page = client.get(reverse("alerts-preferences"))
    assert "Data Amsterdam" in page.content.decode()
    response = client.post(
        reverse("alerts-preferences"),
        {
            "receive_email": "on",
            "matches_enabled": "on",
            "match_threshold": "75",
            "matches_cadence": "weekly",
            "weekly_cap": "10",
        },
    )
    assert response.status_code == 302
    pref = AlertPreference.objects.get(user=founder)
    assert (pref.match_threshold, pref.matches_cadence, pref.weekly_cap) == (75, "weekly", 10)
    bad = client.post(
        reverse("alerts-preferences"),
        {"match_threshold": "150", "matches_cadence": "daily", "weekly_cap": "10"},
    )
    assert bad.status_code == 200 and "kansen-error-summary" in bad.content.decode()


def test_save_search_from_the_search_parameters(reference_data, client, founder):
    client.force_login(founder)
    url = reverse("saved-search-create") + "?q=sensoren&region=NL32&kind=tender&kind=co_creation"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Sensoren",
            "cadence": "weekly",
            "q": "sensoren",
            "region": "NL32",
            "kind": ["tender", "co_creation"],
        },
    )
    assert response.status_code == 302
    saved = SavedSearch.objects.get()
    assert saved.params == {"q": "sensoren", "region": ["NL32"], "kind": ["tender", "co_creation"]}


def test_follow_button_and_draft_is_not_followable(
    reference_data, client, buyer, buyer_user, founder
):
    opportunity = opportunity_published(buyer, by=buyer_user)
    draft = opportunity_draft(buyer, by=buyer_user)
    client.force_login(founder)
    assert client.post(reverse("opportunity-follow", args=[opportunity.pk])).status_code == 302
    assert founder.follows.count() == 1
    assert client.post(reverse("opportunity-follow", args=[draft.pk])).status_code == 404


def test_saved_search_api(reference_data, api, founder, django_assert_num_queries):
    api.force_authenticate(founder)
    response = api.post(
        reverse("api-saved-searches"),
        {"name": "Data", "params": {"competency": ["data-aggregation"]}, "cadence": "weekly"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    for n in range(3):
        api.post(reverse("api-saved-searches"), {"name": f"S{n}", "params": {}}, format="json")
    with django_assert_num_queries(1):
        assert len(api.get(reverse("api-saved-searches")).json()) == 4
    assert (
        api.patch(
            reverse("api-saved-search-detail", args=[pk]), {"is_paused": True}, format="json"
        ).json()["is_paused"]
        is True
    )
    api.force_authenticate(UserFactory())
    assert api.get(reverse("api-saved-search-detail", args=[pk])).status_code == 404
    assert api.delete(reverse("api-saved-search-detail", args=[pk])).status_code == 404
    bad = api.post(
        reverse("api-saved-searches"),
        {"name": "X", "params": {"region": "ZZ", "kind": "nope"}},
        format="json",
    )
    assert bad.status_code == 400 and "params.kind" in bad.json()["errors"]


def test_followers_get_reminders_seven_days_and_one_day_before_the_deadline_once(
    reference_data, buyer, buyer_user, founder, django_capture_on_commit_callbacks
):
    from suppliers.tasks import reminders_send_task

    with time_machine.travel(NOW, tick=False):
        opportunity = opportunity_published(
            buyer, by=buyer_user, closes_at=NOW + dt.timedelta(days=10), question_deadline=None
        )
        services.follow(user=founder, opportunity=opportunity)
    for when, expected in [
        (NOW + dt.timedelta(days=2), 0),
        (NOW + dt.timedelta(days=3, hours=1), 1),
        (NOW + dt.timedelta(days=3, hours=2), 1),
        (NOW + dt.timedelta(days=9, hours=1), 2),
        (NOW + dt.timedelta(days=9, hours=5), 2),
        (NOW + dt.timedelta(days=11), 2),
    ]:
        with (
            time_machine.travel(when, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            reminders_send_task()
        assert len(mail.outbox) == expected, when
    assert mail.outbox[0].subject == f"Deadline soon: {opportunity.title}"
    assert "You have not applied yet." in mail.outbox[0].body


def test_search_page_offers_to_save_the_search_and_download_it(
    reference_data, client, buyer, buyer_user, founder, django_capture_on_commit_callbacks
):
    import csv
    import io

    publish(buyer, buyer_user, django_capture_on_commit_callbacks)
    publish(
        buyer,
        buyer_user,
        django_capture_on_commit_callbacks,
        title="Slimme verlichting op de Dam",
        kind="tender",
    )
    client.force_login(founder)
    page = client.get(reverse("search"), {"q": "drukte", "kind": "co_creation"}).content.decode()
    assert "Email me about new results" in page
    save = re.search(r'href="(/alerts/saved-searches/new/\?[^"]+)"', page).group(1)
    assert "q=drukte" in save and "kind=co_creation" in save
    export = re.search(r'href="(/search/export\.csv\?[^"]+)"', page).group(1).replace("&amp;", "&")
    response = client.get(export)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 2 and "Drukte voorspellen" in " ".join(rows[1])
    assert client.get(reverse("search-export-csv"), {"kind": "spaceship"}).status_code == 400


def test_saved_search_is_percolated_and_unregistered_when_paused(reference_data, founder):
    from search.models import StoredQuery

    saved = services.saved_search_create(
        user=founder, name="Data", params={"competency": "data-aggregation"}
    )
    assert StoredQuery.objects.filter(key=f"saved-search:{saved.pk}").exists()
    services.saved_search_update(saved_search=saved, is_paused=True)
    assert not StoredQuery.objects.filter(key=f"saved-search:{saved.pk}").exists()
    services.saved_search_update(saved_search=saved, is_paused=False)
    services.saved_search_delete(saved_search=saved)
    assert not StoredQuery.objects.exists()


def test_company_profile_matches_are_announced_with_their_reasons_above_the_threshold(
    reference_data, buyer, buyer_user, django_capture_on_commit_callbacks
):
    from tests.suppliers.helpers import company

    startup = company(
        name="Stadsdata Lab B.V.",
        competencies=["data-aggregation", "behaviour-prediction"],
        cpv_codes=["72000000"],
        regions=["GM0363"],
        description="Wij voorspellen drukte in de stad met sensoren en open data.",
    )
    fatima = member_of(startup, "admin", email="fatima@stadsdata.example", language="en")
    sam = member_of(startup, "member", email="sam@stadsdata.example", language="en")
    services.preferences_update(user=fatima, matches_cadence="instant")
    services.preferences_update(user=sam, matches_cadence="instant", match_threshold=100)
    builder = company(name="Bouwbedrijf Groot B.V.", size_class="large", cpv_codes=["45000000"])
    member_of(builder, "admin", email="bouw@groot.example")

    opportunity = publish(buyer, buyer_user, django_capture_on_commit_callbacks)
    alerts = list(Alert.objects.select_related("user"))
    assert [a.user.email for a in alerts] == ["fatima@stadsdata.example"]  # sam's bar is 100
    assert alerts[0].reason == "match" and alerts[0].score >= 35
    assert [m.to for m in mail.outbox] == [["fatima@stadsdata.example"]]
    assert "Matches your company" in mail.outbox[0].body
    assert "data aggregation" in mail.outbox[0].body.lower()
    assert opportunity.title in mail.outbox[0].subject


def test_application_notices_go_through_the_outbox_once(
    reference_data, buyer, buyer_user, django_capture_on_commit_callbacks
):
    from suppliers.outbox import notice_add

    founder = UserFactory(email="founder@startup.example")
    opportunity = opportunity_published(buyer, by=buyer_user)
    for _attempt in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            alert = notice_add(
                user=founder,
                opportunity=opportunity,
                reason="notice",
                reason_key="application:1:shortlisted:1",
                template="invitation",
                context={"organisation": buyer, "by": buyer_user, "path": "/x/"},
            )
            if alert:
                from suppliers.tasks import alerts_enqueue

                alerts_enqueue([alert.pk])
    assert len(mail.outbox) == 1
    services.unsubscribe(token=unsubscribe_token(user_id=founder.pk, scope="all"))
    with django_capture_on_commit_callbacks(execute=True):
        alert = notice_add(
            user=founder,
            opportunity=opportunity,
            reason="notice",
            reason_key="application:1:awarded:1",
            template="invitation",
            context={"organisation": buyer, "by": buyer_user, "path": "/x/"},
        )
        from suppliers.tasks import alerts_enqueue

        alerts_enqueue([alert.pk])
    assert len(mail.outbox) == 2  # service messages still reach someone who stopped alerts


def test_saved_search_calendar_lists_the_deadlines_of_what_it_finds(
    reference_data, client, buyer, buyer_user, founder, django_capture_on_commit_callbacks
):
    import icalendar

    from suppliers.views_alerts import saved_search_calendar_url

    opportunity = publish(buyer, buyer_user, django_capture_on_commit_callbacks)
    publish(
        buyer,
        buyer_user,
        django_capture_on_commit_callbacks,
        title="Afvalbakken die melden wanneer ze vol zijn",
        summary="Slimme afvalbakken.",
        description="Afvalbakken die zelf melden wanneer ze geleegd moeten worden.",
        kind="tender",
        competencies=["waste-recycling"],
    )
    saved = services.saved_search_create(user=founder, name="Drukte", params={"q": "drukte"})
    client.force_login(founder)
    assert (
        saved_search_calendar_url(saved)
        in client.get(reverse("saved-search-edit", args=[saved.pk])).content.decode()
    )
    client.logout()  # calendar programs do not sign in: the address is signed
    response = client.get(saved_search_calendar_url(saved))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    summaries = " ".join(str(e["summary"]) for e in calendar.walk("VEVENT"))
    assert opportunity.title in summaries and "Afvalbakken" not in summaries
    assert client.get("/alerts/calendar/forged.ics").status_code == 404
