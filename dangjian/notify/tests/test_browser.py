"""A member on a phone: the unread badge, the inbox, a followed link, the badge going down."""

import pytest

from dangjian.notify.delivery import fan_out
from dangjian.notify.service import notify
from dangjian.test import ARTIFACTS, BROWSER_MARKS, PASSWORD, make_person

pytestmark = BROWSER_MARKS


@pytest.fixture
def member(settings):
    settings.DANGJIAN_NOTIFY_QUIET_HOURS = None
    person = make_person("phone_member", "手机党员")
    for n, (title, url) in enumerate(
        [
            ("主题党日活动通知", "/notifications/settings/"),
            ("学习计划即将截止", "/me/"),
        ]
    ):
        dispatch = notify(
            "notify.announcement", [person], {"title": title, "url": url}, f"b{n}"
        )
        fan_out(dispatch.pk)
    return person


def badge(page) -> str:
    return page.locator(".notify-badge").first.get_attribute("data-unread") or ""


def test_a_member_follows_a_notification_on_a_phone(member, live_server, browser):
    page = browser.new_page(viewport={"width": 375, "height": 812})
    page.set_default_timeout(60_000)
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "phone_member")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/me/")
    assert badge(page) == "2"
    assert page.locator(".notify-count").inner_text() == "2"

    page.locator(".notify-badge").click()
    page.wait_for_url("**/notifications/")
    assert page.get_by_text("主题党日活动通知").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(ARTIFACTS / "notify-inbox-375.png"), full_page=True)

    page.get_by_role("link", name="主题党日活动通知").click()
    page.wait_for_url("**/notifications/settings/")
    assert badge(page) == "1"

    page.goto(live_server.url + "/notifications/")
    page.get_by_role("button", name="全部标为已读").click()
    page.wait_for_url("**/notifications/")
    assert badge(page) == "0"
    assert page.locator(".notify-count").count() == 0
    page.close()
