"""The pages a new visitor meets first, at 375 and 1280 px, in the standard
and the elder mode (issue 20): home, a disclosure item, a knowledge search
and its answer, a campaign, my page and the admin's dashboards.

Each page is saved into test-artifacts/ for a human to look at, must not
scroll sideways, and must pass axe-core with no serious or critical
violation (every page is checked before the test fails, so one run shows
them all).
"""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from django.test import Client

from dangjian.disclosure.models import DisclosureItemPage
from dangjian.kb.models import Entry
from dangjian.portal.tests.axe import serious_violations
from dangjian.test import ARTIFACTS, BROWSER_MARKS
from dangjian.voting.demo import OPEN_TITLE
from dangjian.voting.models import Campaign

pytestmark = BROWSER_MARKS

DEMO_PASSWORD = "dangjian-demo"

SIZES = [(375, 812), (1280, 800)]


@pytest.fixture
def demo_site():
    call_command("load_demo", "--builtin", stdout=open(os.devnull, "w"))


def _context(browser, base, width, height, *, elder, username=None):
    context = browser.new_context(viewport={"width": width, "height": height})
    cookies = [{"name": "dj-elder", "value": "1" if elder else "0", "url": base}]
    if username:
        client = Client()
        assert client.login(username=username, password=DEMO_PASSWORD)
        cookies.append(
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": base,
            }
        )
    context.add_cookies(cookies)
    return context


def _visit(page, url, name, width, problems) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    # Lazy images (the share QR code) load once scrolled to, as for a reader.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_load_state("networkidle")
    page.evaluate("window.scrollTo(0, 0)")
    # Wagtail's admin scrolls inside its own frame: show all of it.
    if "/admin/" in url:
        inner = page.evaluate("document.querySelector('main').scrollHeight")
        if inner > page.viewport_size["height"]:
            page.set_viewport_size({"width": width, "height": inner + 40})
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth")
    if overflow > width:
        problems.append(f"{name}: {overflow} px wide at {width} px")
    problems.extend(f"{name}: {line}" for line in serious_violations(page))


def test_the_first_pages_look_finished(demo_site, live_server, browser):
    """Every page at both sizes in both modes, on one demo city: loading it
    takes most of the time (about 20 s on SQLite, 45 s on PostgreSQL)."""
    base = live_server.url
    item = DisclosureItemPage.objects.live().order_by("-first_published_at").first()
    entry = Entry.objects.filter(live=True).order_by("pk").first()
    campaign = Campaign.objects.filter(title=OPEN_TITLE).first()
    assert item is not None and entry is not None and campaign is not None
    problems: list[str] = []
    for width, height in SIZES:
        for elder in (False, True):
            _look_at_the_first_pages(
                browser, base, width, height, elder, (item, entry, campaign), problems
            )
    assert not problems, "\n".join(problems)


def _look_at_the_first_pages(browser, base, width, height, elder, shown, problems):
    item, entry, campaign = shown
    mode = "elder" if elder else "std"
    visitor = _context(browser, base, width, height, elder=elder)
    page = visitor.new_page()
    _visit(page, base + "/", f"shot-home-{mode}", width, problems)
    assert (
        page.evaluate("document.documentElement.classList.contains('elder')") is elder
    ), f"{mode} mode at {width} px"
    _visit(page, base + item.url, f"shot-disclosure-item-{mode}", width, problems)
    _visit(
        page, f"{base}/kb/?q={entry.matter}", f"shot-kb-search-{mode}", width, problems
    )
    _visit(
        page,
        f"{base}/kb/entries/{entry.pk}/",
        f"shot-kb-answer-{mode}",
        width,
        problems,
    )
    _visit(
        page, f"{base}/votes/{campaign.pk}/", f"shot-campaign-{mode}", width, problems
    )
    visitor.close()

    member = _context(browser, base, width, height, elder=elder, username="member")
    page = member.new_page()
    _visit(page, base + "/me/", f"shot-me-{mode}", width, problems)
    member.close()

    for username in ("editor", "approver"):
        staff = _context(browser, base, width, height, elder=elder, username=username)
        page = staff.new_page()
        _visit(page, base + "/admin/", f"shot-admin-{username}-{mode}", width, problems)
        staff.close()
