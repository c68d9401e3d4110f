"""The question rate limit counts the address the trusted proxy saw, so a
client cannot escape it by writing its own X-Forwarded-For entries."""

from __future__ import annotations

from django.test import RequestFactory, TestCase, override_settings

from dangjian.experts.ratelimit import allow_question


@override_settings(
    DANGJIAN_EXPERTS_SUBMIT_RATE=(2, 3600), DANGJIAN_TRUST_X_FORWARDED_FOR=True
)
class QuestionRateLimitTestCase(TestCase):
    def ask(self, forwarded: str) -> bool:
        request = RequestFactory().post(
            "/experts/ask/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
        )
        return allow_question(request)

    def test_it_refuses_a_client_that_forges_the_first_forwarded_entries(self):
        answers = [self.ask(f"198.51.100.{n}, 203.0.113.7") for n in range(3)]
        self.assertEqual(answers, [True, True, False])

    def test_it_limits_clients_behind_the_proxy_separately(self):
        self.assertTrue(self.ask("203.0.113.7"))
        self.assertTrue(self.ask("203.0.113.7"))
        self.assertTrue(self.ask("203.0.113.8"))
