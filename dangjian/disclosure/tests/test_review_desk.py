"""The mobile review desk: reviewers and approvers act from a phone."""

from __future__ import annotations

from dangjian.disclosure import actions
from dangjian.disclosure.models import DisclosureItemPage, ScanFlag
from dangjian.disclosure.tests.helpers import VALID_ID, DisclosureTestCase


class ReviewDeskTestCase(DisclosureTestCase):
    def setUp(self):
        self.page = self.make_item(
            title="紧急：疫情防控发布会",
            body=f"<p>联系人身份证{VALID_ID}</p>",
            is_emergency=True,
        )
        actions.do_submit_item(self.page, acting_user=self.editor)
        self.state = actions.current_task_state(self.page)
        self.url = f"/disclosure/review/{self.state.pk}/"

    def test_the_reviewer_decides_each_flag_then_passes_it_on(self):
        self.client.force_login(self.reviewer)
        listing = self.client.get("/disclosure/review/")
        self.assertContains(listing, "紧急：疫情防控发布会")
        self.assertContains(listing, "紧急")
        page = self.client.get(self.url)
        self.assertContains(page, f"<mark>{VALID_ID}</mark>", html=False)
        self.assertContains(page, "办理时间线")
        # Approving with an open flag changes nothing and says why.
        response = self.client.post(self.url, {"action": "approve"}, follow=True)
        self.assertContains(response, "未作结论")
        self.assertEqual(actions.current_task_state(self.page).pk, self.state.pk)
        flag = ScanFlag.objects.get(page=self.page, rule="id_number")
        response = self.client.post(
            self.url,
            {"action": "decide", "flag": flag.pk, "decision": "redact", "reason": ""},
            follow=True,
        )
        self.assertContains(response, "须删改")
        flag.refresh_from_db()
        self.assertEqual(flag.decision, "")
        self.client.post(
            self.url,
            {
                "action": "decide",
                "flag": flag.pk,
                "decision": "publishable",
                "reason": "已脱敏",
            },
        )
        self.client.post(self.url, {"action": "approve"})
        approval = actions.current_task_state(self.page)
        self.assertEqual(approval.task.name, "单位审批")

        self.client.force_login(self.approver)
        response = self.client.post(
            f"/disclosure/review/{approval.pk}/", {"action": "approve"}, follow=True
        )
        self.assertContains(response, "已通过")
        self.assertTrue(DisclosureItemPage.objects.get(pk=self.page.pk).live)

    def test_a_rejection_needs_a_reason(self):
        self.client.force_login(self.reviewer)
        response = self.client.post(
            self.url, {"action": "reject", "reason": ""}, follow=True
        )
        self.assertContains(response, "退回时请写明理由")
        self.client.post(self.url, {"action": "reject", "reason": "删除身份证号"})
        self.assertIsNone(actions.current_task_state(self.page))

    def test_others_cannot_open_the_desk_item(self):
        for person in (self.member, self.outsider, self.editor_b, self.approver):
            self.client.force_login(person)
            self.assertEqual(self.client.get(self.url).status_code, 404, person)
            self.assertNotContains(
                self.client.get("/disclosure/review/"), "紧急：疫情防控发布会"
            )
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)

    def test_the_reviewers_my_page_lists_the_task(self):
        self.client.force_login(self.reviewer)
        self.assertContains(self.client.get("/me/"), "待我审查/审批 1 件")
