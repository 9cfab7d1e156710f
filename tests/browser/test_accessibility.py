"""WCAG 2.1 AA in a real browser: axe-core over the key pages, on a phone (375 px) and on a
desktop (1280 px), with the demo content; and a keyboard-only walk over the main actions."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import axe_violations, seed_demo_content, sign_in

pytestmark = [
    pytest.mark.services,
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
]


def _urls() -> dict:
    """The pages to audit, built from the demo content (ORM work before the browser starts)."""
    from marketplace.core.models import Organisation
    from tenders.models import Application, Opportunity

    def first(kind):
        return (
            Opportunity.objects.filter(kind=kind, source="kansen", published_at__isnull=False)
            .order_by("pk")
            .first()
        )

    tender, funding, co_creation, location = (
        first(k) for k in ("tender", "funding", "co_creation", "test_location")
    )
    draft = Application.objects.get()
    amsterdam = Organisation.objects.get(name="Gemeente Amsterdam")
    managed = Opportunity.objects.filter(buyer=amsterdam).order_by("pk").first()
    return {
        "anonymous": {
            "home": "/",
            "opportunities": "/opportunities/",
            "search with facets": "/search/?q=data&kind=co_creation",
            "search, nothing found": "/search/?q=onderzeeboot&kind=tender",
            "tender": tender.get_absolute_url(),
            "funding call": funding.get_absolute_url(),
            "co-creation call": co_creation.get_absolute_url(),
            "test location": location.get_absolute_url(),
            "buyer page": f"/buyers/{amsterdam.slug}/",
            "glossary": "/help/glossary/",
            "sign up": "/accounts/signup/",
            "sign in": "/accounts/login/",
            "page not found": "/opportunities/999999/",
        },
        "founder": {
            "home, signed in": "/",
            "for you": "/for-you/",
            "company profile": "/company/profile/",
            "competencies": "/company/profile/competencies/",
            "application form": f"/applications/{draft.pk}/",
            "your applications": "/applications/",
            "alert preferences": "/alerts/",
            "save a search": "/alerts/saved-searches/new/?q=data",
            "opportunity, signed in": co_creation.get_absolute_url(),
        },
        "buyer": {
            "buyer dashboard": "/manage/opportunities/",
            "publishing form": "/manage/opportunities/new/co_creation/",
            "publishing form, tender": "/manage/opportunities/new/tender/",
            "managing an opportunity": f"/manage/opportunities/{managed.pk}/",
            "evaluation": f"/opportunities/{managed.pk}/applications/",
            "suggested companies": f"/opportunities/{managed.pk}/suggested-companies/",
        },
    }


def test_key_pages_have_no_accessibility_violations(live_server, page, reference_data):
    people = seed_demo_content()
    urls = _urls()
    found = {}
    for who, pages in urls.items():
        if who != "anonymous":
            page.context.clear_cookies()
            sign_in(page, live_server, people[who])
        for name, path in pages.items():
            response = page.goto(live_server.url + path)
            assert response is not None and response.status < 500, (name, path)
            assert page.locator("h1").count() == 1, (name, path)
            assert page.locator("main").count() == 1, (name, path)
            violations = axe_violations(page)
            if violations:
                found[f"{name} ({path})"] = violations
    assert not found, json.dumps(found, indent=1)
    assert sum(len(p) for p in urls.values()) >= 12


def test_a_form_with_errors_has_an_accessible_error_summary(live_server, page, reference_data):
    people = seed_demo_content()
    sign_in(page, live_server, people["buyer"])
    page.goto(live_server.url + "/manage/opportunities/new/co_creation/")
    page.fill("#id_closes_at", "2020-01-01T12:00")
    page.get_by_role("button", name="Save draft").click()
    summary = page.locator(".kansen-error-summary")
    assert summary.is_visible()
    # The summary has the focus, and its links lead to the fields.
    assert page.evaluate("() => document.activeElement.classList.contains('kansen-error-summary')")
    assert summary.locator("a").count() >= 1
    assert axe_violations(page) == []


def test_keyboard_only_reaches_the_main_actions_with_visible_focus(
    live_server, page, reference_data
):
    people = seed_demo_content()
    from tenders.models import Opportunity

    co_creation = Opportunity.objects.filter(kind="co_creation", source="kansen").first()
    sign_in(page, live_server, people["founder"])
    page.goto(live_server.url + co_creation.get_absolute_url())

    def tab_until(text: str, limit: int = 80) -> dict:
        for _ in range(limit):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                """() => {
                  const el = document.activeElement;
                  const style = getComputedStyle(el);
                  return {text: (el.innerText || el.value || '').trim(), tag: el.tagName,
                          outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
                }"""
            )
            if focused["text"].startswith(text):
                return focused
        raise AssertionError(f"Tab never reached {text!r}")

    skip = tab_until("Skip to main content")
    assert skip["outline"] != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    apply = tab_until("Apply")
    assert apply["tag"] == "A" and apply["outline"] == "solid" and apply["width"] >= 2
    follow = tab_until("Follow this opportunity")
    assert follow["outline"] == "solid"
    page.keyboard.press("Enter")  # htmx swaps in "Stop following" and keeps the focus there
    page.wait_for_function("() => document.activeElement.innerText.trim() === 'Stop following'")
    assert (
        "You follow this opportunity" in page.locator(f"#follow-note-{co_creation.pk}").inner_text()
    )
