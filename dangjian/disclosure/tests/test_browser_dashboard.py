"""The admin's home for each role, in a real browser (issue 20).

An editor drafts an item in the Wagtail admin and submits it; their
dashboard tells them what the confidentiality scan flagged. Once the
reviewer has passed it, the approver's dashboard lists the item waiting
for their approval. axe-core runs on every admin page opened: the
dashboards, the page explorer of the unit's column, the item's edit page
and a snippet listing (knowledge entries).
"""

from __future__ import annotations

import pytest

from dangjian.disclosure import actions
from dangjian.disclosure.models import (
    DisclosureCategory,
    DisclosureItemPage,
    ScanFlag,
)
from dangjian.disclosure.tests.test_browser import login, submit_in_admin
from dangjian.portal.demo import ensure_home
from dangjian.portal.tests.axe import assert_accessible
from dangjian.test import ARTIFACTS, BROWSER_MARKS, CityMixin

VALID_ID = "110101199003077571"
TITLE = "关于李明同志拟任职务的公示"

pytestmark = BROWSER_MARKS


@pytest.fixture
def city():
    class City(CityMixin):
        pass

    City.build_city()
    home = ensure_home()
    column = actions.do_ensure_column(home)
    City.section = actions.do_ensure_section(City.unit_a, column)
    City.category = DisclosureCategory.objects.get(name="干部任前公示")
    return City


def test_the_editor_is_told_of_the_flags_and_the_approver_sees_the_item(
    city, live_server, browser
):
    base = live_server.url

    # The editor drafts the item in the admin and submits it.
    editor = login(browser, base, "editor")
    editor.goto(f"{base}/admin/pages/{city.section.pk}/")
    assert_accessible(editor)  # the unit's column in the page explorer
    editor.goto(
        f"{base}/admin/pages/add/disclosure/disclosureitempage/{city.section.pk}/"
    )
    editor.fill("#id_title", TITLE)
    editor.select_option("#id_category", label="干部任前公示")
    editor.fill("#id_summary", "拟任职务公示")
    body = editor.locator(".DraftEditor-root [contenteditable='true']").first
    body.click()
    body.type(f"李明，男，1990年3月生，身份证号{VALID_ID}，拟任宣传部科长。")
    assert_accessible(editor)
    submit_in_admin(editor)
    item = DisclosureItemPage.objects.get(draft_title=TITLE)

    # Their dashboard names the item and what the scan found in it.
    editor.goto(f"{base}/admin/")
    panel = editor.locator("#dangjian-scan-flags-section")
    assert panel.get_by_role("link", name=TITLE).is_visible()
    text = panel.inner_text()
    assert "等待保密审查" in text
    assert VALID_ID in text
    editor.screenshot(
        path=str(ARTIFACTS / "admin-dashboard-editor-1280.png"), full_page=True
    )
    assert_accessible(editor)
    panel.get_by_role("link", name=TITLE).click()
    editor.wait_for_url(f"**/admin/pages/{item.pk}/edit/")
    assert_accessible(editor)
    editor.goto(f"{base}/admin/snippets/kb/entry/")
    assert editor.url.endswith("/admin/snippets/kb/entry/")  # not sent away
    assert_accessible(editor)

    # The reviewer passes it at the review desk (tested in test_browser.py).
    state = actions.current_task_state(item)
    assert state is not None and state.task.name == "保密审查"
    for flag in actions.flags_for(item, state.revision):
        actions.do_decide_flag(
            flag, decision=ScanFlag.Decision.PUBLISHABLE, acting_user=city.reviewer
        )
    actions.do_task_action(state, action="approve", acting_user=city.reviewer)

    # The approver's dashboard lists it, on a phone too.
    for width, height in ((1280, 900), (375, 812)):
        approver = login(browser, base, "approver", width, height)
        approver.goto(f"{base}/admin/")
        waiting = approver.locator("#dangjian-awaiting-section")
        assert waiting.get_by_role("link", name=TITLE).is_visible()
        assert "待单位审批" in waiting.inner_text()
        assert approver.evaluate("document.documentElement.scrollWidth") <= width
        approver.screenshot(
            path=str(ARTIFACTS / f"admin-dashboard-approver-{width}.png"),
            full_page=True,
        )
        assert_accessible(approver)
        approver.context.close()
