"""An operator types into the console and sees entries before pressing Enter.
Screenshots go to test-artifacts/ for a human to look at."""

import pytest
from django.test import Client

from dangjian.kb.models import AnswerFeedback, Entry
from dangjian.kb.search import kb_index
from dangjian.portal.tests.axe import assert_accessible
from dangjian.test import ARTIFACTS, BROWSER_MARKS, PASSWORD, CityMixin

pytestmark = BROWSER_MARKS


class City(CityMixin):
    pass


@pytest.fixture
def entries():
    City.build_city()
    made = [
        Entry.objects.create(
            owner=City.unit_a,
            matter="住房公积金提取",
            question="买房后怎么提取住房公积金？",
            answer="职工购买自住住房的，可持购房合同和身份证申请提取住房公积金。",
            live=True,
        ),
        Entry.objects.create(
            owner=City.unit_b,
            matter="公积金贷款额度",
            answer="贷款额度根据缴存余额和还款能力计算。",
            live=True,
        ),
        Entry.objects.create(
            owner=City.unit_b, matter="居住证办理", answer="到派出所申领。", live=True
        ),
    ]
    kb_index().upsert(e.search_document() for e in made)
    return made


@pytest.mark.parametrize("width,height", [(375, 812), (1280, 800)])
def test_typing_shows_matching_entries_before_enter(
    entries, live_server, browser, width, height
):
    ARTIFACTS.mkdir(exist_ok=True)
    client = Client()
    assert client.login(username="editor", password=PASSWORD)
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(live_server.url + "/kb/console/")
    page.locator("#kb-q").press_sequentially("公积金提取", delay=40)
    first = page.locator("#kb-hits li").first
    first.wait_for(timeout=10_000)
    assert "住房公积金提取" in first.inner_text()
    assert page.locator("#kb-hits li").count() == 2  # 居住证 does not match
    assert "<mark>" in first.inner_html()
    assert "持购房合同" in page.locator("#kb-detail").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"kb-console-{width}.png"), full_page=True)

    # Arrow down selects the next entry; Enter copies its answer.
    page.keyboard.press("ArrowDown")
    assert page.locator("#kb-hits li").nth(1).get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    page.get_by_text("已复制答复口径").wait_for(timeout=5_000)
    context.close()


@pytest.mark.parametrize("width,height", [(375, 812), (1280, 800)])
def test_a_citizen_searches_and_rates_the_answer(
    entries, live_server, browser, width, height
):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(live_server.url + "/kb/")
    assert_accessible(page)
    page.fill("input[name=q]", "火星签证")
    page.get_by_role("button", name="搜索").click()
    assert page.get_by_text("没有找到与“火星签证”相关的答复").is_visible()
    assert page.get_by_role("link", name="12345").first.is_visible()
    assert_accessible(page)
    page.fill("input[name=q]", "公积金提取")
    page.get_by_role("button", name="搜索").click()
    page.locator(".kb-results a.kb-title").first.click()
    page.wait_for_url("**/kb/entries/**")
    assert "更新于" in page.locator(".kb-meta").inner_text()
    assert "答复口径" not in page.locator("main").inner_text()
    assert_accessible(page)
    page.fill("#feedback-comment", "说得很清楚")
    page.get_by_role("button", name="有帮助").click()
    page.wait_for_url("**#feedback")
    note = page.locator(".kb-feedback-note")
    assert "感谢您的评价" in note.inner_text()
    box = note.bounding_box()
    assert box is not None and 0 <= box["y"] < height  # said where one tapped
    assert AnswerFeedback.objects.filter(helpful=True, comment="说得很清楚").exists()
    page.screenshot(path=str(ARTIFACTS / f"kb-rated-{width}.png"), full_page=False)
    page.close()
