"""The loop in a browser: the operator types a message and accepts the
suggested unit, the unit's handler signs and replies on a phone-width page,
the operator records the follow-up."""

import pytest

from dangjian.test import ARTIFACTS, BROWSER_MARKS, PASSWORD, CityMixin, wait_until
from dangjian.tickets.classifier import train
from dangjian.tickets.models import DispatchRule, Ticket
from dangjian.tickets.operators import do_make_operator
from dangjian.tickets.routing import forget_loaded, store
from dangjian.tickets.tests.base import tiny_messages

pytestmark = BROWSER_MARKS


class City(CityMixin):
    pass


@pytest.fixture
def hotline():
    from dangjian.test import make_person

    City.build_city()
    operator = make_person("hotline_operator", "话务员小刘")
    do_make_operator(operator)
    DispatchRule.objects.create(domain="城建", unit=City.unit_a)
    DispatchRule.objects.create(domain="治安", unit=City.unit_b)
    forget_loaded()
    store(train(tiny_messages(), seed=1))
    return City


def login(page, url, username):
    page.goto(url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/me/")


def test_operator_dispatches_unit_answers_on_a_phone_operator_follows_up(
    hotline, live_server, browser
):
    desk = browser.new_page(viewport={"width": 1280, "height": 900})
    desk.set_default_timeout(60_000)
    login(desk, live_server.url, "hotline_operator")
    desk.goto(live_server.url + "/tickets/new/")
    desk.fill("[name=caller_name]", "张三")
    desk.fill("[name=caller_phone]", "13800138000")
    desk.locator("[name=text]").press_sequentially("我家小区5号楼房屋漏水，物业不维修")
    wait_until(
        desk,
        "document.querySelector('[data-suggestion]').textContent.includes('市委宣传部')",
    )
    desk.get_by_role("button", name="采用建议").click()
    assert desk.locator("[name=unit_id]").input_value() == str(hotline.unit_a.pk)
    desk.screenshot(path=str(ARTIFACTS / "tickets-intake.png"), full_page=True)
    desk.get_by_role("button", name="受理", exact=True).click()
    desk.wait_for_url("**/tickets/*/")
    assert "待签收" in desk.locator("h1").inner_text()
    ticket = Ticket.objects.get()
    assert ticket.unit_id == hotline.unit_a.pk
    assert ticket.caller_phone == "138****8000"

    phone = browser.new_page(viewport={"width": 375, "height": 812})
    phone.set_default_timeout(60_000)
    login(phone, live_server.url, "editor")
    phone.goto(live_server.url + "/tickets/queue/")
    phone.get_by_role("link", name=ticket.number).click()
    phone.get_by_role("button", name="签收").click()
    phone.wait_for_url(f"**/tickets/{ticket.pk}/")
    assert "办理中" in phone.locator("h1").inner_text()
    phone.fill("[name=reply]", "已联系物业，明日上门维修。")
    phone.get_by_role("button", name="提交答复").click()
    phone.wait_for_url(f"**/tickets/{ticket.pk}/")
    assert "待回访" in phone.locator("h1").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(ARTIFACTS / "tickets-unit-375.png"), full_page=True)
    phone.close()

    desk.goto(live_server.url + f"/tickets/{ticket.pk}/")
    desk.get_by_label("满意", exact=True).check()
    desk.get_by_role("button", name="记录回访").click()
    desk.wait_for_url(f"**/tickets/{ticket.pk}/")
    assert "已办结" in desk.locator("h1").inner_text()
    timeline = desk.locator(".timeline").inner_text()
    for step in ("受理", "派单", "签收", "答复", "回访", "办结"):
        assert step in timeline
    desk.screenshot(path=str(ARTIFACTS / "tickets-closed.png"), full_page=True)
    desk.close()
