"""Signals one capability sends and another listens to.

A capability may not import another (DESIGN.md "Layout"), so an event that
crosses apps is declared here, in the foundation; the sender's own module
re-exports it for its internal use.
"""

from django.dispatch import Signal

# Sent by quiz after the transaction that graded an attempt commits, exactly
# once per attempt, with ``attempt`` (score, max_score, submitted_at,
# duration_seconds, mode, contest) and ``person``. The study archive awards
# daily-quiz points from it.
attempt_finished = Signal()
