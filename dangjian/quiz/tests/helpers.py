"""A small question bank and paper templates built in code for the quiz tests."""

from __future__ import annotations

from decimal import Decimal

from dangjian.quiz.draw import invalidate_pool
from dangjian.quiz.grading import dedup_key
from dangjian.quiz.models import (
    Mode,
    PaperRule,
    PaperTemplate,
    Question,
    QuestionType,
    Scoring,
)
from dangjian.test import BaseTestCase

EXPLANATION = "解析：这是第%d题的讲解。"


def make_question(
    owner, qtype, n, category="二十大", status=Question.Status.REVIEWED, **kw
):
    if qtype == QuestionType.FILL:
        options, answer = [], kw.pop("answer", [[f"答案{n}"]])
    elif qtype == QuestionType.JUDGE:
        options, answer = ["正确", "错误"], kw.pop("answer", [n % 2])
    elif qtype == QuestionType.MULTIPLE:
        options = [f"多选{n}甲", f"多选{n}乙", f"多选{n}丙", f"多选{n}丁"]
        answer = kw.pop("answer", [0, 2])
    else:
        options = [f"单选{n}甲", f"单选{n}乙", f"单选{n}丙", f"单选{n}丁"]
        answer = kw.pop("answer", [1])
    stem = kw.pop("stem", f"{category}{qtype}题目{n}（ ）")
    return Question.objects.create(
        owner=owner,
        type=qtype,
        stem=stem,
        options=options,
        answer=answer,
        explanation=EXPLANATION % n,
        category=category,
        status=status,
        dedup_key=dedup_key(stem, options),
        **kw,
    )


def make_template(owner, slug, mode, rules, **kw):
    template = PaperTemplate.objects.create(
        name=kw.pop("name", slug), slug=slug, mode=mode, owner=owner, **kw
    )
    for i, (qtype, category, count, points) in enumerate(rules):
        PaperRule.objects.create(
            template=template,
            sort_order=i,
            question_type=qtype,
            category=category,
            count=count,
            points=Decimal(points),
        )
    return template


class QuizTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        owner = cls.unit_a
        n = 0
        for category, counts in {
            "二十大": {"single": 8, "multiple": 6, "judge": 4, "fill": 6},
            "党的理论": {"single": 6, "multiple": 2, "judge": 6, "fill": 0},
        }.items():
            for qtype, count in counts.items():
                for _ in range(count):
                    n += 1
                    make_question(owner, qtype, n, category)
        # Questions that must never be drawn.
        make_question(owner, "single", 900, "二十大", status=Question.Status.DRAFT)
        make_question(owner, "single", 901, "二十大", status=Question.Status.RETIRED)
        cls.daily = make_template(
            owner,
            "daily",
            Mode.DAILY,
            [("single", "党的理论", 2, 2), ("judge", "党的理论", 1, 2)],
            once_per_day=True,
            time_limit_seconds=300,
        )
        cls.special = make_template(
            owner,
            "special",
            Mode.SPECIAL,
            [
                ("single", "二十大", 3, 2),
                ("multiple", "二十大", 2, 4),
                ("fill", "二十大", 2, 3),
            ],
            multiple_scoring=Scoring.PARTIAL,
            time_limit_seconds=600,
        )

    def setUp(self):
        invalidate_pool()
