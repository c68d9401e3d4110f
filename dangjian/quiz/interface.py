"""The quiz app's public interface for other capabilities.

Other apps do not import quiz's models (DESIGN.md "Layout"): the study
archive and assessment read finished attempts through ``QuizResults``, which
quiz registers under the ``dangjian_quiz_results`` hook, and hear about
finished attempts through ``dangjian.lib.events.attempt_finished``.
"""

from __future__ import annotations

from dangjian.quiz.models import Attempt, Mode


class QuizResults:
    """Read-only access to graded attempts."""

    def finished(self):
        """Graded attempts: ``Attempt.objects.finished()``; each has ``person``,
        ``template``, ``score``, ``max_score``, ``percent``, ``submitted_at``
        and ``mode``."""
        return Attempt.objects.finished()

    def is_daily(self, attempt) -> bool:
        return attempt.mode == Mode.DAILY


results = QuizResults()
