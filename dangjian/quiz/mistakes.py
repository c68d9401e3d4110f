"""错题本: the questions a member last answered wrongly, to practise again.

Read from the member's graded attempts (their papers and results), newest
first: a question leaves the book when the member answers it right later,
in any mode, including a practice paper of the book itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dangjian.quiz.models import Attempt, Question

# The attempts read: enough for months of daily quizzes, bounded per request.
RECENT_ATTEMPTS = 200
PRACTICE_SIZE = 10
PRACTICE_SLUG = "mistakes"


@dataclass
class Mistake:
    question: Question
    answered_at: dt.datetime
    times_wrong: int


def mistakes_for(person, limit: int | None = None) -> list[Mistake]:
    """The questions whose latest answer by the person was wrong, the most
    recent first (questions skipped or left unanswered are not mistakes)."""
    attempts = (
        Attempt.objects.finished()
        .filter(person=person)
        .order_by("-submitted_at", "-pk")
        .only("paper", "results", "responses", "submitted_at")[:RECENT_ATTEMPTS]
    )
    latest: dict[int, tuple[bool, dt.datetime]] = {}
    wrong_count: dict[int, int] = {}
    for attempt in attempts:
        for position, (item, result) in enumerate(
            zip(attempt.paper, attempt.results, strict=False)
        ):
            if str(position) not in attempt.responses:
                continue
            qid = item["q"]
            right = bool(result.get("c"))
            if not right:
                wrong_count[qid] = wrong_count.get(qid, 0) + 1
            if qid not in latest and attempt.submitted_at is not None:
                latest[qid] = (right, attempt.submitted_at)
    wrong = [qid for qid, (right, _when) in latest.items() if not right]
    if limit is not None:
        wrong = wrong[:limit]
    questions = Question.objects.in_bulk(wrong)
    return [
        Mistake(questions[qid], latest[qid][1], wrong_count.get(qid, 1))
        for qid in wrong
        if qid in questions
    ]
