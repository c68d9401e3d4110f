"""The public side: the 宣讲 calendar, event pages, the QR code and ratings."""

from __future__ import annotations

import uuid

from django.test import override_settings
from django.urls import reverse

from dangjian.outreach.identity import DEVICE_COOKIE
from dangjian.outreach.models import Rating
from dangjian.outreach.tests.base import OutreachTestCase


class CalendarTests(OutreachTestCase):
    def test_the_calendar_lists_upcoming_public_events_by_district(self):
        response = self.client.get(reverse("outreach:index"))
        self.assertContains(response, "学习二十大精神进社区")
        self.assertContains(response, "乌达区乡村振兴政策宣讲")
        only_h = self.client.get(
            reverse("outreach:index"), {"district": self.district_h.pk}
        )
        self.assertContains(only_h, "学习二十大精神进社区")
        self.assertNotContains(only_h, "乌达区乡村振兴政策宣讲")

    def test_the_site_navigation_leads_to_the_calendar(self):
        home = self.client.get("/")
        self.assertContains(home, f'href="{reverse("outreach:index")}"')

    def test_an_event_that_is_not_public_is_nowhere_on_the_public_side(self):
        self.upcoming_w.is_public = False
        self.upcoming_w.save(update_fields=["is_public"])
        self.assertNotContains(
            self.client.get(reverse("outreach:index")), "乌达区乡村振兴政策宣讲"
        )
        page = self.client.get(reverse("outreach:event", args=[self.upcoming_w.pk]))
        self.assertEqual(page.status_code, 404)
        api = self.client.get("/api/outreach/events")
        self.assertNotIn("乌达区乡村振兴政策宣讲", api.content.decode())

    def test_a_bad_district_is_refused_in_chinese(self):
        response = self.client.get(reverse("outreach:index"), {"district": "abc"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("区的编号不正确", response.content.decode())
        api = self.client.get("/api/outreach/events", {"when": "someday"})
        self.assertEqual(api.status_code, 422)
        self.assertEqual(api.json()["code"], "invalid")

    def test_the_api_gives_upcoming_and_past_events_by_district(self):
        upcoming = self.client.get(
            "/api/outreach/events", {"district": self.district_h.pk}
        ).json()
        self.assertEqual([e["topic"] for e in upcoming], ["学习二十大精神进社区"])
        past = self.client.get("/api/outreach/events", {"when": "past"}).json()
        self.assertEqual([e["topic"] for e in past], ["中国式现代化百姓谈"])
        self.assertEqual(past[0]["people_reached"], 120)
        self.assertEqual(past[0]["district"], "海南区")

    def test_the_event_page_shows_a_qr_code_for_the_rating_form(self):
        page = self.client.get(reverse("outreach:event", args=[self.past_h.pk]))
        self.assertContains(page, reverse("outreach:event-qr", args=[self.past_h.pk]))
        self.assertContains(page, "受众人数")
        qr = self.client.get(reverse("outreach:event-qr", args=[self.past_h.pk]))
        self.assertEqual(qr["Content-Type"], "image/svg+xml")
        self.assertIn(b"<svg", qr.content)


class RatingTests(OutreachTestCase):
    def setUp(self):
        super().setUp()
        # A fresh client address: rate limits outlive a test (in Redis).
        self.client.defaults["REMOTE_ADDR"] = f"2001:db8::{uuid.uuid4().hex[:4]}"

    def rate(self, score="5", mobile="", **extra):
        return self.client.post(
            reverse("outreach:rate", args=[self.past_h.pk]),
            {"score": score, "comment": "讲得很好", "mobile": mobile},
            **extra,
        )

    def test_a_resident_rates_an_event_once_from_the_same_device(self):
        form = self.client.get(reverse("outreach:rate", args=[self.past_h.pk]))
        self.assertIn(DEVICE_COOKIE, form.cookies)
        self.assertContains(self.rate(), "感谢您的评价")
        again = self.rate(score="1")
        self.assertEqual(again.status_code, 409)
        self.assertContains(again, "您已评价过本场活动", status_code=409)
        self.assertEqual(Rating.objects.get().score, 5)

    def test_the_same_phone_from_another_device_counts_once(self):
        self.rate(mobile="13912345678")
        self.client.cookies.clear()
        other = self.rate(mobile="139 1234 5678", HTTP_USER_AGENT="another phone")
        self.assertEqual(other.status_code, 409)
        self.assertEqual(Rating.objects.count(), 1)

    def test_a_made_up_device_cookie_buys_no_second_rating(self):
        self.rate()
        self.client.cookies[DEVICE_COOKIE] = (
            "madeupdevice123.0123456789abcdef0123456789abcdef"
        )
        self.assertEqual(self.rate().status_code, 409)
        self.assertEqual(Rating.objects.count(), 1)

    def test_bad_ratings_are_refused_in_chinese(self):
        for score, message in (
            ("0", "评分应为 1 到 5 分"),
            ("9", "评分应为 1 到 5 分"),
        ):
            response = self.rate(score=score)
            self.assertContains(response, message, status_code=422)
        self.assertContains(
            self.rate(mobile="12345"), "请输入 11 位手机号", status_code=422
        )
        self.assertFalse(Rating.objects.exists())

    def test_the_api_counts_a_rating_once_per_device(self):
        url = f"/api/outreach/events/{self.past_h.pk}/ratings"
        first = self.client.post(url, {"score": 4}, "application/json")
        again = self.client.post(url, {"score": 4}, "application/json")
        self.assertEqual((first.status_code, again.status_code), (201, 409))
        self.assertIn("已评价", again.json()["detail"])
        bad = self.client.post(
            url, {"score": 6}, "application/json", HTTP_USER_AGENT="x"
        )
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(Rating.objects.count(), 1)

    @override_settings(DANGJIAN_OUTREACH_RATING_RATE=(2, 3600))
    def test_ratings_are_throttled_per_client(self):
        statuses = [
            self.rate(HTTP_USER_AGENT=f"phone {n}").status_code for n in range(3)
        ]
        self.assertEqual(statuses, [200, 200, 429])
        self.assertEqual(Rating.objects.count(), 2)
