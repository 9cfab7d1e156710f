"""The whole story in a real browser, on a phone (375 px) and on a desktop (1280 px), against the
live server on PostgreSQL, with email over SMTP to a real sink:

a buyer publishes a co-creation call; a founder signs up (verifying the email address from the
link in the email), adds the company and fills in its profile, sees the call in "For you" with
its reasons, saves a search and applies before the deadline; a new call reaches the founder as
an alert email whose one-click unsubscribe works; the buyer closes the call, evaluates and
writes feedback; the founder reads it.

Every step runs on both widths; when a step fails, a screenshot of that step is kept in
var/browser-artifacts/."""

from __future__ import annotations

import contextlib
import datetime as dt
import re

import pytest

from tests.browser.conftest import ARTIFACTS, axe_violations

pytestmark = [
    pytest.mark.services,
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
]

FOUNDER = "fatima@stadsdata.example"
PASSWORD = "Stadsdata-2026-lantaarn"
CALL = "Drukte voorspellen op het Museumplein"
LOCAL = "%Y-%m-%dT%H:%M"


@contextlib.contextmanager
def step(page, name: str):
    """One step of the journey; a screenshot of the page is kept when it fails."""
    try:
        yield
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"]
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        page.screenshot(path=str(ARTIFACTS / f"journey-{width}-{slug}.png"), full_page=True)
        raise


def go_to(page, link: str) -> None:
    """Follow a link of the main menu; on a phone the menu first has to be opened."""
    menu = page.locator(".kansen-menu-button")
    if menu.is_visible() and menu.get_attribute("aria-expanded") == "false":
        menu.click()
    page.locator("#main-menu").get_by_role("link", name=link, exact=True).click()


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("main form").get_by_role("button").click()
    page.wait_for_selector("text=Sign out")


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_selector("text=Sign in")


def text_of(message) -> str:
    body = message.get_body(preferencelist=("plain",))
    return body.get_content() if body is not None else str(message)


def no_violations(page) -> None:
    violations = axe_violations(page)
    assert violations == [], violations


@pytest.fixture
def buyer(reference_data):
    from tests.factories import BuyerFactory, member_of

    amsterdam = BuyerFactory(name="Gemeente Amsterdam", slug="gemeente-amsterdam")
    return member_of(amsterdam, "admin", email="bas@amsterdam.example", language="en")


def test_from_publishing_a_call_to_reading_the_feedback(live_server, page, buyer, smtp_settings):
    from suppliers.models_alerts import SavedSearch
    from tenders.models import Application, Opportunity
    from tests.factories import PASSWORD as BUYER_PASSWORD
    from tests.factories import opportunity_published

    base = live_server.url
    sink = smtp_settings
    now = dt.datetime.now().replace(second=0, microsecond=0)

    with step(page, "buyer publishes a co-creation call"):
        sign_in(page, base, buyer.email, BUYER_PASSWORD)
        go_to(page, "Publish")
        page.get_by_role("link", name="New opportunity").click()
        page.get_by_role("link", name="Co-creation call").click()
        page.fill("#id_title", CALL)
        page.fill(
            "#id_summary", "Wij zoeken een start-up die de drukte op het Museumplein voorspelt."
        )
        page.fill("#id_description", "Voorspel de drukte met tellingen en open data.")
        page.check("input[name=competencies][value=behaviour-prediction]")
        page.fill("#id_cpv_codes", "72316000")
        page.fill("#id_regions", "GM0363")
        page.fill("#id_closes_at", (now + dt.timedelta(days=30)).strftime(LOCAL))
        page.fill("#id_question_deadline", (now + dt.timedelta(days=20)).strftime(LOCAL))
        page.check("#id_is_first_timer_friendly")
        page.fill("#id_details-challenge", "Hoe voorspellen we de drukte op het Museumplein?")
        page.fill("#id_details-desired_outcome", "Een voorspelling per uur, een week vooruit.")
        page.get_by_role("button", name="Save draft").click()
        page.wait_for_selector("text=Everything needed is there")
        page.locator("#publish-title ~ form").get_by_role("button", name="Publish").click()
        page.wait_for_selector("text=It is open")
        call = Opportunity.objects.get(title=CALL)
        assert call.status == "published"
        page.goto(base + call.get_absolute_url())
        assert page.locator("#one-minute-title").is_visible()
        no_violations(page)
        sign_out(page)

    with step(page, "founder signs up and verifies the email address"):
        page.goto(base + "/")
        page.locator(".kansen-header__tools").get_by_role("link", name="Sign up").click()
        page.fill("input[name=email]", FOUNDER)
        page.fill("input[name=password1]", PASSWORD)
        page.fill("input[name=password2]", PASSWORD)
        page.locator("main form").get_by_role("button").click()
        page.wait_for_selector("h1")
        (verification,) = [m for m in sink.wait_for(1, timeout=15) if m["To"] == FOUNDER]
        link = re.search(r"https?://\S+/accounts/confirm-email/\S+", text_of(verification))
        assert link, text_of(verification)
        page.goto(base + re.sub(r"^https?://[^/]+", "", link.group(0)))
        page.locator("main form").get_by_role("button").click()
        if page.locator("input[name=password]").count():
            sign_in(page, base, FOUNDER, PASSWORD)
        page.wait_for_selector("text=Sign out")
        if page.locator("html").get_attribute("lang") != "en":
            page.get_by_role("button", name="English").click()  # the choice is remembered
            page.wait_for_selector("html[lang=en]")

    with step(page, "founder adds the company and fills in the profile"):
        page.goto(base + "/for-you/")
        page.get_by_role("link", name="Add your company").click()
        page.fill("#id_name", "Stadsdata Lab B.V.")
        page.fill("#id_kvk_number", "12345678")
        page.select_option("#id_size_class", "startup")
        page.fill("#id_city", "Amsterdam")
        page.locator("main form").get_by_role("button", name="Save", exact=True).click()
        page.wait_for_selector("text=You are its admin")
        page.goto(base + "/company/profile/")
        page.fill(
            "#id_description",
            "We voorspellen drukte in de stad met sensoren, tellingen en open data, "
            "privacyvriendelijk en zonder camerabeelden, voor evenementen en pleinen.",
        )
        page.fill("#id_regions", "GM0363")
        page.fill("#id_cpv_codes", "72316000")
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_selector("text=Your profile has been saved")
        page.get_by_role("link", name="Competencies").first.click()
        page.select_option("select[name='level_behaviour-prediction']", "3")
        page.get_by_role("button", name="Save competencies").click()
        page.wait_for_selector("text=Your competencies have been saved")
        no_violations(page)

    with step(page, "founder sees the call in For you with its reasons"):
        go_to(page, "For you")
        card = page.locator(".kansen-match-list > li", has_text=CALL)
        assert card.is_visible()
        assert "Match" in card.inner_text() and "competenc" in card.inner_text().lower()
        card.get_by_role("link", name=CALL).click()
        assert page.get_by_role("heading", name="Why it fits").is_visible()
        no_violations(page)

    with step(page, "founder saves a search"):
        page.goto(base + "/search/?q=drukte")
        assert page.locator(".kansen-hit", has_text=CALL).is_visible()
        page.get_by_role("link", name="Email me about new results").click()  # htmx: inline
        page.fill("#id_name", "Drukte")
        page.check("input[name=cadence][value=instant]")
        page.get_by_role("button", name="Save search").click()
        page.wait_for_selector("text=We will email you when something new matches")
        assert page.url.startswith(base + "/search/")  # the page stayed where it was
        saved = SavedSearch.objects.get(user__email=FOUNDER)
        assert saved.cadence == "instant" and not saved.is_paused

    with step(page, "founder applies before the deadline"):
        page.goto(base + call.get_absolute_url())
        page.locator(".kansen-apply").get_by_role("link", name="Apply").click()
        page.get_by_role("button", name="Start your application").click()
        page.fill("#id_approach", "Tellingen en open data in een model dat per uur voorspelt.")
        page.fill("#id_team", "Twee data scientists en een ontwerper.")
        page.fill("#id_pilot_plan", "Acht weken: bouwen, testen op het plein, verbeteren.")
        page.get_by_role("button", name="Save and submit").click()
        page.wait_for_selector("text=has been received")
        application = Application.objects.get(company__name="Stadsdata Lab B.V.")
        assert application.status == "submitted"
        assert call.closes_at > dt.datetime.now(dt.UTC)
        receipts = [m for m in sink.wait_for(2, timeout=15) if "Receipt" in m["Subject"]]
        assert len(receipts) == 1
        no_violations(page)

    with step(page, "a new call reaches the founder by email; one click unsubscribes"):
        opportunity_published(
            buyer.memberships.get().organisation,
            by=buyer,
            title="Drukte meten bij evenementen in Zuidoost",
        )
        alerts = [
            m
            for m in sink.wait_for(3, timeout=20)
            if m["To"] == FOUNDER and "Drukte meten bij evenementen" in m["Subject"]
        ]
        assert len(alerts) == 1, [m["Subject"] for m in sink.messages]
        assert alerts[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        url = re.search(r"<(https?://[^>]+)>", alerts[0]["List-Unsubscribe"]).group(1)
        path = re.sub(r"^https?://[^/]+", "", url)
        # A mail program posts without a session or a CSRF token.
        anonymous = page.context.browser.new_context()
        response = anonymous.request.post(
            base + path, form={"List-Unsubscribe": "One-Click"}, max_redirects=0
        )
        anonymous.close()
        assert response.status == 200
        saved.refresh_from_db()
        assert saved.is_paused
        sign_out(page)

    with step(page, "buyer closes the call and evaluates"):
        sign_in(page, base, buyer.email, BUYER_PASSWORD)
        page.goto(base + f"/manage/opportunities/{call.pk}/")
        page.locator("form[action$='/close/']").get_by_role("button", name="Close now").click()
        page.wait_for_selector("text=Record the outcome")
        page.goto(base + f"/opportunities/{call.pk}/applications/")
        if page.get_by_role("button", name="Open the box").count():
            page.get_by_role("button", name="Open the box").click()
        page.get_by_role("link", name="Stadsdata Lab B.V.").first.click()
        no_violations(page)
        page.fill("#id_feedback", "Sterk plan. Wij nodigen u uit voor een gesprek over de pilot.")
        page.get_by_role("button", name="Shortlist").click()
        page.wait_for_load_state()
        application.refresh_from_db()
        assert application.status == "shortlisted"
        sign_out(page)

    with step(page, "founder reads the feedback"):
        sign_in(page, base, FOUNDER, PASSWORD)
        go_to(page, "Your applications")
        page.get_by_role("link", name=CALL).click()
        feedback = page.locator(
            "section", has=page.get_by_role("heading", name="Feedback from the buyer")
        )
        assert "Sterk plan" in feedback.inner_text()
        assert page.locator("html").get_attribute("lang") == "en"  # the language choice stuck
        no_violations(page)
