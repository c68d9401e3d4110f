"""A city leader opens the leaders' dashboard in a browser and finds every
chart drawn, with no console errors. Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from dangjian.stats.counting import apply_counts, hit_key
from dangjian.test import ARTIFACTS, BROWSER_MARKS, PASSWORD, CityMixin

pytestmark = BROWSER_MARKS

CHARTS = ["chart-trend", "chart-ranking", "chart-tree", "chart-daily", "chart-channels"]


class City(CityMixin):
    pass


def test_the_leaders_dashboard_draws_its_charts(live_server, browser):
    City.build_city()
    org_type = ContentType.objects.get(app_label="orgs", model="organisation")
    today = timezone.localdate()
    apply_counts(
        {
            hit_key(org_type.pk, City.unit_a.pk, today, "wechat"): 30,
            hit_key(
                org_type.pk, City.unit_b.pk, today - dt.timedelta(days=1), "direct"
            ): 12,
        },
        seen={},
    )
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if msg.type == "error" else None,
    )
    page.goto(f"{live_server.url}/login/?next=/stats/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/stats/")
    assert "领导驾驶舱" in page.locator("h1").inner_text()
    for chart in CHARTS:
        page.wait_for_selector(f"#{chart} canvas", timeout=15000)
        box = page.locator(f"#{chart} canvas").first.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, chart
    # The tree chart names the organisations it draws.
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / "stats-leaders-dashboard.png"), full_page=True)
    assert errors == []

    # The period picker reloads the page with the chosen period.
    page.select_option("select[name=period]", "year")
    page.get_by_role("button", name="查看").click()
    page.wait_for_url("**period=year**")
    assert f"{today.year}年" in page.locator(".stats-sub").inner_text()
    page.wait_for_selector("#chart-trend canvas")
    assert errors == []
