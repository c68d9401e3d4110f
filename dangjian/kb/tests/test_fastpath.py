"""The WSGI fast path for GET /api/kb/search answers exactly as the API view,
logs every search, and leaves what it does not plainly understand to Django."""

from __future__ import annotations

from urllib.parse import urlencode

from django.test import override_settings
from django.urls import clear_script_prefix, set_script_prefix

from dangjian.kb import searchlog
from dangjian.kb.fastpath import KbSearchFastPath
from dangjian.kb.models import SearchLog
from dangjian.orgs.actions import do_issue_token
from dangjian.test import BaseTestCase, behind_fast_path, wsgi_call

from .test_kb import TwoEntriesMixin

PATH = "/api/kb/search"


class KbSearchFastPathTestCase(TwoEntriesMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.app = behind_fast_path(self, KbSearchFastPath)

    def get(self, app, query, **headers):
        if isinstance(query, dict):
            query = urlencode(query)
        return wsgi_call(app, PATH, query=query, **headers)

    def test_answers_match_the_api_view(self):
        for params in (
            {"q": "公积金提取"},
            {"q": "gjj", "limit": 5},
            {"q": "供暖", "unit": self.unit_b.pk},
            {"q": "供暖", "unit": self.unit_a.pk},
            {"q": "公鸡金"},  # a typo: the answer carries a suggestion
            {"q": "公积金", "offset": 1},
            {},
        ):
            fast = self.get(self.app, params)
            slow = self.get(self.django, params)
            self.assertEqual(fast[0], 200, params)
            self.assertEqual(fast[2], slow[2], params)
            self.assertEqual(fast[1]["Content-Type"], slow[1]["Content-Type"])
            for name in ("X-Frame-Options", "X-Content-Type-Options"):
                self.assertEqual(fast[1][name], slow[1][name], name)
        self.assertEqual(self.passed_on, [], "the fast path answered every search")
        hits = self.get(self.app, {"q": "公积金提取"})[2]["hits"]
        self.assertEqual(hits[0]["id"], self.fund.pk)
        self.assertIn("<mark>", hits[0]["title"])

    def test_bad_parameters_get_the_api_validation_answer(self):
        for query in (
            urlencode({"q": "公积金", "limit": 1000}),
            urlencode({"q": "公积金", "limit": 0}),
            urlencode({"q": "公积金", "offset": -1}),
            urlencode({"q": "公积金", "unit": "市委"}),
            urlencode({"q": "长" * 201}),
            urlencode({"q": "公积金", "category": "类" * 101}),
            "q=%E5%85%AC&q=b",  # q given twice
        ):
            fast = self.get(self.app, query)
            slow = self.get(self.django, query)
            self.assertEqual(fast[0], slow[0], query)
            self.assertEqual(fast[2], slow[2], query)
        self.assertEqual(len(self.passed_on), 7)
        self.assertEqual(
            [s for s, _, _ in [self.get(self.app, {"q": "a", "limit": 1000})]], [422]
        )

    def test_parameters_the_schema_refuses_get_the_api_validation_answer(self):
        """Validated by the API's own SearchParams: what it refuses goes to
        Django, and the client gets the API's one error answer."""
        for params in (
            {"limit": "十"},
            {"limit": "1e3"},
            {"offset": 1001},
            {"unit": ""},
            {"unit": 2**63},
        ):
            with self.subTest(params=params):
                fast = self.get(self.app, {"q": "公积金", **params})
                slow = self.get(self.django, {"q": "公积金", **params})
                self.assertEqual(fast[0], 422)
                self.assertEqual(fast[2], slow[2])
                self.assertEqual(fast[2]["code"], "invalid")
                self.assertEqual(fast[2]["errors"][0]["field"], next(iter(params)))
        self.assertEqual(len(self.passed_on), 5)

    def test_a_query_sent_without_percent_encoding_is_read_as_django_reads_it(self):
        # A WSGI server hands the raw bytes over as latin-1.
        raw = "q=公积金提取".encode().decode("latin-1")
        fast = self.get(self.app, raw)
        slow = self.get(self.django, raw)
        self.assertEqual(fast[2], slow[2])
        self.assertEqual(fast[2]["hits"][0]["id"], self.fund.pk)
        self.assertEqual(self.passed_on, [])

    @override_settings(ROOT_URLCONF="dangjian.lib.tests.urls_api_moved")
    def test_its_address_comes_from_the_url_map(self):
        app = behind_fast_path(self, KbSearchFastPath)
        status, _, body = wsgi_call(app, "/v2/api/kb/search", query="q=gjj")
        self.assertEqual((status, body["hits"][0]["id"]), (200, self.fund.pk))
        self.assertEqual(self.passed_on, [])
        # The old address is no longer the API's: Django answers it.
        self.assertNotEqual(self.get(app, {"q": "gjj"})[0], 200)
        self.assertEqual(self.passed_on, [(PATH, "q=gjj")])

    @override_settings(FORCE_SCRIPT_NAME="/dj/")
    def test_a_script_name_does_not_move_its_address(self):
        set_script_prefix("/dj/")  # as Django sets it for each request it serves
        self.addCleanup(clear_script_prefix)
        self.assertEqual(self.get(self.app, {"q": "gjj"})[0], 200)
        self.assertEqual(self.app.path, PATH)
        self.assertEqual(self.passed_on, [])

    def test_every_search_is_logged_and_flushed_after_the_answer(self):
        self.get(self.app, {"q": "公积金提取"})
        self.get(self.app, {"q": "宠物狗办证"})
        # The rows wait in the write-behind buffer until a flush (the
        # flusher thread or manage.py flush_buffers; by hand in tests).
        self.assertEqual(SearchLog.objects.count(), 0)
        self.assertEqual(searchlog.flush(), 2)
        logs = SearchLog.objects.order_by("created_at")
        self.assertEqual(
            [(log.query, log.result_count, log.channel) for log in logs],
            [("公积金提取", 1, "api"), ("宠物狗办证", 0, "api")],
        )
        self.assertEqual(logs[0].routed_unit, self.unit_a)

    def test_a_foreign_host_is_refused_as_django_refuses_it(self):
        status, _, _ = self.get(self.app, {"q": "公积金"}, host="evil.example")
        self.assertEqual(status, 400)
        self.assertEqual(len(self.passed_on), 1)

    def test_other_methods_and_paths_go_to_django(self):
        status, _, _ = wsgi_call(self.app, PATH, method="POST", body={"q": "x"})
        self.assertEqual(status, 405)
        status, _, _ = wsgi_call(self.app, PATH + "/", query="q=x")
        self.assertEqual(len(self.passed_on), 2)

    def test_a_revoked_token_is_refused_as_on_every_other_endpoint(self):
        token, key = do_issue_token(self.member, name="热线")
        bearer = "Bearer " + key
        self.assertEqual(
            self.get(self.app, {"q": "公积金"}, authorization=bearer)[0], 200
        )
        token.revoke()
        for app in (self.app, self.django):
            status, headers, body = self.get(app, {"q": "公积金"}, authorization=bearer)
            self.assertEqual(status, 401)
            self.assertEqual(headers["WWW-Authenticate"], "Bearer")
            self.assertEqual(body["code"], "invalid_token")
            self.assertNotIn("hits", body)
        status, _, body = self.get(self.app, {"q": "公积金"}, authorization="Bearer x")
        self.assertEqual((status, body["code"]), (401, "invalid_token"))
        self.assertEqual(self.passed_on, [], "the fast path refused them itself")

    def test_a_token_holders_answer_is_kept_private_as_through_django(self):
        _token, key = do_issue_token(self.member, name="热线")
        bearer = "Bearer " + key
        fast = self.get(self.app, {"q": "公积金"}, authorization=bearer)
        slow = self.get(self.django, {"q": "公积金"}, authorization=bearer)
        self.assertEqual(fast[2], slow[2])
        self.assertEqual(fast[1]["Cache-Control"], slow[1]["Cache-Control"])
        self.assertIn("no-store", fast[1]["Cache-Control"])
        self.assertNotIn("Cache-Control", self.get(self.app, {"q": "公积金"})[1])
        self.assertEqual(self.passed_on, [])

    @override_settings(KB_SEARCH_FAST_PATH=False)
    def test_it_can_be_turned_off(self):
        app = KbSearchFastPath(self.app.app)
        self.assertEqual(self.get(app, {"q": "公积金"})[0], 200)
        self.assertEqual(len(self.passed_on), 1)
