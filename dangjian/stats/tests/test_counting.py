"""Views are counted on the server, per object, channel and day, only for
answers the visitor was allowed to see, and without storing IP addresses."""

from __future__ import annotations

import datetime as dt
import time

from django.contrib.contenttypes.models import ContentType
from django.db import OperationalError
from django.test import RequestFactory, TransactionTestCase, override_settings

from dangjian.disclosure.models import DisclosureItemPage
from dangjian.disclosure.tests.helpers import DisclosureTestCase
from dangjian.orgs.models import Organisation
from dangjian.stats import counting
from dangjian.stats.models import DailyViews, DailyVisitor
from dangjian.stats.tests.helpers import NO_AUTO_FLUSH, PendingCountsMixin


def views_of(page, **filters) -> int:
    rows = DailyViews.objects.filter(
        content_type=ContentType.objects.get_for_model(DisclosureItemPage),
        object_id=page.pk,
        **filters,
    )
    return sum(rows.values_list("views", flat=True))


@NO_AUTO_FLUSH
class PageCountingTestCase(PendingCountsMixin, DisclosureTestCase):
    def setUp(self):
        super().setUp()
        self.public = self.release(self.make_item("市委宣传部公开事项"))
        self.internal = self.release(
            self.make_item(
                "宣传部党内事项",
                scope="internal",
                audience=[self.branch_a1],
                include_descendants=False,
            )
        )

    def test_it_counts_a_public_page_view_after_flush(self):
        self.assertEqual(self.client.get(self.public.url).status_code, 200)
        self.assertEqual(self.client.get(self.public.url).status_code, 200)
        self.assertEqual(views_of(self.public), 0, "nothing is written before a flush")
        self.assertEqual(counting.flush_views(), 2)
        self.assertEqual(views_of(self.public), 2)
        row = DailyViews.objects.get()
        self.assertEqual(row.visitors, 1, "the same browser twice is one visitor")
        self.assertEqual(row.channel, "direct")

    def test_it_attributes_the_share_parameter_and_the_referrer(self):
        self.client.get(self.public.url + "?from=weibo")
        self.client.get(self.public.url + "?from=groupmessage")
        self.client.get(self.public.url, HTTP_REFERER="https://www.baidu.com/s?wd=x")
        self.client.get(self.public.url, HTTP_REFERER="http://testserver/disclosure/")
        counting.flush_views()
        self.assertEqual(views_of(self.public, channel="weibo"), 1)
        self.assertEqual(views_of(self.public, channel="wechat"), 1)
        self.assertEqual(views_of(self.public, channel="search"), 1)
        self.assertEqual(views_of(self.public, channel="internal"), 1)

    def test_it_counts_an_internal_item_only_for_people_in_scope(self):
        anonymous = self.client.get(self.internal.url)
        self.assertNotEqual(anonymous.status_code, 200)
        self.client.force_login(self.outsider)
        self.assertIn(self.client.get(self.internal.url).status_code, (403, 404))
        self.client.force_login(self.sibling)  # same unit, other branch
        self.assertIn(self.client.get(self.internal.url).status_code, (403, 404))
        counting.flush_views()
        self.assertEqual(views_of(self.internal), 0)

        self.client.force_login(self.member)
        self.assertEqual(self.client.get(self.internal.url).status_code, 200)
        counting.flush_views()
        self.assertEqual(views_of(self.internal), 1)

    def test_it_does_not_count_a_head_request_or_a_missing_page(self):
        self.client.head(self.public.url)
        self.client.get(self.public.url + "no-such-child/")
        self.assertEqual(counting.flush_views(), 0)

    def test_it_counts_different_visitors_separately_without_keeping_their_ip(self):
        self.client.get(self.public.url, REMOTE_ADDR="10.1.2.3")
        self.client.get(self.public.url, REMOTE_ADDR="10.9.9.9")
        self.client.force_login(self.member)
        self.client.get(self.public.url, REMOTE_ADDR="10.1.2.3")
        counting.flush_views()
        row = DailyViews.objects.get()
        self.assertEqual((row.views, row.visitors), (3, 3))
        for visitor in DailyVisitor.objects.values_list("visitor", flat=True):
            self.assertNotIn("10.", visitor)

    def test_other_apps_can_count_a_non_page_object(self):
        request = RequestFactory().get("/kb/1/?from=wechat")
        counting.count_view(request, self.unit_a)
        counting.flush_views()
        row = DailyViews.objects.get()
        self.assertEqual(row.content_type.model, "organisation")
        self.assertEqual((row.object_id, row.channel), (self.unit_a.pk, "wechat"))

    @override_settings(DANGJIAN_VIEW_COUNTING=False)
    def test_it_counts_nothing_when_counting_is_off(self):
        self.assertEqual(self.client.get(self.public.url).status_code, 200)
        self.assertEqual(counting.pending_views(), 0)


class VisitorHashTestCase(DisclosureTestCase):
    def test_the_visitor_hash_changes_from_day_to_day(self):
        request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
        request.user = self.outsider
        today = dt.date(2026, 11, 29)
        first = counting.visitor_hash(request, today)
        self.assertEqual(first, counting.visitor_hash(request, today))
        self.assertNotEqual(
            first, counting.visitor_hash(request, today + dt.timedelta(1))
        )

    @override_settings(DANGJIAN_TRUST_X_FORWARDED_FOR=True)
    def test_a_visitor_cannot_become_many_by_forging_forwarded_entries(self):
        day = dt.date(2026, 11, 29)
        hashes = set()
        for forged in ("198.51.100.1", "198.51.100.2"):
            request = RequestFactory().get(
                "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{forged}, 10.1.2.3"
            )
            request.user = None
            hashes.add(counting.visitor_hash(request, day))
        self.assertEqual(len(hashes), 1, "the proxy's entry (the last) is the address")

    def test_the_channel_comes_from_the_in_app_browser_without_a_referrer(self):
        factory = RequestFactory()
        wechat = factory.get("/", HTTP_USER_AGENT="Mozilla/5.0 MicroMessenger/8.0")
        self.assertEqual(counting.channel_of(wechat), "wechat")
        self.assertEqual(counting.channel_of(factory.get("/")), "direct")
        odd = factory.get("/", HTTP_REFERER="https://example.org/")
        self.assertEqual(counting.channel_of(odd), "other")
        self.assertEqual(counting.channel_of(factory.get("/?from=xyz")), "other")


@override_settings(DANGJIAN_WRITE_BEHIND_SECONDS=1)
class AutomaticFlushTestCase(TransactionTestCase):
    """With nothing else running (``make run``: no Redis, no flush command),
    each process's flusher thread writes its views."""

    def setUp(self):
        ContentType.objects.clear_cache()
        counting.reset_pending()
        self.addCleanup(counting.reset_pending)
        self.unit = Organisation.add_root(
            name="计数单位", kind=Organisation.Kind.COMMITTEE
        )
        ContentType.objects.get_for_model(Organisation)

    def written(self) -> bool:
        try:
            return DailyViews.objects.exists()
        except OperationalError:  # SQLite in memory: the flusher holds the table
            return False

    def test_views_reach_the_database_with_nobody_flushing(self):
        request = RequestFactory().get("/x/")
        request.user = None
        for _ in range(3):
            counting.count_view(request, self.unit)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not self.written():
            time.sleep(0.2)
        self.assertEqual(DailyViews.objects.get(object_id=self.unit.pk).views, 3)
        self.assertEqual(counting.pending_views(), 0)
