"""A grid worker shares public items into their groups and logs visits."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from dangjian.lib.writebehind import flush_all
from dangjian.outreach.models import GridViews, Push, Visit
from dangjian.outreach.tests.base import OutreachTestCase
from dangjian.stats.models import DailyViews


class PushTests(OutreachTestCase):
    def setUp(self):
        super().setUp()
        self.public = self.published(title="社会公开：社区养老服务补贴办法")
        self.internal = self.internal_item()

    def share(self, item, grid=None, channel="wechat"):
        return self.client.post(
            reverse("outreach:grid-share"),
            {
                "grid": (grid or self.grid_h).pk,
                "kind": "disclosure",
                "object_id": item.pk,
                "channel": channel,
            },
        )

    def test_my_page_leads_a_grid_worker_to_the_phone_page(self):
        self.client.force_login(self.worker_h)
        response = self.client.get(reverse("portal:me"))
        self.assertContains(response, reverse("outreach:grid"))
        self.client.force_login(self.member)
        response = self.client.get(reverse("portal:me"))
        self.assertNotContains(response, reverse("outreach:grid"))

    def test_the_phone_page_lists_public_items_and_never_internal_ones(self):
        self.client.force_login(self.worker_h)
        response = self.client.get(reverse("outreach:grid"))
        self.assertContains(response, "社区养老服务补贴办法")
        self.assertNotContains(response, "支部换届选举结果")

    def test_a_grid_worker_shares_a_public_item_with_a_link_carrying_their_grid(self):
        self.client.force_login(self.worker_h)
        response = self.share(self.public)
        self.assertEqual(response.status_code, 200)
        push = Push.objects.get()
        self.assertEqual(push.grid, self.grid_h)
        self.assertIn(f"from=wechat.grid{self.grid_h.pk}", push.url)
        self.assertContains(response, push.url.replace("&", "&amp;"))

    def test_a_grid_worker_cannot_push_an_internal_item_from_the_page(self):
        self.client.force_login(self.worker_h)
        response = self.share(self.internal)
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "党内事项不能推送", status_code=422)
        self.assertFalse(Push.objects.exists())

    def test_a_grid_worker_cannot_push_an_internal_item_through_the_api(self):
        self.client.force_login(self.worker_h)
        response = self.client.post(
            "/api/outreach/pushes",
            {
                "grid": self.grid_h.pk,
                "kind": "disclosure",
                "object_id": self.internal.pk,
                "channel": "wechat",
            },
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn("党内事项不能推送", response.json()["detail"])
        self.assertFalse(Push.objects.exists())

    def test_the_api_gives_the_link_to_send_for_a_public_item(self):
        self.client.force_login(self.worker_h)
        response = self.client.post(
            "/api/outreach/pushes",
            {
                "grid": self.grid_h.pk,
                "kind": "disclosure",
                "object_id": self.public.pk,
                "channel": "qq",
            },
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 201)
        self.assertIn(f"from=other.grid{self.grid_h.pk}", response.json()["url"])

    def test_a_grid_worker_invites_residents_to_an_upcoming_event_not_a_past_one(self):
        self.client.force_login(self.worker_h)
        page = self.client.get(reverse("outreach:grid"))
        self.assertContains(page, "学习二十大精神进社区")
        self.assertNotContains(page, "中国式现代化百姓谈")
        for event, status in ((self.upcoming_h, 200), (self.past_h, 422)):
            response = self.client.post(
                reverse("outreach:grid-share"),
                {
                    "grid": self.grid_h.pk,
                    "kind": "outreach_event",
                    "object_id": event.pk,
                    "channel": "wechat",
                },
            )
            self.assertEqual(response.status_code, status)
        push = Push.objects.get()
        self.assertIn(f"/outreach/events/{self.upcoming_h.pk}/", push.url)
        self.client.logout()
        path = push.url.split("://", 1)[-1].split("/", 1)[1]
        self.assertEqual(self.client.get("/" + path).status_code, 200)
        flush_all()
        self.assertEqual(GridViews.objects.get(grid=self.grid_h).views, 1)

    def test_a_grid_worker_cannot_push_for_another_workers_grid(self):
        self.client.force_login(self.worker_h)
        response = self.share(self.public, grid=self.grid_w)
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "请从列表中选择", status_code=422)
        self.assertFalse(Push.objects.exists())

    def test_people_who_are_not_grid_workers_cannot_open_the_page_or_push(self):
        self.client.force_login(self.member)
        self.assertEqual(self.client.get(reverse("outreach:grid")).status_code, 403)
        self.assertEqual(self.share(self.public).status_code, 403)
        response = self.client.post(
            "/api/outreach/pushes",
            {"grid": self.grid_h.pk, "kind": "disclosure", "object_id": 1},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(reverse("outreach:grid")).status_code, 302)

    def test_views_arriving_through_a_grid_workers_link_are_counted_for_that_grid(
        self,
    ):
        self.client.force_login(self.worker_h)
        url = self.share(self.public).context["shared"].url
        self.client.logout()
        path = url.split("://", 1)[-1].split("/", 1)[1]
        for agent in ("phone-1", "phone-2", "phone-3"):
            response = self.client.get("/" + path, HTTP_USER_AGENT=agent)
            self.assertEqual(response.status_code, 200)
        # A plain visit and another grid's tag count elsewhere.
        self.client.get(self.public.url)
        self.client.get(self.public.url + f"?from=wechat.grid{self.grid_w.pk}")
        flush_all()
        type_id = ContentType.objects.get_for_model(self.public).pk
        counted = {
            row.grid_id: row.views
            for row in GridViews.objects.filter(
                content_type_id=type_id, object_id=self.public.pk
            )
        }
        self.assertEqual(counted, {self.grid_h.pk: 3, self.grid_w.pk: 1})
        # The views still count in the WeChat channel of the item's own figures.
        wechat = DailyViews.objects.get(object_id=self.public.pk, channel="wechat")
        self.assertEqual(wechat.views, 4)

    def test_a_view_of_an_internal_item_refused_to_an_outsider_is_not_counted(self):
        self.client.get(self.internal.url + f"?from=wechat.grid{self.grid_h.pk}")
        flush_all()
        self.assertFalse(GridViews.objects.exists())


class VisitTests(OutreachTestCase):
    def visit(self, **fields):
        data = {
            "grid": self.grid_h.pk,
            "day": timezone.localdate().isoformat(),
            "households": "12",
            "topics": "医保缴费政策",
            "note": "",
            "submission_key": "k-1",
        }
        data.update(fields)
        return self.client.post(reverse("outreach:grid-visit"), data)

    def test_a_grid_worker_logs_a_door_to_door_visit(self):
        self.client.force_login(self.worker_h)
        response = self.visit()
        self.assertRedirects(response, reverse("outreach:grid"))
        visit = Visit.objects.get()
        self.assertEqual((visit.grid, visit.households), (self.grid_h, 12))
        self.assertContains(self.client.get(reverse("outreach:grid")), "医保缴费政策")

    def test_a_double_submit_is_one_visit(self):
        self.client.force_login(self.worker_h)
        self.visit()
        self.visit()
        self.assertEqual(Visit.objects.count(), 1)

    def test_bad_input_is_refused_in_chinese_and_changes_nothing(self):
        self.client.force_login(self.worker_h)
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        cases = [
            ({"households": "0"}, "不能小于 1"),
            ({"households": "99999999"}, "不能大于 10000"),
            ({"households": "许多"}, "请输入整数"),
            ({"day": tomorrow.isoformat()}, "走访日期不能晚于今天"),
            ({"day": "2026-13-40"}, "日期格式不对"),
            ({"topics": ""}, "此项为必填项"),
            ({"topics": "长" * 201}, "不能超过 200 个字"),
        ]
        for fields, message in cases:
            with self.subTest(fields=fields):
                response = self.visit(submission_key="", **fields)
                self.assertEqual(response.status_code, 422)
                self.assertContains(response, message, status_code=422)
        # Control characters are refused at the edge, before the form.
        response = self.visit(topics="政策\x07宣讲")
        self.assertEqual(response.status_code, 400)
        self.assertIn("控制字符", response.content.decode())
        self.assertFalse(Visit.objects.exists())

    def test_a_form_sent_in_gbk_is_refused_in_chinese(self):
        self.client.force_login(self.worker_h)
        body = urlencode(
            {
                "grid": self.grid_h.pk,
                "day": timezone.localdate().isoformat(),
                "households": "3",
                "topics": "医保缴费政策",
            },
            encoding="gbk",
        )
        response = self.client.post(
            reverse("outreach:grid-visit"),
            body,
            content_type="application/x-www-form-urlencoded",
        )
        self.assertContains(response, "文字编码有误", status_code=422)
        api = self.client.post(
            "/api/outreach/visits",
            '{"grid": 1, "day": "2026-01-01", "households": 3, "topics": "医保"}'.encode(
                "gbk"
            ),
            content_type="application/json",
        )
        self.assertIn(api.status_code, (400, 422))
        self.assertRegex(api.json()["detail"], "[\u4e00-\u9fff]")
        self.assertFalse(Visit.objects.exists())

    def test_a_link_naming_no_grid_counts_for_none(self):
        item = self.published(title="社会公开：停车收费标准")
        for tag in ("grid999999", "grid", "gridabc", "grid" + "9" * 30):
            self.client.get(item.url + f"?from=wechat.{tag}")
        flush_all()
        self.assertFalse(GridViews.objects.exists())
        self.assertEqual(
            DailyViews.objects.get(object_id=item.pk, channel="wechat").views, 4
        )

    def test_the_api_logs_a_visit_once_per_submission_key(self):
        self.client.force_login(self.worker_h)
        body = {
            "grid": self.grid_h.pk,
            "day": timezone.localdate().isoformat(),
            "households": 8,
            "topics": "养老保险",
            "submission_key": "api-1",
        }
        first = self.client.post("/api/outreach/visits", body, "application/json")
        again = self.client.post("/api/outreach/visits", body, "application/json")
        self.assertEqual((first.status_code, again.status_code), (201, 200))
        self.assertEqual(first.json()["id"], again.json()["id"])
        bad = self.client.post(
            "/api/outreach/visits", {**body, "households": -3}, "application/json"
        )
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(bad.json()["errors"][0]["field"], "households")
