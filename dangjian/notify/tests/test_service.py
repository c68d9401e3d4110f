import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

from django.core import mail
from django.test import override_settings

from dangjian.lib import sms
from dangjian.notify.delivery import deliver_due, send_digests
from dangjian.notify.models import Delivery, Dispatch, Notification, Preference
from dangjian.notify.service import Audience
from dangjian.notify.tests.helpers import KindsMixin
from dangjian.test import BaseTestCase

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(hour, minute=0, day=10):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


class ServiceTestCase(KindsMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        sms.outbox.clear()
        for person, mobile in (
            (self.member, "13900000001"),
            (self.sibling, "13900000002"),
        ):
            person.mobile = mobile
            person.save(update_fields=["mobile"])

    def recipients(self, key="event-1"):
        return set(
            Notification.objects.filter(dispatch__event_key=key).values_list(
                "recipient__username", flat=True
            )
        )

    def test_an_audience_with_sub_organisations_reaches_the_people_of_the_subtree(self):
        self.send("test.quiet", Audience.of([self.unit_a], include_descendants=True))
        self.assertEqual(
            self.recipients(),
            {"editor", "reviewer", "approver", "secretary", "member", "sibling"},
        )

    def test_an_audience_without_sub_organisations_reaches_only_its_own_people(self):
        self.send("test.quiet", Audience.of([self.unit_a]))
        self.assertEqual(
            self.recipients(), {"editor", "reviewer", "approver", "secretary"}
        )

    def test_nothing_about_a_party_item_reaches_anyone_outside_its_scope(self):
        everyone = Audience.of([self.city], include_descendants=True)
        self.send("test.quiet", everyone, scope=Audience.of([self.branch_a1]))
        self.assertEqual(self.recipients(), {"member"})
        self.send(
            "test.quiet",
            [self.outsider, self.member, self.sibling],
            key="event-2",
            scope=Audience.of([self.unit_a], include_descendants=True),
        )
        self.assertEqual(self.recipients("event-2"), {"member", "sibling"})

    def test_the_same_event_twice_gives_one_notification(self):
        first = self.send("test.notice", [self.member])
        again = self.send("test.notice", [self.member])
        self.assertIsNotNone(first)
        self.assertIsNone(again)
        self.assertEqual(Notification.objects.filter(recipient=self.member).count(), 1)
        self.assertEqual(len(sms.outbox), 1)

    def test_the_text_and_link_come_from_the_kind(self):
        self.send(
            "test.notice",
            [self.member],
            {"title": "党史竞赛", "id": 7, "deadline": "3月20日"},
        )
        n = Notification.objects.get(recipient=self.member)
        self.assertEqual(n.title, "《党史竞赛》开始了")
        self.assertEqual(n.body, "请于 3月20日 前完成")
        self.assertEqual(n.url, "/quiz/contests/7/")
        self.assertIn("《党史竞赛》开始了", sms.outbox[-1]["message"])
        self.assertIn("/quiz/contests/7/", sms.outbox[-1]["message"])

    def test_nothing_is_sent_before_the_transaction_commits(self):
        from dangjian.notify.service import notify

        notify("test.notice", [self.member], {"title": "x"}, "uncommitted")
        self.assertFalse(Notification.objects.exists())
        self.assertEqual(len(sms.outbox), 0)

    def test_an_unknown_kind_is_an_error(self):
        with self.assertRaises(LookupError):
            self.send("test.nothing", [self.member])

    def test_a_person_who_turned_a_channel_off_gets_only_the_inbox(self):
        Preference.objects.create(
            person=self.member, kind="test.notice", channel="sms", enabled=False
        )
        self.send("test.notice", [self.member, self.sibling])
        self.assertEqual(Notification.objects.count(), 2)
        self.assertEqual([m["mobile"] for m in sms.outbox], ["13900000002"])

    def test_a_person_may_turn_on_a_channel_the_kind_does_not_use(self):
        Preference.objects.create(
            person=self.member, kind="test.quiet", channel="sms", enabled=True
        )
        self.send("test.quiet", [self.member, self.sibling])
        self.assertEqual([m["mobile"] for m in sms.outbox], ["13900000001"])

    def test_a_person_without_a_mobile_gets_no_sms_delivery(self):
        self.send("test.notice", [self.outsider])
        self.assertTrue(Notification.objects.filter(recipient=self.outsider).exists())
        self.assertFalse(Delivery.objects.exists())

    @override_settings(DANGJIAN_NOTIFY_QUIET_HOURS=(22, 8))
    def test_in_quiet_hours_sms_waits_until_eight_in_the_morning(self):
        with mock.patch("django.utils.timezone.now", return_value=at(23, 30)):
            self.send("test.notice", [self.member])
        delivery = Delivery.objects.get()
        self.assertEqual(delivery.status, Delivery.Status.PENDING)
        self.assertEqual(delivery.due_at, at(8, day=11))
        self.assertEqual(len(sms.outbox), 0)
        # The inbox has it at once.
        self.assertTrue(Notification.objects.filter(recipient=self.member).exists())
        with mock.patch("django.utils.timezone.now", return_value=at(7, 59, day=11)):
            with self.captureOnCommitCallbacks(execute=True):
                deliver_due()
        self.assertEqual(len(sms.outbox), 0)
        with mock.patch("django.utils.timezone.now", return_value=at(8, 1, day=11)):
            with self.captureOnCommitCallbacks(execute=True):
                deliver_due()
        self.assertEqual(len(sms.outbox), 1)
        self.assertEqual(Delivery.objects.get().status, Delivery.Status.SENT)

    @override_settings(DANGJIAN_NOTIFY_QUIET_HOURS=(22, 8))
    def test_an_emergency_is_sent_at_once_even_in_quiet_hours(self):
        self.member.email = "member@example.cn"
        self.member.save(update_fields=["email"])
        with mock.patch("django.utils.timezone.now", return_value=at(2)):
            self.send("test.emergency", [self.member], {"title": "停水通知"})
        self.assertEqual(len(sms.outbox), 1)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].subject, "紧急：停水通知")

    @override_settings(DANGJIAN_NOTIFY_DIGEST_AFTER=2)
    def test_more_than_the_limit_in_an_hour_is_folded_into_one_digest(self):
        with mock.patch("django.utils.timezone.now", return_value=at(10)):
            for n in range(5):
                self.send("test.notice", [self.member], {"title": f"竞赛{n}"}, f"e{n}")
        self.assertEqual(len(sms.outbox), 2)
        self.assertEqual(
            Delivery.objects.filter(status=Delivery.Status.HELD).count(), 3
        )
        self.assertEqual(send_digests(at(10, 30)), 0)
        self.assertEqual(send_digests(at(11, 1)), 1)
        self.assertEqual(len(sms.outbox), 3)
        self.assertIn("您有 3 条新通知", sms.outbox[-1]["message"])
        self.assertEqual(
            Delivery.objects.filter(status=Delivery.Status.DIGESTED).count(), 3
        )
        # The inbox keeps every one of them.
        self.assertEqual(Notification.objects.filter(recipient=self.member).count(), 5)

    @override_settings(DANGJIAN_NOTIFY_DIGEST_AFTER=1)
    def test_emergencies_are_never_folded_into_a_digest(self):
        with mock.patch("django.utils.timezone.now", return_value=at(10)):
            for n in range(3):
                self.send("test.emergency", [self.member], {"title": f"{n}"}, f"e{n}")
        self.assertEqual(len(sms.outbox), 3)

    @override_settings(
        DANGJIAN_SMS_BACKEND="dangjian.notify.tests.test_service.BrokenSms"
    )
    def test_a_failed_sms_is_logged_and_retried_then_given_up(self):
        with mock.patch("django.utils.timezone.now", return_value=at(10)):
            self.send("test.notice", [self.member])
        delivery = Delivery.objects.get()
        self.assertEqual(delivery.status, Delivery.Status.PENDING)
        self.assertEqual(delivery.attempts, 1)
        self.assertIn("网关拒绝", delivery.last_error)
        self.assertEqual(delivery.due_at, at(10, 1))
        moment = at(10)
        for _try in range(10):
            moment += dt.timedelta(hours=3)
            with mock.patch("django.utils.timezone.now", return_value=moment):
                with self.captureOnCommitCallbacks(execute=True):
                    deliver_due()
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, Delivery.Status.FAILED)
        self.assertEqual(delivery.attempts, 5)

    def test_a_batch_whose_worker_died_is_sent_by_the_periodic_pass(self):
        self.send("test.notice", [self.member])
        delivery = Delivery.objects.get()
        sms.outbox.clear()
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.SENDING,
            sent_at=None,
            due_at=delivery.due_at - dt.timedelta(minutes=5),
        )
        with self.captureOnCommitCallbacks(execute=True):
            deliver_due()
        self.assertEqual(len(sms.outbox), 0)  # claimed only minutes ago
        Delivery.objects.filter(pk=delivery.pk).update(
            due_at=delivery.due_at - dt.timedelta(minutes=20)
        )
        with self.captureOnCommitCallbacks(execute=True):
            deliver_due()
        self.assertEqual(len(sms.outbox), 1)
        self.assertEqual(Delivery.objects.get().status, Delivery.Status.SENT)

    def test_an_event_left_without_fan_out_is_picked_up_by_the_periodic_pass(self):
        from dangjian.notify.service import notify

        notify("test.quiet", [self.member], {"title": "x"}, "lost")
        # The commit hook never ran (a crash between commit and enqueue).
        self.assertEqual(Dispatch.objects.get().recipients, 0)
        with self.captureOnCommitCallbacks(execute=True):
            deliver_due()
        self.assertEqual(Dispatch.objects.get().recipients, 1)


class BrokenSms(sms.BaseBackend):
    def send(self, mobile, message, template="", params=None):
        raise sms.SmsError("网关拒绝：余额不足")
