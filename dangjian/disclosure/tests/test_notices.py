import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

from django.test import override_settings

from dangjian.disclosure import actions
from dangjian.disclosure.tests.helpers import DisclosureTestCase
from dangjian.lib import sms
from dangjian.notify.models import Notification


@override_settings(DANGJIAN_NOTIFY_QUIET_HOURS=None)
class DisclosureNoticesTestCase(DisclosureTestCase):
    def setUp(self):
        super().setUp()
        sms.outbox.clear()
        self.reviewer.mobile = "13900000009"
        self.reviewer.save(update_fields=["mobile"])

    def inbox(self, person):
        return list(
            Notification.objects.filter(recipient=person).values_list(
                "title", flat=True
            )
        )

    def test_the_reviewer_then_the_approver_are_told_an_item_waits(self):
        page = self.make_item(title="年度工作要点")
        with self.captureOnCommitCallbacks(execute=True):
            actions.do_submit_item(page, acting_user=self.editor)
        self.assertEqual(self.inbox(self.reviewer), ["待您保密审查：年度工作要点"])
        self.assertEqual(self.inbox(self.approver), [])
        self.assertEqual(self.inbox(self.editor_b), [])
        with self.captureOnCommitCallbacks(execute=True):
            self.decide_all(page)
            self.step(page, self.reviewer)
        self.assertEqual(self.inbox(self.approver), ["待您审批：年度工作要点"])
        n = Notification.objects.get(recipient=self.approver)
        self.assertEqual(n.url, f"/admin/pages/{page.pk}/edit/")
        self.assertEqual(list(sms.outbox), [])  # not an emergency: inbox only

    def test_an_emergency_item_reaches_the_reviewer_at_once_by_sms(self):
        page = self.make_item(title="突发事件处置情况", is_emergency=True)
        night = dt.datetime(2026, 3, 10, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
        with (
            override_settings(DANGJIAN_NOTIFY_QUIET_HOURS=(22, 8)),
            mock.patch("django.utils.timezone.now", return_value=night),
        ):
            with self.captureOnCommitCallbacks(execute=True):
                actions.do_submit_item(page, acting_user=self.editor)
        self.assertEqual(len(sms.outbox), 1)
        self.assertEqual(sms.outbox[0]["mobile"], "13900000009")
        self.assertIn(
            "【紧急】待您保密审查：突发事件处置情况", sms.outbox[0]["message"]
        )

    def test_a_withdrawn_items_editor_is_told_why(self):
        page = self.release(self.make_item(title="过期的通知"))
        with self.captureOnCommitCallbacks(execute=True):
            actions.do_withdraw_item(
                page, reason="内容已过时效", acting_user=self.approver
            )
        n = Notification.objects.get(recipient=self.editor, kind="disclosure.withdrawn")
        self.assertEqual(n.title, "您编辑的事项已撤回：过期的通知")
        self.assertEqual(n.body, "撤回理由：内容已过时效")
