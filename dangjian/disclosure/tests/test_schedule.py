"""Routine release at the scheduled time (Asia/Shanghai) and emergency release."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.utils import timezone
from wagtail.models import PageLogEntry

from dangjian.disclosure import actions
from dangjian.disclosure.models import DisclosureItemPage
from dangjian.disclosure.tests.helpers import DisclosureTestCase

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC


def at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


class ScheduledReleaseTestCase(DisclosureTestCase):
    def test_it_goes_live_at_nine_in_the_morning_shanghai_time(self):
        nine = dt.datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
        with at(dt.datetime(2026, 11, 30, 8, 0, tzinfo=UTC)):
            page = self.make_item(title="干部任前公示（第6批）", go_live_at=nine)
            page = self.release(page)
        self.assertFalse(page.live)
        self.assertEqual(page.scheduled_revision.approved_go_live_at, nine)
        self.assertTrue(
            PageLogEntry.objects.filter(page=page, action="wagtail.publish.schedule")
        )
        # 08:59 in Shanghai is 00:59 UTC: not yet.
        with at(dt.datetime(2026, 12, 1, 0, 59, tzinfo=UTC)):
            call_command("publish_scheduled")
        self.assertFalse(DisclosureItemPage.objects.get(pk=page.pk).live)
        self.assertEqual(self.client.get("/api/disclosures").json()["total"], 0)
        # The scheduler (cron, every minute) runs just after 09:00.
        with at(dt.datetime(2026, 12, 1, 1, 0, 30, tzinfo=UTC)):
            call_command("publish_scheduled")
        page = DisclosureItemPage.objects.get(pk=page.pk)
        self.assertTrue(page.live)
        self.assertEqual(timezone.localtime(page.first_published_at, SHANGHAI).hour, 9)
        record = page.releases.get()
        self.assertTrue(record.via_workflow)
        self.assertIsNone(record.released_by)

    def test_an_emergency_item_is_released_on_approval_and_its_timeline_kept(self):
        page = self.make_item(title="疫情防控新闻发布会（第12场）", is_emergency=True)
        page = self.release(page)
        self.assertTrue(page.live)
        rows = actions.timeline(page)
        labels = [r["action"] for r in rows]
        for action in (
            "wagtail.workflow.start",
            "dangjian.disclosure.scan",
            "wagtail.workflow.approve",
            "wagtail.publish",
            "dangjian.disclosure.release",
        ):
            self.assertIn(action, labels)
        self.assertTrue(all(r["minutes"] is not None for r in rows))
        self.assertTrue(page.releases.get().is_emergency)
