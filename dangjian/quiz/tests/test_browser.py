"""A member takes the daily quiz on a phone-sized screen, one question per
screen, and sees the result with explanations. Screenshots go to
test-artifacts/ for a human to look at."""

import pytest

from dangjian.portal.tests.axe import assert_accessible
from dangjian.quiz.draw import invalidate_pool
from dangjian.quiz.models import Attempt, Question
from dangjian.test import ARTIFACTS, BROWSER_MARKS, wait_until

pytestmark = BROWSER_MARKS


@pytest.fixture
def demo_site():
    """The built-in demo city and quiz content (the orgs and quiz loaders only,
    so this test does not depend on the other apps' demo content)."""
    from dangjian.lib.demo import DemoContext
    from dangjian.orgs import demo as orgs_demo
    from dangjian.quiz import demo as quiz_demo

    ctx = DemoContext(data_dir=None, write=lambda *a: None)
    orgs_demo.load(ctx)
    quiz_demo.load(ctx)


def test_member_takes_the_daily_quiz_on_a_phone(demo_site, live_server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    width = 375
    page = browser.new_page(viewport={"width": width, "height": 812})
    page.goto(live_server.url + "/login/?next=/quiz/")
    page.fill("#id_username", "member")
    page.fill("#id_password", "dangjian-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/quiz/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / "quiz-index-375.png"), full_page=True)
    assert_accessible(page)

    page.get_by_role("button", name="开始每日答题").click()
    page.wait_for_url("**/quiz/attempts/*/")
    attempt = Attempt.objects.get(person__username="member", mode="daily")
    # The first question is taken from the report: its passage is quoted.
    Question.objects.filter(pk=attempt.paper[0]["q"]).update(
        reference="全面推进党的自我净化、自我完善、自我革新、自我提高。",
        reference_section="十五、坚定不移全面从严治党",
        reference_url="/study/search/?q=从严治党",
    )
    invalidate_pool()  # the bank changed behind the per-process cache
    questions = Question.objects.in_bulk([i["q"] for i in attempt.paper])

    # One question per screen, with progress.
    visible = page.locator(".quiz-question:visible")
    assert visible.count() == 1
    assert "第 1 / 5 题" in page.locator(".quiz-progress-text").inner_text()
    page.screenshot(path=str(ARTIFACTS / "quiz-question-375.png"), full_page=True)
    assert_accessible(page)

    for position, item in enumerate(attempt.paper):
        q = questions[item["q"]]
        shown = {canonical: i for i, canonical in enumerate(item["o"])}
        # Answer the first question wrongly, the rest correctly.
        picks = [shown[c] for c in q.answer]
        if position == 0:
            picks = [next(i for i in range(len(item["o"])) if i not in picks)]
        question = page.locator(f".quiz-question[data-position='{position}']")
        for index in picks:
            question.locator(f"input[value='{index}']").check()
        if position < len(attempt.paper) - 1:
            page.get_by_role("button", name="下一题").click()
    # Progress was saved on the server as the member went.
    wait_until(page, "document.querySelector('.quiz-saved').textContent === '已保存'")
    attempt.refresh_from_db()
    assert len(attempt.responses) == 5
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.get_by_role("button", name="交卷").click()
    page.wait_for_url("**/result/")
    assert "答对 4 / 5 题" in page.locator(".quiz-score").inner_text()
    assert page.locator(".quiz-review.wrong").count() == 1
    assert page.locator(".quiz-explanation").first.is_visible()
    first = questions[attempt.paper[0]["q"]]
    wrong = page.locator(".quiz-review.wrong")
    assert first.explanation in wrong.inner_text()
    assert "出自党的二十大报告 · 十五、坚定不移全面从严治党" in wrong.inner_text()
    assert wrong.get_by_role("link", name="阅读原文").is_visible()
    assert "暂无解析" not in page.locator("main").inner_text()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / "quiz-result-375.png"), full_page=True)

    # The explanation leads to the report's passage.
    with page.expect_navigation():
        wrong.get_by_role("link", name="阅读原文").click()
    assert "/study/search/" in page.url
    assert_accessible(page)

    # The daily quiz is done for today.
    page.goto(live_server.url + "/quiz/")
    assert page.get_by_text("今天已完成 ✓").first.is_visible()
    assert_accessible(page)
    page.close()
