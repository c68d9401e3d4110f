"""A unit admin uploads a roster in the admin, reads the row errors of a bad
file, fixes it and uploads again; a new member activates their account by SMS
code on a phone-width page. Screenshots go to test-artifacts/."""

import re

import pytest
from django.test import Client

from dangjian.lib import sms
from dangjian.members.models import MemberProfile
from dangjian.members.tests.helpers import bad_checksum, csv_bytes, row
from dangjian.portal.tests.axe import assert_accessible
from dangjian.test import ARTIFACTS, BROWSER_MARKS, PASSWORD, CityMixin

pytestmark = BROWSER_MARKS


class City(CityMixin):
    pass


@pytest.fixture
def city(settings):
    settings.DANGJIAN_SMS_BACKEND = "dangjian.lib.sms.LogBackend"
    settings.DANGJIAN_NOTIFY_QUIET_HOURS = None
    City.build_city()
    sms.outbox.clear()
    return City


def signed_in(browser, live_server, username, width):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="zh-CN"
    )
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
    page.set_default_timeout(60_000)
    return context, page


def roster(fixed: bool) -> bytes:
    rows = [
        row("赵一", 701, "宣传部第一党支部"),
        row(
            "钱二",
            702,
            "宣传部第二党支部",
            转正日期="2011-07-01" if fixed else "2009-07-01",
        ),
        row("孙三", 703, "宣传部第一党支部", 手机号="13900000703"),
    ]
    if not fixed:
        rows[2]["身份证号"] = bad_checksum(rows[2]["身份证号"])
        rows[0]["所在党组织"] = "宣传部第九党支部"
    return csv_bytes(rows, encoding="gbk")


def test_a_unit_admin_uploads_a_bad_roster_fixes_it_and_uploads_again(
    city, live_server, browser
):
    context, page = signed_in(browser, live_server, "secretary", 1280)
    page.goto(live_server.url + "/admin/members/import/")
    page.set_input_files(
        "#id_file",
        {"name": "名册.csv", "mimeType": "text/csv", "buffer": roster(fixed=False)},
    )
    page.get_by_role("button", name="导入").click()
    errors = page.locator("#import-errors")
    errors.wait_for()
    text = errors.inner_text()
    assert "文件未导入，共 3 处错误" in text
    assert "第 2 行：找不到党组织“宣传部第九党支部”" in text
    assert "第 3 行：转正日期早于入党日期" in text
    assert "第 4 行：身份证号校验位错误" in text
    assert MemberProfile.objects.count() == 0
    # The page's own part: Wagtail's sidebar branding link has an
    # accessible name ("仪表板") that differs from its visible text (党建云).
    assert_accessible(page, within="main")
    page.screenshot(path=str(ARTIFACTS / "members-import-errors.png"), full_page=True)

    page.set_input_files(
        "#id_file",
        {"name": "名册.csv", "mimeType": "text/csv", "buffer": roster(fixed=True)},
    )
    page.get_by_role("button", name="导入").click()
    page.get_by_text("导入完成：新登记 3 人，更新 0 人。").wait_for()
    assert page.locator("#import-errors").count() == 0
    assert sorted(MemberProfile.objects.values_list("name", flat=True)) == [
        "孙三",
        "赵一",
        "钱二",
    ]
    page.screenshot(path=str(ARTIFACTS / "members-import-done.png"), full_page=True)
    context.close()


def test_a_new_member_activates_their_account_by_sms_code_on_a_phone(
    city, live_server, browser
):
    from dangjian.members.importer import import_roster

    import_roster(
        "a.csv",
        csv_bytes([row("周新", 711, "宣传部第一党支部", 手机号="13900000711")]),
        user=city.secretary,
    )
    person = MemberProfile.objects.get(name="周新").person
    assert not person.is_active

    page = browser.new_page(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page.set_default_timeout(60_000)
    page.goto(live_server.url + "/members/activate/")
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "members-activate-375.png"), full_page=True)
    page.fill("#id_mobile", "13900000711")
    page.get_by_role("button", name="获取验证码").click()
    page.locator("#id_code").wait_for()
    assert page.get_by_text("验证码已发送").is_visible()
    assert sms.outbox[-1]["mobile"] == "13900000711"
    found = re.search(r"\d{6}", sms.outbox[-1]["message"])
    assert found is not None
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)
    page.screenshot(
        path=str(ARTIFACTS / "members-activate-code-375.png"), full_page=True
    )

    # A wrong code first: refused in Chinese, the account still inactive.
    wrong = "000000" if found.group() != "000000" else "111111"
    page.fill("#id_code", wrong)
    page.get_by_role("button", name="激活并登录").click()
    page.locator("p.error").wait_for()
    assert "验证码" in page.locator("p.error").inner_text()
    person.refresh_from_db()
    assert not person.is_active

    page.fill("#id_code", found.group())
    page.fill("#id_password", "Hongqi-1921-dj")
    page.fill("#id_password2", "Hongqi-1921-dj")
    page.get_by_role("button", name="激活并登录").click()
    page.wait_for_url("**/members/activate/done/")
    assert page.get_by_text("账号已激活").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "members-activated-375.png"), full_page=True)
    person.refresh_from_db()
    assert person.is_active
    assert person.check_password("Hongqi-1921-dj")
    page.close()
