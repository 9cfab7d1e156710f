"""The home page in a real browser, on a phone and on a desktop."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_home_page_has_no_accessibility_violations(live_server, page):
    page.goto(live_server.url + "/")
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []


def test_skip_link_is_the_first_thing_the_keyboard_reaches(live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused in ("Skip to main content", "Naar de inhoud")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
