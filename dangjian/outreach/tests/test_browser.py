"""On a phone, a grid worker shares a public item into their group and logs a
door-to-door visit; the district's dashboard then shows both."""

from __future__ import annotations

from django.utils import timezone

from dangjian.disclosure import actions as disclosure
from dangjian.disclosure.models import DisclosureCategory, DisclosureItemPage
from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.models import Organisation, Role
from dangjian.outreach.models import Grid, GridWorker, Push, Visit
from dangjian.portal.demo import ensure_home
from dangjian.test import ARTIFACTS, BROWSER_MARKS, PASSWORD, make_person

pytestmark = BROWSER_MARKS


def _city():
    root = Organisation.add_root(
        name="乌海市人民政府", kind=Organisation.Kind.GOVERNMENT
    )
    district = root.add_child(name="海南区", kind=Organisation.Kind.DISTRICT)
    district.refresh_from_db()
    sub = district.add_child(name="西卓子山街道", kind=Organisation.Kind.SUBDISTRICT)
    district.refresh_from_db()
    admin = make_person("hn_admin", "海南区管理员")
    do_grant_role(admin, district, Role.UNIT_ADMIN)
    editor = make_person("editor", "海南区编辑")
    do_grant_role(editor, district, Role.EDITOR)
    column = disclosure.do_ensure_column(ensure_home())
    section = disclosure.do_ensure_section(district, column)
    page = DisclosureItemPage(
        title="海南区城乡居民医保缴费指南",
        body="<p>每年9月至12月集中缴费。</p>",
        category=DisclosureCategory.objects.get(name="党的组织建设"),
        scope="public",
        live=False,
        owner=editor,
    )
    section.add_child(instance=page)
    platform = make_person("admin", "平台管理员", is_superuser=True)
    page.save_revision(user=editor).publish(user=platform)
    grid = Grid.objects.create(unit=sub, community="兴隆社区", name="第一网格")
    GridWorker.objects.create(grid=grid, person=make_person("grid01", "王网格"))
    return district


def _login(page, base, username, next_path):
    page.goto(f"{base}/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{next_path}")


def test_a_grid_worker_shares_and_visits_and_the_district_dashboard_shows_both(
    live_server, browser
):
    district = _city()
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    _login(page, live_server.url, "grid01", "/outreach/grid/")
    assert page.locator("h1").inner_text() == "网格员工作台"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    item = page.locator("li", has_text="海南区城乡居民医保缴费指南")
    item.get_by_role("button", name="推送").click()
    link = page.get_by_label("分享链接").input_value()
    assert ".grid" in link and "from=wechat" in link

    page.fill("#id_households", "15")
    page.fill("#id_topics", "医保缴费政策")
    page.get_by_role("button", name="登记走访").click()
    page.wait_for_url("**/outreach/grid/")
    assert page.get_by_text("走访已登记").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(ARTIFACTS / "outreach-grid-375.png"), full_page=True)
    assert Push.objects.count() == 1
    assert Visit.objects.get().households == 15
    context.close()

    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    path = f"/stats/unit/{district.pk}/"
    _login(page, live_server.url, "hn_admin", path)
    tiles = {
        t.locator(".tile-label").inner_text(): t.locator(".tile-value").inner_text()
        for t in page.locator(".stats-tiles li").all()
    }
    assert tiles["网格员推送"] == "1"
    assert tiles["入户走访"] == "1"
    assert tiles["走访户数"] == "15"
    page.screenshot(path=str(ARTIFACTS / "outreach-dashboard-375.png"), full_page=True)
    page.goto(f"{live_server.url}/outreach/figures/?month={timezone.localdate():%Y-%m}")
    assert page.get_by_text("兴隆社区").first.is_visible()
    context.close()
