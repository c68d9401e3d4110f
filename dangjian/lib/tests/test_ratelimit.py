"""One token bucket per client: its allowance at once, then one more hit
per refill interval, in Redis when there is one, else in the process."""

from __future__ import annotations

import time

from django.test import SimpleTestCase

from dangjian.lib.ratelimit import allow


class TokenBucketTestCase(SimpleTestCase):
    def setUp(self):
        self.scope = f"test-{time.monotonic_ns()}"  # a fresh bucket per test

    def test_a_client_gets_its_allowance_then_is_refused(self):
        self.assertEqual(
            [allow(self.scope, "10.0.0.1", 3, 3600) for _ in range(4)],
            [True, True, True, False],
        )
        self.assertTrue(allow(self.scope, "10.0.0.2", 3, 3600), "another client")

    def test_the_bucket_refills_one_token_per_interval(self):
        # 2 hits per second: one token every half second.
        self.assertTrue(allow(self.scope, "c", 2, 1))
        self.assertTrue(allow(self.scope, "c", 2, 1))
        self.assertFalse(allow(self.scope, "c", 2, 1))
        time.sleep(0.6)
        self.assertTrue(allow(self.scope, "c", 2, 1))
        self.assertFalse(allow(self.scope, "c", 2, 1), "only one token came back")
