"""On a phone, a branch secretary sees the meeting that is due, records it
with attendance and a leave, and sees the branch turn compliant."""

from __future__ import annotations

from django.utils import timezone

from dangjian.orglife.models import Attendance, Meeting, MeetingRule, periods_of_year
from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.models import Organisation, Role
from dangjian.test import ARTIFACTS, BROWSER_MARKS, PASSWORD, make_person

pytestmark = BROWSER_MARKS


def _branch():
    root = Organisation.add_root(name="中共乌海市委", kind=Organisation.Kind.COMMITTEE)
    unit = root.add_child(name="市委组织部", kind=Organisation.Kind.PARTY_DEPARTMENT)
    unit.refresh_from_db()
    branch = unit.add_child(name="组织部机关第一党支部", kind=Organisation.Kind.BRANCH)
    secretary = make_person("shuji", "刘书记")
    do_grant_role(secretary, branch, Role.UNIT_ADMIN)
    do_grant_role(secretary, branch, Role.MEMBER)
    for username, name in (("m1", "张党员"), ("m2", "王党员")):
        do_grant_role(make_person(username, name), branch, Role.MEMBER)
    # Everything this year held on time, except this month's 支部委员会,
    # which is planned and not yet held.
    today = timezone.localdate()
    for rule in MeetingRule.objects.all():
        for start, _end in periods_of_year(rule.period, today.year):
            if start > today:
                break
            due = rule.kind == "committee" and start <= today.replace(day=1) <= _end
            Meeting.objects.create(
                branch=branch,
                kind=rule.kind,
                topic="本月支委会：研究发展党员工作" if due else "已召开的会议",
                planned_on=today if due else start,
                held_on=None if due else start,
            )
    return branch


def _login(page, base, username, next_path):
    page.goto(f"{base}/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{next_path}")


def test_a_secretary_records_the_due_meeting_and_the_branch_turns_compliant(
    live_server, browser
):
    branch = _branch()
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    path = f"/orglife/branch/{branch.pk}/"
    _login(page, live_server.url, "shuji", path)
    assert page.get_by_test_id("branch-status").inner_text() == "有待召开"
    due = page.get_by_test_id("due-item")
    assert due.count() == 1
    assert "支部委员会" in due.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    due.get_by_role("link", name="登记召开情况").click()
    page.wait_for_url("**/record/")
    page.get_by_role("group", name="王党员").get_by_label("请假", exact=True).check()
    page.get_by_role("group", name="王党员").get_by_label("请假事由").fill("外出培训")
    page.fill("#minutes", "研究了两名积极分子的培养情况。")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(ARTIFACTS / "orglife-record-375.png"), full_page=True)
    page.get_by_role("button", name="登记").click()
    page.wait_for_url(f"**{path}")

    assert page.get_by_text("已登记会议和出席情况").is_visible()
    assert page.get_by_test_id("branch-status").inner_text() == "达标"
    assert page.get_by_test_id("due-item").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(ARTIFACTS / "orglife-branch-375.png"), full_page=True)
    leave = Attendance.objects.get(person__username="m2")
    assert (leave.status, leave.leave_reason) == ("leave", "外出培训")
    assert Attendance.objects.filter(status="present").count() == 2
    context.close()
