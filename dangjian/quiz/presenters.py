"""What an attempt looks like to the person taking it, before and after submission.

``paper_view`` is everything a browser may see while the attempt is open:
no answers, no explanations, no hint of which option is right (options are
listed in the attempt's shuffled order). ``result_view`` adds them once the
attempt is finished.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from dangjian.quiz.actions import paper_questions
from dangjian.quiz.models import Attempt, Question, QuestionType

LETTERS = "ABCDEFGH"
# Plain strings: the site is Chinese only, and resolving lazy choice labels
# through the translation catalogues costs more than the rest of a request.
TYPE_LABELS = {
    "single": "单选题",
    "multiple": "多选题",
    "judge": "判断题",
    "fill": "填空题",
}
MODE_LABELS = {
    "daily": "每日答题",
    "special": "专项答题",
    "challenge": "挑战答题",
    "contest": "知识竞赛",
}


def seconds_left(attempt: Attempt, now=None) -> int | None:
    if attempt.deadline is None:
        return None
    now = now or timezone.now()
    return max(int((attempt.deadline - now).total_seconds()), 0)


def paper_view(attempt: Attempt, now=None) -> dict:
    questions = paper_questions(attempt)
    items = []
    for position, item in enumerate(attempt.paper):
        q = questions.get(item["q"])
        if q is None:
            continue
        items.append(
            {
                "position": position,
                "number": position + 1,
                "type": q.type,
                "type_label": TYPE_LABELS[q.type],
                "stem": q.stem,
                "options": [
                    {"index": i, "label": LETTERS[i], "text": q.options[canonical]}
                    for i, canonical in enumerate(item["o"])
                ],
                "blanks": q.blank_count,
                "points": float(Decimal(item["p"])),
                "response": attempt.responses.get(str(position)),
            }
        )
    return {
        "id": attempt.pk,
        "mode": attempt.mode,
        "mode_label": MODE_LABELS[attempt.mode],
        "title": attempt.contest.title if attempt.contest else attempt.template.name,
        "status": attempt.status,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "seconds_left": seconds_left(attempt, now),
        "max_score": float(attempt.max_score),
        "answered": len(attempt.responses),
        "questions": items,
    }


def result_view(attempt: Attempt) -> dict:
    view = paper_view(attempt)
    questions = paper_questions(attempt)
    for entry, item, result in zip(
        view["questions"], attempt.paper, attempt.results, strict=False
    ):
        q = questions[item["q"]]
        shown = {canonical: i for i, canonical in enumerate(item["o"])}
        if q.type == QuestionType.FILL:
            correct = ["/".join(alts) for alts in q.answer]
            given = entry["response"] or []
            separator = "；"
        else:
            correct = sorted(LETTERS[shown[i]] for i in q.answer if i in shown)
            given = sorted(LETTERS[i] for i in (entry["response"] or []))
            separator = ""
        entry.update(
            {
                "correct_answer": correct,
                "given": given,
                "correct_display": separator.join(correct),
                "given_display": separator.join(given),
                "is_correct": bool(result["c"]),
                "score": float(Decimal(result["s"])),
                "explanation": q.explanation,
                "source": q.source,
                "reference": q.reference,
                "reference_section": q.reference_section,
                "reference_url": q.reference_url,
            }
        )
    view.update(
        {
            "score": float(attempt.score or 0),
            "correct_count": attempt.correct_count,
            "streak": attempt.streak,
            "submitted_at": attempt.submitted_at,
            "seconds": round(attempt.duration_seconds or 0, 1),
            "timed_out": attempt.status == Attempt.Status.TIMED_OUT,
        }
    )
    return view


def question_review(q: Question) -> dict:
    """A question with its right answer and explanation, options in their
    own order (the 错题本)."""
    if q.type == QuestionType.FILL:
        correct = "；".join("/".join(alts) for alts in q.answer)
    else:
        correct = q.answer_display()
    return {
        "type_label": TYPE_LABELS[q.type],
        "stem": q.stem,
        "options": [
            {"label": LETTERS[i], "text": text} for i, text in enumerate(q.options)
        ]
        if q.type in ("single", "multiple")
        else [],
        "correct_display": correct,
        "explanation": q.explanation,
        "source": q.source,
        "reference": q.reference,
        "reference_section": q.reference_section,
        "reference_url": q.reference_url,
    }
