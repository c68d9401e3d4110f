"""Counting test helpers: a clean slate of pending counts for each test."""

from __future__ import annotations

from django.core.signals import request_finished
from django.test import override_settings

from dangjian.stats import counting

# Flushing is done by hand in tests, so counts do not move at random moments.
NO_AUTO_FLUSH = override_settings(DANGJIAN_VIEW_FLUSH_SECONDS=0)


class WithoutSearchLogFlushMixin:
    """The knowledge base's request_finished receiver calls
    close_old_connections(), which closes a TestCase's PostgreSQL connection
    (inside the test's atomic block) once a second when Redis is configured.
    It is unplugged for these tests; kb's own tests keep it."""

    def setUp(self):
        super().setUp()
        from dangjian.kb import searchlog

        if request_finished.disconnect(dispatch_uid="kb-searchlog-flush"):
            self.addCleanup(
                request_finished.connect,
                searchlog.on_request_finished,
                dispatch_uid="kb-searchlog-flush",
            )


class PendingCountsMixin(WithoutSearchLogFlushMixin):
    def setUp(self):
        super().setUp()
        counting.reset_pending()
        self.addCleanup(counting.reset_pending)
