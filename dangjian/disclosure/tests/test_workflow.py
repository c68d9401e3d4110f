"""The release workflow: scan → 保密审查 → approval, and nothing skips it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.models import PageLogEntry, WorkflowState

from dangjian.disclosure import actions
from dangjian.disclosure.models import DisclosureItemPage, ReleaseRecord, ScanFlag
from dangjian.disclosure.tests.helpers import VALID_ID, DisclosureTestCase


def logged(page, action):
    return PageLogEntry.objects.filter(page=page, action=action)


class WorkflowTestCase(DisclosureTestCase):
    def test_it_releases_only_after_review_and_approval(self):
        page = self.make_item()
        actions.do_submit_item(page, acting_user=self.editor)
        task = actions.current_task_state(page).task.specific
        self.assertEqual(task.name, "保密审查")
        # The approver cannot act on the reviewer's step.
        with self.assertRaises(PermissionDenied):
            self.step(page, self.approver)
        self.step(page, self.reviewer)
        page.refresh_from_db()
        self.assertFalse(page.live)
        self.assertEqual(actions.current_task_state(page).task.name, "单位审批")
        # Nor can the reviewer approve the release.
        with self.assertRaises(PermissionDenied):
            self.step(page, self.reviewer)
        self.step(page, self.approver)
        page.refresh_from_db()
        self.assertTrue(page.live)
        record = ReleaseRecord.objects.get(page=page)
        self.assertTrue(record.via_workflow)
        self.assertEqual(record.released_by, self.approver)
        self.assertTrue(logged(page, "dangjian.disclosure.scan").exists())
        self.assertTrue(logged(page, "dangjian.disclosure.release").exists())
        self.assertFalse(logged(page, "dangjian.disclosure.direct_publish").exists())

    def test_a_double_approval_counts_once(self):
        page = self.make_item()
        actions.do_submit_item(page, acting_user=self.editor)
        stale = actions.current_task_state(page)
        actions.do_task_action(stale, action="approve", acting_user=self.reviewer)
        with self.assertRaisesMessage(PermissionDenied, "已经办结"):
            actions.do_task_action(stale, action="approve", acting_user=self.reviewer)
        self.assertEqual(
            logged(page, "wagtail.workflow.approve").filter(user=self.reviewer).count(),
            1,
        )

    def test_page_choosers_hide_other_units_unreleased_items(self):
        page = self.make_item(title="宣传部内部草稿")
        self.client.force_login(self.editor_b)
        response = self.client.get(
            "/admin/choose-page/search/", {"q": "宣传部内部草稿"}
        )
        self.assertNotContains(response, "宣传部内部草稿")
        self.client.force_login(self.editor)
        response = self.client.get(
            "/admin/choose-page/search/", {"q": "宣传部内部草稿"}
        )
        self.assertContains(response, "宣传部内部草稿")
        self.assertTrue(page.pk)

    def test_editors_and_approvers_cannot_publish_directly(self):
        page = self.make_item()
        for person in (self.editor, self.approver, self.secretary, self.reviewer):
            self.assertFalse(page.permissions_for_user(person).can_publish(), person)
        self.assertFalse(
            self.section_a.permissions_for_user(self.approver).can_publish_subpage()
        )
        self.client.force_login(self.approver)
        edit_url = f"/admin/pages/{page.pk}/edit/"
        response = self.client.get(edit_url)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'name="action-publish"')

    def test_a_superuser_can_publish_directly_and_it_is_audited(self):
        page = self.make_item()
        page.get_latest_revision().publish(user=self.admin)
        page.refresh_from_db()
        self.assertTrue(page.live)
        entry = logged(page, "dangjian.disclosure.direct_publish").get()
        self.assertEqual(entry.user, self.admin)
        self.assertFalse(ReleaseRecord.objects.get(page=page).via_workflow)

    def test_an_id_number_blocks_review_until_each_flag_is_decided(self):
        page = self.make_item(
            body=f"<p>报名人张伟，身份证号：{VALID_ID}。联系电话13912345678。</p>"
        )
        actions.do_submit_item(page, acting_user=self.editor)
        flags = list(ScanFlag.objects.filter(page=page))
        self.assertEqual(
            sorted(f.rule for f in flags), ["id_number", "mobile", "name_with_id"]
        )
        id_flag = next(f for f in flags if f.rule == "id_number")
        self.assertEqual(id_flag.text, VALID_ID)
        with self.assertRaisesMessage(ValidationError, "3 处扫描标记未作结论"):
            self.step(page, self.reviewer)
        actions.do_decide_flag(
            flags[0], decision="publishable", reason="", acting_user=self.reviewer
        )
        with self.assertRaisesMessage(ValidationError, "2 处"):
            self.step(page, self.reviewer)
        # Wagtail's own approve button is not offered while flags are open.
        task = actions.current_task_state(page).task.specific
        self.assertNotIn(
            "approve", [a[0] for a in task.get_actions(page, self.reviewer)]
        )
        self.decide_all(page)
        self.step(page, self.reviewer)
        self.assertEqual(actions.current_task_state(page).task.name, "单位审批")
        # One decision per flag, and the first flag decided twice.
        self.assertEqual(logged(page, "dangjian.disclosure.flag_decision").count(), 4)

    def test_only_the_units_reviewer_decides_flags(self):
        page = self.make_item(body=f"<p>身份证号{VALID_ID}</p>")
        actions.do_submit_item(page, acting_user=self.editor)
        flag = ScanFlag.objects.get(page=page, rule="id_number")
        for person in (self.editor, self.approver, self.editor_b, self.member):
            with self.assertRaises(PermissionDenied):
                actions.do_decide_flag(
                    flag, decision="publishable", reason="", acting_user=person
                )
        with self.assertRaises(ValidationError):
            actions.do_decide_flag(
                flag, decision="redact", reason=" ", acting_user=self.reviewer
            )
        flag.refresh_from_db()
        self.assertEqual(flag.decision, "")

    def test_a_rejection_returns_the_item_to_the_editor_with_the_reason(self):
        page = self.make_item(body=f"<p>身份证号{VALID_ID}</p>")
        actions.do_submit_item(page, acting_user=self.editor)
        self.decide_all(page, decision="redact", reason="身份证号须删除")
        with self.assertRaisesMessage(ValidationError, "须删改"):
            self.step(page, self.reviewer)
        with self.assertRaises(ValidationError):
            self.step(page, self.reviewer, action="reject", comment="  ")
        self.step(page, self.reviewer, action="reject", comment="请删除身份证号")
        state = WorkflowState.objects.for_instance(page).get()
        self.assertEqual(state.status, WorkflowState.STATUS_NEEDS_CHANGES)
        self.assertEqual(state.current_task_state.comment, "请删除身份证号")
        self.assertTrue(
            logged(page, "wagtail.workflow.reject")
            .filter(data__comment="请删除身份证号")
            .exists()
        )
        # The editor fixes it and resubmits; the new revision is scanned afresh.
        page = DisclosureItemPage.objects.get(pk=page.pk)
        page.body = "<p>报名人信息已删除。</p>"
        page.save_revision(user=self.editor)
        actions.do_submit_item(page, acting_user=self.editor)
        task_state = actions.current_task_state(page)
        self.assertEqual(task_state.task.name, "保密审查")
        self.assertFalse(actions.flags_for(page, task_state.revision).exists())
        self.step(page, self.reviewer)
        self.step(page, self.approver)
        self.assertTrue(DisclosureItemPage.objects.get(pk=page.pk).live)

    def test_changes_after_an_approver_rejection_are_reviewed_again(self):
        page = self.make_item()
        actions.do_submit_item(page, acting_user=self.editor)
        self.step(page, self.reviewer)
        self.step(page, self.approver, action="reject", comment="标题不规范")
        page = DisclosureItemPage.objects.get(pk=page.pk)
        page.body = f"<p>新增名单：身份证{VALID_ID}</p>"
        page.save_revision(user=self.editor)
        actions.do_submit_item(page, acting_user=self.editor)
        task_state = actions.current_task_state(page)
        self.assertEqual(task_state.task.name, "保密审查")
        self.assertTrue(
            actions.flags_for(page, task_state.revision).filter(rule="id_number")
        )

    def test_the_content_is_locked_while_in_review(self):
        page = self.make_item()
        actions.do_submit_item(page, acting_user=self.editor)
        page = DisclosureItemPage.objects.get(pk=page.pk)
        self.assertTrue(page.get_lock().for_user(self.editor))
        with self.assertRaises(ValidationError):
            actions.do_submit_item(page, acting_user=self.editor)

    def test_an_editor_of_another_unit_cannot_submit(self):
        page = self.make_item()
        with self.assertRaises(PermissionDenied):
            actions.do_submit_item(page, acting_user=self.editor_b)

    def test_withdrawal_keeps_a_visible_note_and_an_audit_entry(self):
        page = self.release(self.make_item())
        with self.assertRaises(PermissionDenied):
            actions.do_withdraw_item(page, reason="错误", acting_user=self.editor)
        with self.assertRaises(ValidationError):
            actions.do_withdraw_item(page, reason=" ", acting_user=self.approver)
        actions.do_withdraw_item(page, reason="依据已废止", acting_user=self.approver)
        page.refresh_from_db()
        self.assertFalse(page.live)
        self.assertIsNotNone(page.withdrawn_at)
        response = self.client.get(page.url)
        self.assertEqual(response.status_code, 410)
        self.assertContains(response, "依据已废止", status_code=410)
        self.assertNotContains(response, "坚持以人民为中心", status_code=410)
        entry = logged(page, "dangjian.disclosure.withdraw").get()
        self.assertEqual(entry.user, self.approver)
        self.assertNotContains(self.client.get("/disclosure/"), page.title)

    def test_a_correction_is_shown_and_earlier_versions_stay(self):
        page = self.release(self.make_item())
        first_revision = page.live_revision
        page.body = "<p>更正后的正文。</p>"
        page.correction_note = "第二段数据有误，已更正。"
        page.save_revision(user=self.editor)
        page = self.release(page)
        response = self.client.get(page.url)
        self.assertContains(response, "更正说明")
        self.assertContains(response, "第二段数据有误，已更正。")
        self.assertContains(response, "更正后的正文")
        self.assertIn("坚持以人民为中心", str(first_revision.content["body"]))
        self.assertTrue(logged(page, "dangjian.disclosure.correct").exists())

    def test_a_change_of_scope_is_audited(self):
        page = self.release(self.make_item())
        page.scope = "internal"
        page.audience = [self.unit_a]
        page.correction_note = "调整为党内公开。"
        page.save_revision(user=self.editor)
        page = self.release(page)
        entry = logged(page, "dangjian.disclosure.scope_change").get()
        self.assertEqual(entry.data["from"]["scope"], "public")
        self.assertEqual(entry.data["to"]["audience"], [self.unit_a.pk])


class ItemFormRulesTestCase(DisclosureTestCase):
    def check(self, **overrides):
        from dangjian.disclosure.forms import check_item_values

        values = dict(
            scope="public",
            audience_count=0,
            is_emergency=False,
            go_live_at=None,
            release_plan=None,
            plan_period="",
            previously_released=False,
            content_changed=False,
            correction_note="",
        )
        values.update(overrides)
        return check_item_values(**values)

    def test_internal_items_need_an_audience(self):
        self.assertIn("audience", self.check(scope="internal"))
        self.assertEqual(self.check(scope="internal", audience_count=1), {})
        self.assertIn("audience", self.check(scope="public", audience_count=1))

    def test_changing_a_released_item_needs_a_correction_note(self):
        self.assertIn(
            "correction_note",
            self.check(previously_released=True, content_changed=True),
        )
        self.assertEqual(
            self.check(
                previously_released=True, content_changed=True, correction_note="更正"
            ),
            {},
        )

    def test_emergency_items_cannot_be_scheduled(self):
        from django.utils import timezone

        self.assertIn(
            "go_live_at", self.check(is_emergency=True, go_live_at=timezone.now())
        )

    def test_plan_periods_are_checked(self):
        self.assertIn("plan_period", self.check(plan_period="2026-13"))
        self.assertEqual(self.check(plan_period="2026-Q4"), {})
