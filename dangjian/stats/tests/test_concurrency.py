"""Many threads counting one object end with exact totals after a flush,
also while another thread keeps flushing."""

from __future__ import annotations

import threading

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import RequestFactory, TransactionTestCase

from dangjian.orgs.models import Organisation
from dangjian.stats import counting
from dangjian.stats.models import DailyViews
from dangjian.stats.tests.helpers import NO_AUTO_FLUSH

THREADS = 8
HITS = 150
VISITORS = 12


@NO_AUTO_FLUSH
class ConcurrentCountingTestCase(TransactionTestCase):
    def setUp(self):
        # Earlier transactional tests may have re-created content types.
        ContentType.objects.clear_cache()
        counting.reset_pending()
        self.addCleanup(counting.reset_pending)
        self.target = Organisation.add_root(
            name="计数对象", kind=Organisation.Kind.COMMITTEE
        )
        # Warm the content type cache as a running server has it: with SQLite's
        # shared in-memory test database a first lookup from eight threads at
        # once can meet the flusher's table lock.
        ContentType.objects.get_for_model(Organisation)

    def test_concurrent_hits_and_flushes_add_up_exactly(self):
        factory = RequestFactory()
        requests = [
            factory.get("/x/?from=wechat", REMOTE_ADDR=f"10.0.0.{i}")
            for i in range(VISITORS)
        ]
        for request in requests:
            request.user = None
        done = threading.Event()
        errors = []

        def hit(n):
            try:
                for i in range(HITS):
                    counting.count_view(requests[(n + i) % VISITORS], self.target)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        def flush():
            try:
                while not done.is_set():
                    counting.flush_views()
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                connection.close()

        flusher = threading.Thread(target=flush)
        flusher.start()
        workers = [threading.Thread(target=hit, args=(n,)) for n in range(THREADS)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        done.set()
        flusher.join()
        counting.flush_views()

        self.assertEqual(errors, [])
        row = DailyViews.objects.get(object_id=self.target.pk)
        self.assertEqual(row.views, THREADS * HITS)
        self.assertEqual(row.visitors, VISITORS)
        self.assertEqual(row.channel, "wechat")
        self.assertEqual(counting.pending_views(), 0)
