"""The whole release path in a real browser.

The editor drafts an item with an ID number in the Wagtail admin and submits
it; the scan flags the number; the reviewer (on a phone) marks it 须删改 and
sends it back; the editor removes it and resubmits; the reviewer passes it,
the approver approves it from a phone, and it appears in the public column.
"""

import pytest

from dangjian.disclosure import actions
from dangjian.disclosure.models import DisclosureCategory, DisclosureItemPage
from dangjian.portal.demo import ensure_home
from dangjian.test import ARTIFACTS, BROWSER_MARKS, PASSWORD, CityMixin

VALID_ID = "110101199003077571"
TITLE = "关于张伟同志拟任职务的公示"

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


def login(browser, base, username, width=1280, height=900):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return page


def submit_in_admin(page):
    """Opens the save dropdown of the Wagtail editor and submits to the workflow."""
    # Leave the rich text editor first: Draftail copies its content into the
    # form's hidden input on blur, and a quick submit could send it empty.
    page.locator("#id_title").click()
    page.wait_for_timeout(500)
    page.locator(
        "footer .dropdown-toggle, footer [data-w-dropdown-target='toggle']"
    ).first.click()
    # Wait for the POST's response page: load state alone may still be the
    # editor page's, and the database would be read before the save.
    with page.expect_navigation():
        page.locator("button[name='action-submit']").click()
    page.wait_for_load_state()


def test_editor_reviewer_and_approver_release_an_item(city, live_server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.url

    # 1. The editor drafts the item in the admin and submits it.
    editor = login(browser, base, "editor")
    editor.goto(
        f"{base}/admin/pages/add/disclosure/disclosureitempage/{city.section.pk}/"
    )
    editor.fill("#id_title", TITLE)
    editor.select_option("#id_category", label="干部任前公示")
    editor.fill("#id_summary", "拟任职务公示")
    body = editor.locator(".DraftEditor-root [contenteditable='true']").first
    body.click()
    body.type(f"张伟，男，1990年3月生，身份证号{VALID_ID}，拟任宣传部科长。")
    editor.screenshot(
        path=str(ARTIFACTS / "disclosure-admin-draft.png"), full_page=True
    )
    submit_in_admin(editor)
    item = DisclosureItemPage.objects.get(draft_title=TITLE)
    state = actions.current_task_state(item)
    assert state is not None and state.task.name == "保密审查"

    # 2. On a phone, the reviewer sees the flagged number and sends it back.
    reviewer = login(browser, base, "reviewer", 375, 812)
    reviewer.goto(base + "/disclosure/review/")
    with reviewer.expect_navigation():
        reviewer.get_by_role("link", name=TITLE).click()
    assert reviewer.locator("mark", has_text=VALID_ID).is_visible()
    assert reviewer.evaluate("document.documentElement.scrollWidth") <= 375
    reviewer.screenshot(
        path=str(ARTIFACTS / "disclosure-review-375.png"), full_page=True
    )
    id_flag = reviewer.locator(
        "li.flag", has=reviewer.locator("mark", has_text=VALID_ID)
    )
    id_flag.get_by_label("须删改").check()
    id_flag.get_by_placeholder("说明（须删改时必填）").fill("公示不得包含身份证号")
    with reviewer.expect_navigation():
        id_flag.get_by_role("button", name="记录结论").click()
    reviewer.wait_for_selector("li.flag.redact")
    while reviewer.locator("li.flag.pending").count():
        flag = reviewer.locator("li.flag.pending").first
        flag.get_by_label("可以公开").check()
        with reviewer.expect_navigation():
            flag.get_by_role("button", name="记录结论").click()
    reviewer.fill("#id_reason", "请删除身份证号后重新提交")
    with reviewer.expect_navigation():
        reviewer.get_by_role("button", name="退回修改").click()
    reviewer.screenshot(
        path=str(ARTIFACTS / "disclosure-rejected-375.png"), full_page=True
    )
    assert reviewer.get_by_text("已退回编辑").is_visible()

    # 3. The editor sees the reason, removes the number and resubmits.
    editor.goto(f"{base}/me/")
    assert editor.get_by_text("请删除身份证号后重新提交").first.is_visible()
    editor.goto(f"{base}/admin/pages/{item.pk}/edit/")
    editor.screenshot(
        path=str(ARTIFACTS / "disclosure-admin-returned.png"), full_page=True
    )
    body = editor.locator(".DraftEditor-root [contenteditable='true']").first
    body.click()
    editor.keyboard.press("Control+A")
    editor.keyboard.type("张伟，男，1990年3月生，拟任宣传部科长。")
    editor.fill("#id_correction_note", "")
    submit_in_admin(editor)
    state = actions.current_task_state(item)
    assert state is not None and state.task.name == "保密审查"
    assert not actions.flags_for(item, state.revision).filter(rule="id_number").exists()

    # 4. The reviewer passes it; the approver approves it on a phone.
    reviewer.goto(f"{base}/disclosure/review/{state.pk}/")
    reviewer.get_by_role("button", name="通过保密审查").click()
    reviewer.wait_for_url("**/disclosure/review/")
    approver = login(browser, base, "approver", 375, 812)
    approver.goto(base + "/disclosure/review/")
    with approver.expect_navigation():
        approver.get_by_role("link", name=TITLE).click()
    approver.screenshot(
        path=str(ARTIFACTS / "disclosure-approve-375.png"), full_page=True
    )
    approver.get_by_role("button", name="批准发布").click()
    approver.wait_for_url("**/disclosure/review/")

    # 5. Anyone sees it in the public column, without the ID number.
    public = browser.new_page(viewport={"width": 375, "height": 812})
    public.goto(base + "/disclosure/")
    with public.expect_navigation():
        public.get_by_role("link", name=TITLE).click()
    assert public.locator("h1").inner_text() == TITLE
    assert VALID_ID not in public.content()
    assert public.evaluate("document.documentElement.scrollWidth") <= 375
    public.screenshot(path=str(ARTIFACTS / "disclosure-item-375.png"), full_page=True)
    public.goto(base + "/disclosure/")
    public.screenshot(path=str(ARTIFACTS / "disclosure-column-375.png"), full_page=True)
