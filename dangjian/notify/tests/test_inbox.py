from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from dangjian.notify.models import Notification
from dangjian.notify.service import Audience
from dangjian.notify.tests.helpers import KindsMixin
from dangjian.test import BaseTestCase

BADGE = Template("{% load notify_tags %}{% notify_badge %}")


class InboxTestCase(KindsMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.send(
            "test.notice",
            Audience.of([self.branch_a1, self.branch_b1]),
            {"title": "党史知识竞赛", "id": 3},
            "contest-3",
        )
        self.send("test.quiet", [self.member], {"title": "学习计划即将截止"}, "plan-1")
        self.mine = Notification.objects.filter(recipient=self.member)
        self.theirs = Notification.objects.get(recipient=self.outsider)

    def badge(self, response):
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(response.content, "html.parser")
        return soup.select_one(".notify-badge")

    def test_every_page_shows_a_signed_in_person_their_unread_count(self):
        self.client.force_login(self.member)
        response = self.client.get(reverse("portal:me"))
        self.assertEqual(self.badge(response)["data-unread"], "2")

    def test_an_anonymous_page_has_no_badge_and_no_query_for_it(self):
        request = RequestFactory().get("/")
        request.user = AnonymousUser()
        with self.assertNumQueries(0):
            html = BADGE.render(Context({"request": request}))
        self.assertNotIn("notify-badge", html)

    def test_the_badge_costs_one_query(self):
        request = RequestFactory().get("/")
        request.user = self.member
        with self.assertNumQueries(1):
            html = BADGE.render(Context({"request": request}))
        self.assertIn('data-unread="2"', html)

    def test_the_inbox_lists_read_and_unread(self):
        self.mine.filter(kind="test.quiet").update(read_at="2026-01-01T00:00:00Z")
        self.client.force_login(self.member)
        response = self.client.get(reverse("notify:inbox"))
        self.assertContains(response, "《党史知识竞赛》开始了")
        self.assertContains(response, "学习计划即将截止")
        self.assertContains(
            response, '<strong class="notify-unread">1</strong>', html=True
        )
        unread = self.client.get(reverse("notify:inbox") + "?show=unread")
        self.assertNotContains(unread, "学习计划即将截止")

    def test_following_the_link_marks_it_read_and_opens_the_object(self):
        self.client.force_login(self.member)
        contest = self.mine.get(kind="test.notice")
        response = self.client.get(reverse("notify:open", args=[contest.pk]))
        self.assertRedirects(
            response, "/quiz/contests/3/", fetch_redirect_response=False
        )
        contest.refresh_from_db()
        self.assertTrue(contest.is_read)
        page = self.client.get(reverse("notify:inbox"))
        self.assertEqual(self.badge(page)["data-unread"], "1")

    def test_nobody_opens_another_persons_notification(self):
        self.client.force_login(self.member)
        response = self.client.get(reverse("notify:open", args=[self.theirs.pk]))
        self.assertEqual(response.status_code, 404)
        self.theirs.refresh_from_db()
        self.assertFalse(self.theirs.is_read)
        inbox = self.client.get(reverse("notify:inbox"))
        self.assertEqual(len(inbox.context["page"].object_list), 2)

    def test_mark_all_read_reads_only_ones_own(self):
        self.client.force_login(self.member)
        response = self.client.post(reverse("notify:read-all"), follow=True)
        self.assertContains(response, "已将 2 条通知标为已读")
        self.assertFalse(self.mine.unread().exists())
        self.assertTrue(
            Notification.objects.unread().filter(pk=self.theirs.pk).exists()
        )

    def test_the_inbox_needs_a_signed_in_person(self):
        response = self.client.get(reverse("notify:inbox"))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/login/", response["Location"])

    def test_a_person_chooses_channels_per_kind(self):
        self.client.force_login(self.member)
        page = self.client.get(reverse("notify:preferences"))
        self.assertContains(page, "测试通知")
        self.client.post(
            reverse("notify:preferences"),
            {"test.quiet:email": "1"},  # test.notice's SMS turned off
        )
        from dangjian.notify.actions import preferences_of

        chosen = preferences_of(self.member)
        self.assertFalse(chosen["test.notice"]["sms"])
        self.assertTrue(chosen["test.quiet"]["email"])
        self.assertTrue(preferences_of(self.sibling)["test.notice"]["sms"])


class ApiTestCase(KindsMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.send("test.quiet", [self.member, self.outsider], {"title": "通知甲"}, "a")
        self.send("test.quiet", [self.member], {"title": "通知乙"}, "b")

    def test_the_list_has_ones_own_notifications_newest_first(self):
        self.client.force_login(self.member)
        data = self.client.get("/api/notifications").json()
        self.assertEqual(data["unread"], 2)
        self.assertEqual([i["title"] for i in data["items"]], ["通知乙", "通知甲"])
        self.client.force_login(self.outsider)
        data = self.client.get("/api/notifications").json()
        self.assertEqual([i["title"] for i in data["items"]], ["通知甲"])

    def test_marking_read_lowers_the_unread_count(self):
        self.client.force_login(self.member)
        first = Notification.objects.filter(recipient=self.member).first()
        response = self.client.post(f"/api/notifications/{first.pk}/read")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["unread"], 1)
        data = self.client.get("/api/notifications?unread_only=true").json()
        self.assertEqual(data["count"], 1)

    def test_another_persons_notification_is_not_found(self):
        theirs = Notification.objects.get(recipient=self.outsider)
        self.client.force_login(self.member)
        response = self.client.post(f"/api/notifications/{theirs.pk}/read")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json()["code"], "not_found")
        theirs.refresh_from_db()
        self.assertFalse(theirs.is_read)

    def test_the_api_needs_a_signed_in_person(self):
        response = self.client.get("/api/notifications")
        self.assertEqual(response.status_code, 401)
        self.assertIn("detail", response.json())

    def test_an_out_of_range_limit_is_refused_in_chinese(self):
        self.client.force_login(self.member)
        response = self.client.get("/api/notifications?limit=100000")
        self.assertEqual(response.status_code, 422)
