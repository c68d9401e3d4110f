"""Counting test helpers: a clean slate of pending counts for each test."""

from __future__ import annotations

from django.test import override_settings

from dangjian.stats import counting

# Flushing is done by hand in tests, so counts do not move at random moments
# (conftest.py turns the flusher thread off for every test; this says so).
NO_AUTO_FLUSH = override_settings(DANGJIAN_WRITE_BEHIND_SECONDS=0)


class PendingCountsMixin:
    def setUp(self):
        super().setUp()
        counting.reset_pending()
        self.addCleanup(counting.reset_pending)
