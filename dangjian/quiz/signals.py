"""Signals other apps listen to. The study archive records finished attempts."""

from django.dispatch import Signal

# Sent after the transaction that graded an attempt commits, exactly once per
# attempt, with ``attempt`` (score, max_score, submitted_at, duration_seconds,
# mode, contest) and ``person``.
attempt_finished = Signal()
