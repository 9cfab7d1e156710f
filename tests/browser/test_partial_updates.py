"""htmx in a real browser: ticking a search filter updates the facets and results in place (the
page is not reloaded, the address can be shared, the new count is announced); "relevant" on
For you answers in place. Without JavaScript the same pages work as plain forms."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import seed_demo_content, sign_in

pytestmark = [
    pytest.mark.services,
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
]


def test_search_filters_update_the_results_in_place(live_server, page, reference_data):
    seed_demo_content()
    page.goto(live_server.url + "/search/?q=demo")
    before = page.locator("#search-count").inner_text()
    page.evaluate("() => { window.kansenNotReloaded = true; }")
    toggle = page.locator(".kansen-facets__toggle")
    if not toggle.evaluate("d => d.open"):  # folded away on a phone
        page.locator(".kansen-facets__summary").click()
    page.locator("input[name=kind][value=test_location]").check()
    page.wait_for_url("**kind=test_location**")
    page.wait_for_function(
        "before => document.getElementById('search-count').innerText !== before", arg=before
    )
    assert page.evaluate("() => window.kansenNotReloaded === true")
    assert page.locator("input[name=kind][value=test_location]").is_checked()
    hits = page.locator(".kansen-hit .kansen-meta").all_inner_texts()
    assert hits and all(text.startswith("Test location") for text in hits)
    status = page.locator("#search-status")
    status.wait_for(state="attached")
    assert page.locator("#search-count").inner_text() in status.inner_text()
    # The address is shareable: loading it shows the same filtered results.
    page.reload()
    assert page.locator("input[name=kind][value=test_location]").is_checked()


def test_search_filters_work_without_javascript(live_server, browser, reference_data):
    seed_demo_content()
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/search/?q=demo")
        page.locator("input[name=kind][value=funding]").check()
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url("**kind=funding**")
        hits = page.locator(".kansen-hit .kansen-meta").all_inner_texts()
        assert hits and all(text.startswith("Funding call") for text in hits)
        page.goto(live_server.url + "/")
        assert page.locator("#main-menu a").first.is_visible()  # no menu button needed
    finally:
        context.close()


def test_relevant_on_for_you_answers_in_place(live_server, page, reference_data):
    people = seed_demo_content()
    sign_in(page, live_server, people["founder"])
    page.goto(live_server.url + "/for-you/")
    page.evaluate("() => { window.kansenNotReloaded = true; }")
    first = page.locator(".kansen-match-list > li").first
    first.get_by_role("button", name=re.compile(r"^Relevant")).click()
    first.get_by_text("You marked this relevant.").wait_for()
    assert "more opportunities like this one" in first.locator("[role=status]").inner_text()
    assert page.evaluate("() => window.kansenNotReloaded === true")
