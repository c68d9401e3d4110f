"""A member reads an article and watches a video in a real browser; their
points and archive update. Screenshots go to test-artifacts/."""

import shutil
import tempfile
import time

import pytest
from django.core.files import File
from django.test import override_settings
from wagtail.models import Page

from dangjian.portal.demo import ensure_home
from dangjian.portal.tests.axe import assert_accessible
from dangjian.study import actions
from dangjian.study.models import MaterialPage, PointEntry, Topic, Video
from dangjian.study.tests.helpers import BODY, MEDIA
from dangjian.test import ARTIFACTS, BROWSER_MARKS, PASSWORD, CityMixin, wait_until

pytestmark = BROWSER_MARKS


class City(CityMixin):
    pass


@pytest.fixture
def study_site():
    private = tempfile.mkdtemp(prefix="study-private-")
    with override_settings(DANGJIAN_PRIVATE_ROOT=private):
        City.build_city()
        if Page.get_first_root_node() is None:
            pytest.skip("Wagtail's root page is missing")
        column = actions.do_ensure_column(ensure_home())
        section = actions.do_ensure_section(City.unit_a, column)
        topic = Topic.objects.create(name="二十大报告")
        video = Video(title="短视频", duration_seconds=8)
        with (MEDIA / "demo-video.webm").open("rb") as handle:
            video.file.save("demo.webm", File(handle), save=False)
        video.save()
        article, clip = actions.do_import_materials(
            section,
            [
                MaterialPage(
                    title="学习二十大报告",
                    slug="a1",
                    topic=topic,
                    body=BODY,
                    min_seconds=3,
                ),
                MaterialPage(
                    title="微党课",
                    slug="v1",
                    topic=topic,
                    kind=MaterialPage.Kind.VIDEO,
                    video=video,
                ),
            ],
            acting_user=City.admin,
        )
        yield article, clip
    shutil.rmtree(private, ignore_errors=True)


@pytest.fixture
def phone(browser):
    """A page at phone width, closed even when the test fails: a page left
    open keeps beating into the next attempt's live server."""
    page = browser.new_page(viewport={"width": 375, "height": 812})
    yield page
    page.close()


def today_points(page) -> str:
    """The "今日积分" figure on my page."""
    return page.locator(".figure", has_text="今日积分").locator("b").inner_text()


def test_a_member_reads_an_article_and_watches_a_video(study_site, live_server, phone):
    article, clip = study_site
    ARTIFACTS.mkdir(exist_ok=True)
    page = phone
    page.goto(f"{live_server.url}/login/?next=/study/")
    page.fill("#id_username", "member")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/study/")
    assert_accessible(page)
    page.goto(live_server.url + "/me/")
    assert today_points(page) == "0"
    assert_accessible(page)
    page.goto(live_server.url + "/study/")
    page.get_by_role("link", name="学习二十大报告").click()
    assert page.get_by_text("需 3 秒").is_visible()
    assert_accessible(page)
    time.sleep(3.5)
    page.get_by_role("button", name="我已学完").click()
    page.wait_for_selector("text=已学完《学习二十大报告》")
    page.screenshot(path=str(ARTIFACTS / "study-article-375.png"), full_page=True)
    assert_accessible(page)
    # The point is on my page at once.
    page.goto(live_server.url + "/me/")
    assert today_points(page) == "1"

    # Heartbeats in flight at once: a video's end fires "pause" and "ended"
    # together, and two beats racing each other both completed the reading.
    beats = {"open": 0, "most": 0}

    def beat_sent(request):
        if request.url.endswith("/beat/"):
            beats["open"] += 1
            beats["most"] = max(beats["most"], beats["open"])

    def beat_done(request):
        if request.url.endswith("/beat/"):
            beats["open"] -= 1

    page.on("request", beat_sent)
    page.on("requestfinished", beat_done)
    page.on("requestfailed", beat_done)
    page.goto(live_server.url + clip.url)
    wait_until(page, "document.querySelector('video').readyState >= 1", timeout=15)
    # The player learnt the length from the range-served file.
    assert round(page.evaluate("document.querySelector('video').duration")) == 8
    page.evaluate(
        "() => { const v = document.querySelector('video'); v.muted = true; v.play(); }"
    )
    wait_until(page, "document.querySelector('video').ended", timeout=30)
    page.wait_for_selector("#study-status .done-text", timeout=15000)
    assert beats["most"] == 1, f"{beats['most']} heartbeats were in flight at once"
    page.screenshot(path=str(ARTIFACTS / "study-video-375.png"), full_page=True)
    assert_accessible(page)

    page.goto(live_server.url + "/study/archive/")
    # 1 point for the article, 2 for the video (default rules).
    assert page.locator("#archive-points").inner_text() == "3"
    assert page.locator("#archive-completed").inner_text() == "2"
    studied = page.locator("#archive-studied").inner_text()
    assert "学习二十大报告" in studied and "微党课" in studied
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(ARTIFACTS / "study-archive-375.png"), full_page=True)
    assert_accessible(page)
    page.goto(live_server.url + "/me/")
    assert today_points(page) == "3"
    assert sorted(
        PointEntry.objects.filter(person__username="member").values_list(
            "rule__kind", flat=True
        )
    ) == ["article_read", "video_watched"]
