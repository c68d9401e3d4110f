from django.urls import reverse

from dangjian.notify.models import Delivery
from dangjian.notify.tests.helpers import KindsMixin
from dangjian.test import BaseTestCase


class FailedDeliveriesTestCase(KindsMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.send("test.quiet", [self.member], {"title": "宣传部成员的通知"}, "a")
        self.send("test.quiet", [self.outsider], {"title": "公安局成员的通知"}, "b")
        for person, key in ((self.member, "a"), (self.outsider, "b")):
            Delivery.objects.create(
                notification=person.notifications.get(dispatch__event_key=key),
                recipient=person,
                channel="sms",
                status=Delivery.Status.FAILED,
                attempts=5,
                last_error="号码不存在",
            )

    def test_a_unit_admin_sees_the_failures_of_their_people_only(self):
        self.client.force_login(self.secretary)
        response = self.client.get(reverse("notify_failed_deliveries"))
        self.assertContains(response, "宣传部成员的通知")
        self.assertContains(response, "号码不存在")
        self.assertNotContains(response, "公安局成员的通知")

    def test_a_member_cannot_see_the_failures(self):
        self.client.force_login(self.member)
        response = self.client.get(reverse("notify_failed_deliveries"))
        self.assertIn(response.status_code, (302, 403))

    def test_a_retry_reaches_only_the_admins_own_people(self):
        self.secretary.is_staff = True
        self.client.force_login(self.secretary)
        theirs = Delivery.objects.get(recipient=self.outsider)
        mine = Delivery.objects.get(recipient=self.member)
        self.member.mobile = "13900000001"
        self.member.save(update_fields=["mobile"])
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                reverse("notify_failed_deliveries"),
                {"retry": [str(mine.pk), str(theirs.pk)]},
            )
        mine.refresh_from_db()
        theirs.refresh_from_db()
        self.assertEqual(mine.status, Delivery.Status.SENT)
        self.assertEqual(theirs.status, Delivery.Status.FAILED)
