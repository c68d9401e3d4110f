"""A person opens the site in a real browser, logs in as the demo member and
reaches "my page". Screenshots go to test-artifacts/ for a human to look at."""

import os

import pytest
from django.core.management import call_command

from dangjian.portal.tests.axe import assert_accessible
from dangjian.test import ARTIFACTS, BROWSER_MARKS

pytestmark = BROWSER_MARKS


@pytest.fixture
def demo_site():
    call_command("load_demo", "--builtin", stdout=open(os.devnull, "w"))


SIZES = [(375, 812), (1280, 800)]


def test_a_member_reaches_my_page_and_anyone_switches_the_elder_mode(
    demo_site, live_server, browser
):
    """Both flows at both sizes on one demo city: loading it takes most of the
    time (about 20 s on SQLite and 45 s on PostgreSQL), so it is loaded once."""
    for width, height in SIZES:
        member_logs_in_and_reaches_my_page(live_server, browser, width, height)
        elder_mode_is_switched_on_any_page_and_remembered(
            live_server, browser, width, height
        )


def member_logs_in_and_reaches_my_page(live_server, browser, width, height):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(live_server.url + "/")
    assert page.locator("h1").first.inner_text().endswith("党建云")
    nav = page.get_by_role("navigation", name="网站导航")
    assert nav.get_by_role("link", name="党务公开").count() == 1
    assert page.get_by_role("heading", name="最新公开").is_visible()
    # No horizontal scrolling at phone width.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"home-{width}.png"), full_page=True)
    assert_accessible(page)

    page.get_by_role("link", name="登录").first.click()
    page.fill("#id_username", "member")
    page.fill("#id_password", "dangjian-demo")
    page.get_by_role("button", name="登录").click()
    # Back on the page the person came from, now signed in.
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_text("您好，张党员").is_visible()
    page.get_by_role("link", name="我的", exact=True).click()
    page.wait_for_url("**/me/")
    assert page.locator("h1").inner_text() == "张党员"
    assert page.get_by_text("市委宣传部机关第一党支部", exact=True).is_visible()
    page.screenshot(path=str(ARTIFACTS / f"me-{width}.png"), full_page=True)
    assert_accessible(page)

    page.goto(live_server.url + "/no-such-page/")
    assert page.get_by_text("页面不存在").is_visible()
    page.close()


def _base_font_px(page) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))


def elder_mode_is_switched_on_any_page_and_remembered(
    live_server, browser, width, height
):
    """适老化: the switch in the header enlarges the text (18 px and up) and
    the tap targets; the choice survives a reload and a new page, and the
    server sends the same page either way (it lives in the browser)."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(live_server.url + "/kb/")
    assert _base_font_px(page) < 18
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要内容")
    assert skip.is_visible()  # the skip link shows when focused
    page.get_by_role("button", name="长辈模式").click()
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    assert _base_font_px(page) >= 18
    page.goto(live_server.url + "/")
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    assert _base_font_px(page) >= 18
    assert page.get_by_role("button", name="标准模式").is_visible()
    login = page.get_by_role("link", name="登录").first.bounding_box()
    assert login is not None and login["height"] >= 24
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"home-elder-{width}.png"), full_page=True)
    assert_accessible(page)
    page.get_by_role("button", name="标准模式").click()
    page.reload()
    assert not page.evaluate("document.documentElement.classList.contains('elder')")
    context.close()
