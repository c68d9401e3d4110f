"""The request's Site comes from a short per-process memo (lib/site.py):
one query fewer per page, and still what an editor changes is what the next
visitor sees."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from dangjian.lib.site import find_site
from dangjian.test import BaseTestCase


class SiteMemoTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.site = Site.objects.get(is_default_site=True)
        self.home = self.site.root_page.specific
        self.client.get("/")  # the memo is filled

    def test_a_page_request_does_not_ask_the_database_for_the_site(self):
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get("/").status_code, 200)
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        self.assertNotIn("wagtailcore_site", sql)

    def test_a_changed_home_page_title_shows_on_the_next_request(self):
        self.home.title = "换了标题的首页"
        self.home.save_revision().publish()
        self.assertContains(self.client.get("/"), "换了标题的首页")

    def test_a_new_default_site_root_is_used_at_once(self):
        other = self.home.add_child(
            instance=type(self.home)(title="新首页", slug="xin")
        )
        self.site.root_page = other
        self.site.save()
        request = self.client.get("/").wsgi_request
        self.assertEqual(find_site(request).root_page_id, other.pk)
        self.assertContains(self.client.get("/"), "新首页")

    def test_an_unknown_host_gets_the_default_site(self):
        with self.settings(ALLOWED_HOSTS=["*"]):
            r = self.client.get("/", HTTP_HOST="elsewhere.example")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(find_site(r.wsgi_request).pk, self.site.pk)
