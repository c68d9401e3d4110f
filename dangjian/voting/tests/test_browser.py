"""A member opens the demo campaign on a phone-sized screen, votes, and sees
the remaining votes and the live result change. Screenshots go to
test-artifacts/ for a human to look at."""

import re

import pytest

from dangjian.portal.tests.axe import assert_accessible
from dangjian.test import ARTIFACTS, BROWSER_MARKS, wait_until
from dangjian.voting.demo import OPEN_TITLE
from dangjian.voting.models import Campaign

pytestmark = BROWSER_MARKS


@pytest.fixture
def demo_site():
    # Only the city and the votes: other apps' demo content is not needed here.
    from dangjian.lib.demo import DemoContext
    from dangjian.orgs import demo as orgs_demo
    from dangjian.voting import demo as voting_demo
    from dangjian.voting import store

    store.flush_redis_keys()
    ctx = DemoContext(data_dir=None, write=lambda *a: None)
    orgs_demo.load(ctx)
    voting_demo.load(ctx)


def test_member_votes_on_a_phone_and_sees_the_result_change(
    demo_site, live_server, browser
):
    ARTIFACTS.mkdir(exist_ok=True)
    campaign = Campaign.objects.get(title=OPEN_TITLE)
    page = browser.new_page(viewport={"width": 375, "height": 812}, is_mobile=True)
    page.goto(f"{live_server.url}/login/?next=/votes/{campaign.pk}/")
    page.fill("#id_username", "member")
    page.fill("#id_password", "dangjian-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**/votes/{campaign.pk}/")
    assert page.locator("h1").inner_text() == OPEN_TITLE
    assert page.locator("#vt-remaining").inner_text() == "5"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    card = page.locator(".vt-candidate").first
    votes_before = int(card.locator("[data-votes]").inner_text())
    page.screenshot(path=str(ARTIFACTS / "voting-campaign-375.png"), full_page=False)
    card.get_by_role("button", name=re.compile("投票")).click()
    # The outcome is shown beside the button that was tapped.
    card.locator(".vt-note.ok").wait_for()
    assert "今日还可投 4 票" in card.locator(".vt-note").inner_text()
    assert "今天投给TA的票已用完" in card.locator(".vt-left").inner_text()
    assert page.locator("#vt-remaining").inner_text() == "4"
    wait_until(
        page,
        "([el, n]) => parseInt(el.textContent, 10) === n",
        [card.locator("[data-votes]").element_handle(), votes_before + 1],
    )
    assert card.get_by_role("button", name=re.compile("投票")).is_disabled()
    page.screenshot(path=str(ARTIFACTS / "voting-voted-375.png"), full_page=False)

    # Search by number, then the live results page with its chart.
    page.fill("input[name=q]", "3")
    page.get_by_role("button", name="搜索").click()
    assert page.locator(".vt-candidate").count() == 1
    page.goto(f"{live_server.url}/votes/{campaign.pk}/results/")
    assert page.locator("#vt-chart li").count() == campaign.candidates.count()
    total = int(page.locator("#vt-total").inner_text())
    assert total > 0
    page.screenshot(path=str(ARTIFACTS / "voting-results-375.png"), full_page=True)
    assert_accessible(page)
    page.close()


def test_a_refused_tap_is_explained_beside_the_button_at_375(
    demo_site, live_server, browser
):
    """A visitor not signed in taps 投票 far down the list: the ways to sign
    in appear next to that button, in view."""
    campaign = Campaign.objects.get(title=OPEN_TITLE)
    page = browser.new_page(viewport={"width": 375, "height": 812}, is_mobile=True)
    page.goto(f"{live_server.url}/votes/{campaign.pk}/")
    assert_accessible(page)
    card = page.locator(".vt-candidate").nth(4)
    card.scroll_into_view_if_needed()
    # The page is the same for everyone (it may come from the cache): 投票
    # opens the ways to sign in right beside it, without leaving the page.
    card.locator("summary", has_text="投票").click()
    note = card.locator(".vt-note")
    note.get_by_text("党员登录或验证手机号后即可投票").wait_for()
    assert note.get_by_role("link", name="党员登录").is_visible()
    assert note.get_by_role("link", name="手机号验证码").is_visible()
    box = note.bounding_box()
    assert box is not None and 0 <= box["y"] < 812  # in view, not off-screen
    page.screenshot(path=str(ARTIFACTS / "voting-refused-375.png"), full_page=False)
    page.close()


def test_a_member_who_votes_twice_is_told_why_beside_the_button(
    demo_site, live_server, browser
):
    """Signed in, a member votes for a candidate far down the list, then taps
    投票 for the same candidate again on a page opened before (a second tab):
    the refusal is shown beside that button, in view at 375 px."""
    campaign = Campaign.objects.get(title=OPEN_TITLE)
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, is_mobile=True
    )
    first = context.new_page()
    first.goto(f"{live_server.url}/login/?next=/votes/{campaign.pk}/")
    first.fill("#id_username", "member")
    first.fill("#id_password", "dangjian-demo")
    first.get_by_role("button", name="登录").click()
    first.wait_for_url(f"**/votes/{campaign.pk}/")
    second = context.new_page()
    second.goto(f"{live_server.url}/votes/{campaign.pk}/")
    assert_accessible(second)

    card = first.locator(".vt-candidate").nth(4)
    card.scroll_into_view_if_needed()
    card.get_by_role("button", name=re.compile("投票")).click()
    card.locator(".vt-note.ok").wait_for()
    assert first.locator("#vt-remaining").inner_text() == "4"

    again = second.locator(".vt-candidate").nth(4)
    again.scroll_into_view_if_needed()
    again.get_by_role("button", name=re.compile("投票")).click()
    note = again.locator(".vt-note")
    note.locator("p").first.wait_for()
    assert "ok" not in (note.get_attribute("class") or "")
    assert "今天已为该候选人投满票数" in note.inner_text()
    box = note.bounding_box()
    assert box is not None and 0 <= box["y"] < 812  # in view, not off-screen
    assert again.get_by_role("button", name=re.compile("投票")).is_disabled()
    assert "今天投给TA的票已用完" in again.locator(".vt-left").inner_text()
    second.screenshot(
        path=str(ARTIFACTS / "voting-twice-refused-375.png"), full_page=False
    )
    assert_accessible(second)
    # The second tap counted nothing: four votes left today, not three.
    second.reload()
    assert second.locator("#vt-remaining").inner_text() == "4"
    context.close()
