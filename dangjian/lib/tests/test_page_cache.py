"""The page cache's rules (dangjian/lib/pagecache.py), on toy views behind
the site's own middleware: who is served a stored page, what is never
stored, what the key holds, the headers a proxy sees, and the purge."""

from __future__ import annotations

import shutil
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.test import override_settings

from dangjian.lib import pagecache
from dangjian.lib.tests import urls_pagecache
from dangjian.test import BaseTestCase


class PageCacheCase(BaseTestCase):
    @classmethod
    def setUpClass(cls):
        cls._dir = tempfile.mkdtemp(prefix="dj-pagecache-")
        cls._override = override_settings(
            ROOT_URLCONF="dangjian.lib.tests.urls_pagecache",
            PAGE_CACHE_STAMP_FILE=str(Path(cls._dir) / "stamp"),
        )
        cls._override.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._override.disable()
        shutil.rmtree(cls._dir, ignore_errors=True)

    def setUp(self):
        urls_pagecache.RUNS.clear()

    def runs(self, name):
        return urls_pagecache.RUNS.get(name, 0)


class ServingTestCase(PageCacheCase):
    def test_a_public_page_is_rendered_once_and_then_served_from_the_cache(self):
        first = self.client.get("/t/public/")
        second = self.client.get("/t/public/")
        self.assertEqual(first["X-Page-Cache"], "miss")
        self.assertEqual(second["X-Page-Cache"], "hit")
        self.assertEqual(second.content, first.content)
        self.assertEqual(self.runs("public"), 1)

    def test_a_head_request_is_answered_from_the_stored_page(self):
        self.client.get("/t/public/")
        r = self.client.head("/t/public/")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["X-Page-Cache"], "hit")
        self.assertEqual(self.runs("public"), 1)

    def test_nothing_is_cached_unless_the_view_says_it_is_public(self):
        self.client.get("/t/unmarked/")
        r = self.client.get("/t/unmarked/")
        self.assertNotIn("X-Page-Cache", r)
        self.assertEqual(self.runs("unmarked"), 2)
        self.assertNotIn("public", r.get("Cache-Control", ""))

    def test_the_query_string_is_part_of_the_key_in_any_order(self):
        a = self.client.get("/t/public/?unit=1&year=2026")
        b = self.client.get("/t/public/?unit=2&year=2026")
        c = self.client.get("/t/public/?year=2026&unit=1")
        self.assertEqual(a["X-Page-Cache"], "miss")
        self.assertEqual(b["X-Page-Cache"], "miss")
        self.assertIn(b"unit=2", b.content)
        self.assertEqual(c["X-Page-Cache"], "hit")
        self.assertEqual(c.content, a.content)

    def test_the_host_is_part_of_the_key(self):
        with self.settings(ALLOWED_HOSTS=["testserver", "other.example.cn"]):
            self.client.get("/t/public/")
            r = self.client.get("/t/public/", HTTP_HOST="other.example.cn")
        self.assertEqual(r["X-Page-Cache"], "miss")

    @override_settings(PAGE_CACHE_KEY_COOKIES=["dj_elder"])
    def test_a_display_mode_cookie_is_part_of_the_key_and_does_not_bypass(self):
        self.client.get("/t/public/")
        self.client.cookies["dj_elder"] = "1"
        r = self.client.get("/t/public/")
        self.assertEqual(r["X-Page-Cache"], "miss")
        self.assertEqual(self.client.get("/t/public/")["X-Page-Cache"], "hit")

    def test_a_stored_page_carries_headers_a_proxy_may_cache(self):
        self.client.get("/t/public/")
        r = self.client.get("/t/public/")
        control = {d.strip() for d in r["Cache-Control"].split(",")}
        self.assertEqual(control, {"public", "max-age=10", "s-maxage=60"})
        self.assertNotIn("Cookie", r.get("Vary", ""))
        # The site's own headers are kept on a hit.
        self.assertIn("Content-Security-Policy", r)
        self.assertEqual(r["X-Frame-Options"], "SAMEORIGIN")

    def test_a_live_figure_page_lives_at_most_five_seconds(self):
        r = self.client.get("/t/live/")
        self.assertIn("s-maxage=5", r["Cache-Control"])
        self.assertIn("max-age=5", r["Cache-Control"])

    @override_settings(PAGE_CACHE=False)
    def test_the_cache_can_be_turned_off(self):
        self.client.get("/t/public/")
        self.client.get("/t/public/")
        self.assertEqual(self.runs("public"), 2)


class NeverStoredTestCase(PageCacheCase):
    def test_a_signed_in_person_is_never_served_nor_stored_and_is_sent_private(self):
        self.client.get("/t/who/")  # stores the anonymous page
        self.client.force_login(self.member)
        mine = self.client.get("/t/who/")
        self.assertContains(mine, self.member.username)
        self.assertNotIn("X-Page-Cache", mine)
        self.assertIn("private", mine["Cache-Control"])
        self.assertIn("no-store", mine["Cache-Control"])
        self.client.logout()
        self.client.cookies.clear()
        anonymous = self.client.get("/t/who/")
        self.assertNotContains(anonymous, self.member.username)
        self.assertEqual(anonymous["X-Page-Cache"], "hit")

    def test_a_signed_in_persons_page_is_not_stored_for_the_next_visitor(self):
        self.client.force_login(self.member)
        self.client.get("/t/who/")
        self.client.logout()
        self.client.cookies.clear()
        r = self.client.get("/t/who/")
        self.assertEqual(r["X-Page-Cache"], "miss")
        self.assertContains(r, "访客")

    def test_any_personal_cookie_bypasses_the_cache(self):
        self.client.get("/t/public/")
        for name in ("sessionid", "messages", "dj_voter", "anything"):
            client = self.client_class()
            client.cookies[name] = "x"
            r = client.get("/t/public/")
            self.assertNotIn("X-Page-Cache", r, name)
            self.assertIn("private", r["Cache-Control"], name)
        self.assertEqual(self.runs("public"), 5)

    def test_an_authorization_header_bypasses_the_cache(self):
        self.client.get("/t/public/")
        r = self.client.get("/t/public/", HTTP_AUTHORIZATION="Bearer abc")
        self.assertNotIn("X-Page-Cache", r)

    def test_the_csrf_cookie_alone_does_not_bypass_it(self):
        self.client.get("/t/public/")
        self.client.cookies["csrftoken"] = "a" * 32
        self.assertEqual(self.client.get("/t/public/")["X-Page-Cache"], "hit")

    def test_a_page_with_a_csrf_token_is_never_stored(self):
        self.client.get("/t/form/")
        self.client.get("/t/form/")
        self.client.cookies["csrftoken"] = "b" * 32
        self.client.get("/t/form/")
        self.assertEqual(self.runs("form"), 3)

    def test_a_page_that_sets_a_cookie_is_never_stored(self):
        self.client.get("/t/cookie/")
        self.client.cookies.clear()
        self.client.get("/t/cookie/")
        self.assertEqual(self.runs("cookie"), 2)

    def test_a_post_is_never_answered_from_the_cache(self):
        self.client.get("/t/public/")
        self.client.post("/t/public/")
        self.assertEqual(self.runs("public"), 2)


class EachServeTestCase(PageCacheCase):
    def test_work_of_each_view_is_repeated_for_every_visitor_of_the_stored_page(self):
        first = self.client.get("/t/counted/")
        self.client.cookies.clear()
        second = self.client.get("/t/counted/")
        self.assertEqual(second["X-Page-Cache"], "hit")
        self.assertEqual(self.runs("counted-visits"), 2)
        # Each visitor gets the cookie the work sets; none is stored.
        self.assertIn("dj_dev", first.cookies)
        self.assertIn("dj_dev", second.cookies)


class PurgeTestCase(PageCacheCase):
    def test_a_purge_makes_every_stored_page_stale_at_once(self):
        self.client.get("/t/public/")
        self.client.get("/t/public/?page=2")
        pagecache.purge()
        self.assertEqual(self.client.get("/t/public/")["X-Page-Cache"], "miss")
        self.assertEqual(self.client.get("/t/public/?page=2")["X-Page-Cache"], "miss")

    def test_a_purge_waits_for_the_transaction_to_commit(self):
        self.client.get("/t/public/")
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            pagecache.purge_on_commit()
            self.assertEqual(self.client.get("/t/public/")["X-Page-Cache"], "hit")
        for callback in callbacks:
            callback()
        self.assertEqual(self.client.get("/t/public/")["X-Page-Cache"], "miss")

    def test_saving_a_content_model_purges(self):
        self.client.get("/t/public/")
        with self.captureOnCommitCallbacks(execute=True):
            self.unit_a.name = "市委宣传部（新）"
            self.unit_a.save(update_fields=["name"])
        self.assertEqual(self.client.get("/t/public/")["X-Page-Cache"], "miss")


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[str, str, str]] = []

    def do_PURGE(self):  # noqa: N802 (the HTTP method's name)
        self.received.append(("PURGE", self.headers.get("Host", ""), self.path))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


class FrontendPurgeTestCase(PageCacheCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        cls.thread.join()
        super().tearDownClass()

    def test_a_purge_sends_the_proxy_purge_requests_for_the_object_and_listings(self):
        _Receiver.received.clear()
        port = self.server.server_address[1]
        with self.settings(
            WAGTAILFRONTENDCACHE={
                "default": {
                    "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
                    "LOCATION": f"http://127.0.0.1:{port}",
                }
            },
            SITE_URL="https://dangjian.example.cn",
            SITE_URL_CONFIGURED=True,
            PAGE_CACHE_PURGE_PATHS=["/", "/disclosure/"],
        ):
            pagecache.purge(["/disclosure/items/7/"])
        self.assertEqual(
            sorted(_Receiver.received),
            [
                ("PURGE", "dangjian.example.cn", "/"),
                ("PURGE", "dangjian.example.cn", "/disclosure/"),
                ("PURGE", "dangjian.example.cn", "/disclosure/items/7/"),
            ],
        )

    def test_without_a_frontend_cache_nothing_is_sent(self):
        _Receiver.received.clear()
        pagecache.purge(["/x/"])
        self.assertEqual(_Receiver.received, [])
