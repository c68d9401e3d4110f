"""The system check that every middleware was reviewed for the WSGI fast
paths (dangjian/lib/fastpath.py): silent for the project's middleware, a
warning naming any other."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, run_checks
from django.test import SimpleTestCase, override_settings

from dangjian.lib.checks import check_fast_paths_know_the_middleware
from dangjian.lib.fastpath import HEADER_MIDDLEWARE, MIDDLEWARE_REVIEW

GZIP = "django.middleware.gzip.GZipMiddleware"


class FastPathMiddlewareCheckTestCase(SimpleTestCase):
    def test_it_is_silent_for_the_project_middleware(self):
        self.assertEqual(check_fast_paths_know_the_middleware(), [])
        ids = {w.id for w in run_checks(tags=[Tags.security])}
        self.assertFalse(ids & {"dangjian.W001", "dangjian.W002"}, ids)

    def test_it_warns_about_a_middleware_nobody_reviewed(self):
        with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE, GZIP]):
            warnings = check_fast_paths_know_the_middleware()
            ids = [w.id for w in run_checks(tags=[Tags.security])]
        self.assertEqual([(w.id, w.obj) for w in warnings], [("dangjian.W001", GZIP)])
        self.assertIn(GZIP, warnings[0].msg)
        self.assertIn("MIDDLEWARE_REVIEW", warnings[0].hint)
        # Registered: `manage.py check` reports it.
        self.assertEqual(ids.count("dangjian.W001"), 1)

    @override_settings(PREPEND_WWW=True)
    def test_it_warns_when_common_middleware_would_redirect(self):
        warnings = check_fast_paths_know_the_middleware()
        self.assertEqual([w.id for w in warnings], ["dangjian.W002"])

    def test_every_replicated_header_middleware_is_in_the_review(self):
        for name in HEADER_MIDDLEWARE:
            self.assertTrue(MIDDLEWARE_REVIEW[name].startswith("replicated"), name)
