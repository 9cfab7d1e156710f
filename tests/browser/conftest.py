"""Real-browser fixtures: Playwright driving Debian's Chromium against pytest-django's live
server. Never `playwright install`: we use /usr/bin/chromium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.services import ROOT, unavailable

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "var" / "browser-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started only after the test database is set up: a live
    server started earlier would keep the default in-memory SQLite connection in the PostgreSQL
    pass."""
    return live_server


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        unavailable("Chromium is not installed (apt-get install chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=[375, 1280], ids=["phone", "desktop"])
def page(request, browser):
    """A fresh page at 375 px (a phone) and at 1280 px; a screenshot is kept when the test fails."""
    context = browser.new_context(viewport={"width": request.param, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def axe_violations(page) -> list[dict]:
    """Run axe-core (from node_modules) on the page; WCAG 2.1 A and AA rules."""
    if not AXE.exists():
        unavailable("axe-core is not installed (make assets)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def sign_in(page, live_server, user) -> None:
    """Give the browser a session for `user` (the sign-in form itself is tested in a journey)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def seed_demo_content(language: str = "en") -> dict:
    """The demo accounts, opportunities of each kind, company profiles and a draft application
    (the steps of `seed_demo` without the imports), built through the services. The demo
    accounts read the site in `language`."""
    import io

    from marketplace.core.demo import DEMO_ACCOUNTS, seed_accounts
    from marketplace.core.models import User
    from suppliers.demo import seed_matching
    from tenders.demo import seed_opportunities
    from tenders.demo_applications import seed_applications

    for step in (seed_accounts, seed_opportunities, seed_matching, seed_applications):
        step(stdout=io.StringIO())
    User.objects.filter(email__in=[a.email for a in DEMO_ACCOUNTS]).update(language=language)
    return {
        "buyer": User.objects.get(email=DEMO_ACCOUNTS[0].email),
        "founder": User.objects.get(email=DEMO_ACCOUNTS[1].email),
    }
