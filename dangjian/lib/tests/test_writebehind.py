"""Write-behind buffers keep rows out of the request and write them later,
in order, once; a failure keeps them, a batch the database refuses is
dropped, and with Redis one flusher at a time claims the work."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import TestCase

from dangjian.lib import writebehind
from dangjian.lib.redis import redis_client


def make_people(rows: list) -> None:
    with transaction.atomic():
        for username in rows:
            get_user_model().objects.create(username=username)


def usernames() -> list[str]:
    return list(
        get_user_model()
        .objects.filter(username__startswith="wb-")
        .order_by("pk")
        .values_list("username", flat=True)
    )


class WriteBehindTestCase(TestCase):
    def setUp(self):
        self.buffer = writebehind.WriteBehind("test-people", make_people)
        self.buffer.reset()
        self.addCleanup(writebehind._registry.pop, "test-people", None)
        self.addCleanup(self.buffer.reset)

    def test_rows_wait_for_a_flush_and_are_written_once_in_order(self):
        for name in ("wb-1", "wb-2", "wb-3"):
            self.buffer.push(name)
        self.assertEqual(usernames(), [])
        self.assertEqual(self.buffer.pending(), 3)
        self.assertEqual(writebehind.flush_all()["test-people"], 3)
        self.assertEqual(usernames(), ["wb-1", "wb-2", "wb-3"])
        self.assertEqual(self.buffer.flush(), 0)
        self.assertEqual(self.buffer.pending(), 0)

    def test_a_failed_write_keeps_the_rows_for_the_next_flush(self):
        failures = [RuntimeError("database away")]

        def flaky(rows):
            if failures:
                raise failures.pop()
            make_people(rows)

        self.buffer.write = flaky
        self.buffer.push("wb-kept")
        with self.assertRaises(RuntimeError):
            self.buffer.flush()
        self.assertEqual(self.buffer.pending(), 1)
        self.assertEqual(self.buffer.flush(), 1)
        self.assertEqual(usernames(), ["wb-kept"])

    def test_a_batch_the_database_refuses_is_dropped_and_later_rows_go_through(self):
        self.buffer.push("wb-twice")
        self.buffer.push("wb-twice")  # a unique username: the batch is refused
        with self.assertLogs("dangjian.lib.writebehind", "ERROR"):
            self.assertEqual(self.buffer.flush(), 0)
        self.assertEqual(self.buffer.pending(), 0)
        self.buffer.push("wb-next")
        self.assertEqual(self.buffer.flush(), 1)
        self.assertEqual(usernames(), ["wb-next"])

    def test_reset_all_forgets_unwritten_rows(self):
        self.buffer.push("wb-gone")
        writebehind.reset_all()
        self.assertEqual(self.buffer.pending(), 0)
        self.assertEqual(self.buffer.flush(), 0)

    def test_with_redis_one_flusher_at_a_time_claims_the_rows(self):
        client = redis_client()
        if client is None:
            self.skipTest("needs REDIS_URL")
        self.buffer.push("wb-claimed")
        other = client.lock(self.buffer.key + ":lock", timeout=30, blocking=False)
        self.assertTrue(other.acquire())
        try:
            self.assertEqual(self.buffer.flush(), 0, "another flusher holds the lock")
            self.assertEqual(self.buffer.pending(), 1, "the rows wait in Redis")
        finally:
            other.release()
        self.assertEqual(self.buffer.flush(), 1)
        self.assertEqual(usernames(), ["wb-claimed"])
