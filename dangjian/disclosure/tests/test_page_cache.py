"""Disclosure pages in the page cache (dangjian/lib/pagecache.py): a 党内
item is never stored for anyone, a withdrawn item leaves every stored page
at once, and an item page costs few queries when it is not stored."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from dangjian.disclosure import actions
from dangjian.disclosure.tests.helpers import DisclosureTestCase

PUBLIC_TITLE = "市委宣传部2026年度工作要点"
INTERNAL_TITLE = "关于红旗渠精神专题研讨的党内通知"


class DisclosurePageCacheTestCase(DisclosureTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        self = cls()
        cls.public = self.release(self.make_item(PUBLIC_TITLE))
        cls.internal = self.release(
            self.make_item(
                INTERNAL_TITLE,
                "<p>各支部开展专题研讨。</p>",
                scope="internal",
                audience=[cls.unit_a],
            )
        )

    def get(self, path, who=None, **extra):
        self.client.logout()
        if who is not None:
            self.client.force_login(who)
        return self.client.get(path, **extra)

    def test_a_public_item_is_served_from_the_cache_to_anonymous_visitors(self):
        self.assertEqual(self.get(self.public.url)["X-Page-Cache"], "miss")
        r = self.get(self.public.url)
        self.assertEqual(r["X-Page-Cache"], "hit")
        self.assertContains(r, PUBLIC_TITLE)
        self.assertIn("public", r["Cache-Control"])
        self.assertIn("s-maxage=", r["Cache-Control"])

    def test_an_internal_item_is_never_stored_for_anyone(self):
        for who in (self.member, self.secretary, None, self.member):
            with self.subTest(who=who):
                r = self.get(self.internal.url, who)
                self.assertNotIn("X-Page-Cache", r)
                self.assertNotIn("public", r.get("Cache-Control", ""))
                if who is not None:
                    self.assertContains(r, INTERNAL_TITLE)
                    self.assertIn("private", r["Cache-Control"])
        # Whoever asked before, an anonymous visitor is sent to log in.
        r = self.get(self.internal.url)
        self.assertEqual(r.status_code, 302)
        self.assertNotContains(r, INTERNAL_TITLE, status_code=302)

    def test_a_member_never_gets_the_anonymous_column_nor_stores_theirs(self):
        self.get("/disclosure/")  # stored for anonymous visitors
        mine = self.get("/disclosure/", self.member)
        self.assertContains(mine, INTERNAL_TITLE)
        self.assertNotIn("X-Page-Cache", mine)
        self.assertIn("private", mine["Cache-Control"])
        anonymous = self.get("/disclosure/")
        self.assertEqual(anonymous["X-Page-Cache"], "hit")
        self.assertNotContains(anonymous, INTERNAL_TITLE)

    def test_a_page_under_a_view_restriction_is_never_stored(self):
        PageViewRestriction.objects.create(
            page=self.section_a,
            restriction_type=PageViewRestriction.PASSWORD,
            password="secret-pass",
        )
        self.get(self.public.url)
        r = self.get(self.public.url)
        self.assertNotIn("X-Page-Cache", r)

    def test_a_withdrawn_item_leaves_every_stored_page_at_once(self):
        column = "/disclosure/"
        filtered = f"/disclosure/?unit={self.unit_a.pk}"
        feed = "/disclosure/feed.atom"
        home = "/"
        for path in (self.public.url, column, filtered, feed, home):
            self.get(path)
            self.assertEqual(self.get(path)["X-Page-Cache"], "hit", path)
        with self.captureOnCommitCallbacks(execute=True):
            actions.do_withdraw_item(
                self.public, reason="依据已废止", acting_user=self.approver
            )
        item = self.get(self.public.url)
        self.assertEqual(item.status_code, 410)
        self.assertContains(item, "依据已废止", status_code=410)
        for path in (column, filtered, feed):
            r = self.get(path)
            self.assertEqual(r["X-Page-Cache"], "miss", path)
            self.assertNotContains(r, PUBLIC_TITLE)
        self.assertEqual(self.get(home)["X-Page-Cache"], "miss")

    def test_a_correction_is_shown_in_place_of_the_stored_item(self):
        self.get(self.public.url)
        page = self.public
        page.title = "市委宣传部2026年度工作要点（更正）"
        page.correction_note = "更正了第三条的日期"
        with self.captureOnCommitCallbacks(execute=True):
            page.save_revision(user=self.admin).publish(user=self.admin)
        r = self.get(self.public.url)
        self.assertEqual(r["X-Page-Cache"], "miss")
        self.assertContains(r, "更正了第三条的日期")

    def test_an_item_page_costs_at_most_eight_queries_when_not_stored(self):
        self.get(self.public.url)  # warm the per-process caches (site, types)
        from django.core.cache import cache

        cache.clear()
        self.client.logout()
        with CaptureQueriesContext(connection) as queries:
            r = self.client.get(self.public.url)
        self.assertEqual(r["X-Page-Cache"], "miss")
        self.assertLessEqual(
            len(queries), 8, "\n".join(q["sql"] for q in queries.captured_queries)
        )
