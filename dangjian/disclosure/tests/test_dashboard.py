"""The admin's home page tells each role what the disclosure column wants of
them: the approver what waits for approval, the editor what the scan flagged."""

from __future__ import annotations

import re

from dangjian.disclosure import actions
from dangjian.disclosure.tests.helpers import VALID_ID, DisclosureTestCase


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


class DashboardTestCase(DisclosureTestCase):
    def dashboard(self, user) -> str:
        self.client.force_login(user)
        response = self.client.get("/admin/")
        self.assertEqual(response.status_code, 200)
        return visible_text(response.content.decode())

    def test_the_approvers_dashboard_lists_what_waits_for_their_approval(self):
        ours = self.make_item(title="宣传部拟表彰名单公示")
        actions.do_submit_item(ours, acting_user=self.editor)
        self.decide_all(ours)
        self.step(ours, self.reviewer)
        # Another unit's item at the same step is none of this approver's business.
        theirs = self.make_item(
            title="公安局拟表彰名单公示", section=self.section_b, editor=self.editor_b
        )
        actions.do_submit_item(theirs, acting_user=self.editor_b)
        self.step(theirs, self.admin)

        text = self.dashboard(self.approver)
        self.assertIn("待我办理的党务公开事项", text)
        self.assertIn("宣传部拟表彰名单公示", text)
        self.assertIn("待单位审批", text)
        self.assertNotIn("公安局拟表彰名单公示", text)
        # Listed once: Wagtail's own "awaiting your review" keeps other workflows.
        self.assertEqual(text.count("宣传部拟表彰名单公示"), 1)

    def test_an_approver_with_nothing_waiting_is_told_so(self):
        self.assertIn("目前没有等待您审查或审批的事项", self.dashboard(self.approver))

    def test_the_reviewer_sees_how_many_flags_wait_for_a_decision(self):
        item = self.make_item(title="报名名单", body=f"<p>身份证号：{VALID_ID}</p>")
        actions.do_submit_item(item, acting_user=self.editor)
        text = self.dashboard(self.reviewer)
        self.assertIn("报名名单", text)
        self.assertIn("待保密审查", text)
        self.assertIn("扫描标记 1 处待审查", text)

    def test_the_editor_is_told_which_of_their_items_the_scan_flagged(self):
        item = self.make_item(
            title="主题党日报名名单", body=f"<p>张伟，身份证号：{VALID_ID}</p>"
        )
        actions.do_submit_item(item, acting_user=self.editor)
        clean = self.make_item(title="学习计划", body="<p>认真学习。</p>")
        actions.do_submit_item(clean, acting_user=self.editor)

        text = self.dashboard(self.editor)
        self.assertIn("保密扫描提示：我的事项", text)
        flagged = text[text.index("保密扫描提示") : text.index("我的草稿与退回事项")]
        self.assertIn("主题党日报名名单", flagged)
        self.assertIn("等待保密审查", flagged)
        self.assertIn(f"身份证号（正文）：{VALID_ID} · 待审查", flagged)
        self.assertNotIn("学习计划", flagged)
        # Another unit's editor hears nothing of it.
        self.assertNotIn("主题党日报名名单", self.dashboard(self.editor_b))

    def test_the_editor_sees_their_drafts_and_what_was_sent_back(self):
        self.make_item(title="尚未提交的通知")
        sent_back = self.make_item(title="党费使用情况说明")
        actions.do_submit_item(sent_back, acting_user=self.editor)
        self.step(sent_back, self.reviewer, action="reject", comment="附表数据有误")

        text = self.dashboard(self.editor)
        drafts = text[text.index("我的草稿与退回事项") :]
        self.assertIn("尚未提交的通知", drafts)
        self.assertIn("草稿，尚未提交", drafts)
        self.assertIn("党费使用情况说明", drafts)
        self.assertIn("退回意见：附表数据有误", drafts)

    def test_a_units_figures_count_only_its_own_items(self):
        self.release(self.make_item(title="宣传部已发布"))
        self.release(
            self.make_item(
                title="公安局已发布", section=self.section_b, editor=self.editor_b
            ),
            editor=self.editor_b,
            reviewer=self.admin,
            approver=self.admin,
        )
        self.make_item(title="宣传部草稿")
        text = self.dashboard(self.secretary)
        self.assertIn("本单位已发布公开事项 1 条", text)
        self.assertIn("草稿与退回 1 条", text)

    def test_a_released_item_reads_as_published_in_the_page_explorer(self):
        self.release(self.make_item(title="宣传部已发布"))
        self.client.force_login(self.editor)
        response = self.client.get(f"/admin/pages/{self.section_a.pk}/")
        text = visible_text(response.content.decode())
        self.assertIn("宣传部已发布", text)
        self.assertIn("已发布", text)
        self.assertNotIn("在用", text)
