"""Demo content: the real question banks (or the built-in one), the quiz modes,
a city-wide contest, and finished attempts of demo members for the leaderboards."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from dangjian.lib.demo import DemoContext
from dangjian.orgs.models import Membership, Organisation, Role
from dangjian.quiz import notices
from dangjian.quiz.actions import (
    check_import_questions,
    check_save_answers,
    check_start_attempt,
    do_submit_attempt,
    paper_questions,
)
from dangjian.quiz.demo_bank import BUILTIN_QUESTIONS
from dangjian.quiz.draw import invalidate_pool
from dangjian.quiz.importing import Row, read_file
from dangjian.quiz.models import (
    Attempt,
    Contest,
    Mode,
    PaperRule,
    PaperTemplate,
    Question,
    QuestionType,
    Scoring,
)
from dangjian.quiz.reference import Passage, PassageFinder, answer_texts

OWNER = "市委宣传部"
CONTEST_TITLE = "全市学习贯彻党的二十大精神知识竞赛"
DEMO_PARTICIPANTS = 48

# slug: (name, mode, description, seconds, options, rules)
# rules: (type, category, real count, built-in count, points)
Rule = tuple[QuestionType, str, int, int, int]
TEMPLATES: dict[str, tuple[str, Mode, str, int, dict[str, Any], list[Rule]]] = {
    "daily": (
        "每日答题",
        Mode.DAILY,
        "每天五道题，学习党的理论知识。",
        300,
        {"once_per_day": True},
        [
            (QuestionType.SINGLE, "党的理论", 3, 3, 2),
            (QuestionType.MULTIPLE, "党的理论", 1, 1, 2),
            (QuestionType.JUDGE, "党的理论", 1, 1, 2),
        ],
    ),
    "ershida": (
        "党的二十大精神专项答题",
        Mode.SPECIAL,
        "围绕党的二十大报告的单选、多选与填空题。",
        900,
        {"multiple_scoring": Scoring.PARTIAL},
        [
            (QuestionType.SINGLE, "二十大", 5, 3, 2),
            (QuestionType.MULTIPLE, "二十大", 5, 3, 4),
            (QuestionType.FILL, "二十大", 5, 3, 4),
        ],
    ),
    "challenge": (
        "挑战答题",
        Mode.CHALLENGE,
        "连续作答，答错即止，看你能连对多少题。",
        600,
        {"avoid_recent_attempts": 1},
        [
            (QuestionType.SINGLE, "", 40, 10, 1),
            (QuestionType.JUDGE, "", 10, 5, 1),
        ],
    ),
    "contest-ershida": (
        "二十大知识竞赛试卷",
        Mode.CONTEST,
        "知识竞赛用卷。",
        600,
        {"multiple_scoring": Scoring.PARTIAL, "avoid_recent_attempts": 0},
        [
            (QuestionType.SINGLE, "二十大", 5, 2, 2),
            (QuestionType.MULTIPLE, "二十大", 5, 2, 4),
            (QuestionType.FILL, "二十大", 5, 2, 2),
            (QuestionType.JUDGE, "党的理论", 5, 2, 2),
        ],
    ),
}


def load(ctx: DemoContext) -> str:
    owner = ctx.units.get(OWNER) or Organisation.objects.get(name=OWNER)
    admin = ctx.people.get("admin")
    created, real = _load_bank(ctx, owner, admin)
    _link_report_passages(ctx)
    templates = _load_templates(owner, real=real)
    contest = _load_contest(owner, templates["contest-ershida"])
    # The reminder pass of the hour the contest opened: eligible members told.
    notices.remind(contest.starts_at + timedelta(minutes=5))
    _play(contest, templates)
    return "{}题库 {} 道试题（本次新增 {}），{} 种答题模式，竞赛“{}”{} 人参赛".format(
        "真实" if real else "内置示例",
        Question.objects.count(),
        created,
        len(templates),
        contest.title,
        contest.entries.count(),
    )


def _load_bank(ctx: DemoContext, owner, admin) -> tuple[int, bool]:
    found = [
        ctx.data_file(f"{name}/questions.jsonl")
        for name in ("quiz_20da", "quiz_maogai", "quiz_xxqg")
    ]
    real = [path for path in found if path is not None]
    if len(real) < len(found):
        rows = [_row(i, item) for i, item in enumerate(BUILTIN_QUESTIONS, start=1)]
        report = check_import_questions(
            rows, owner=owner, status=Question.Status.REVIEWED, acting_user=admin
        )
        _raise_on_errors(report)
        return report.created, False
    created = 0
    for path in real:
        data = path.read_bytes()
        if path.parent.name == "quiz_xxqg":
            # The general-knowledge bank is large and mostly off-topic: the
            # demo takes its party-theory questions only (727 of 9,370).
            data = b"\n".join(
                line for line in data.splitlines() if b'"party_theory"' in line
            )
        rows = read_file(path.name, data)
        report = check_import_questions(
            rows, owner=owner, status=Question.Status.REVIEWED, acting_user=admin
        )
        _raise_on_errors(report)
        created += report.created
    return created, True


def read_report(ctx: DemoContext) -> list[Passage]:
    """The 20th Congress report's paragraphs (as study loads them), each with
    its section and a link to find it among the study materials."""
    path = ctx.data_file("report20/paragraphs.jsonl")
    if path is None:
        return []
    search = reverse("study:search")
    passages = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("kind") != "paragraph" or not row.get("text"):
            continue
        section = row["section_title"]
        topic = section.split("、", 1)[-1]
        passages.append(
            Passage(section, row["text"], f"{search}?{urlencode({'q': topic})}")
        )
    return passages


def _link_report_passages(ctx: DemoContext) -> int:
    """Quotes, for each question taken from the report, the paragraph that
    holds its answer (its explanation then points to the report)."""
    finder = PassageFinder(read_report(ctx))
    if not finder.paragraphs:
        return 0
    linked = []
    for q in Question.objects.filter(reference=""):
        passage = finder.find(q.stem, answer_texts(q))
        if passage is not None:
            q.reference = passage.text
            q.reference_section = passage.section[:200]
            q.reference_url = passage.url[:300]
            linked.append(q)
    Question.objects.bulk_update(
        linked, ["reference", "reference_section", "reference_url"], batch_size=500
    )
    invalidate_pool()
    return len(linked)


def _row(line: int, item: dict) -> Row:
    rows = read_file("builtin.jsonl", json.dumps(item, ensure_ascii=False).encode())
    rows[0].line = line
    return rows[0]


def _raise_on_errors(report) -> None:
    if report.errors:
        line, message = report.errors[0]
        raise RuntimeError(f"示例题库导入失败：第 {line} 行 {message}")


def _load_templates(owner, *, real: bool) -> dict[str, PaperTemplate]:
    templates = {}
    for slug, (name, mode, description, seconds, options, rules) in TEMPLATES.items():
        template, created = PaperTemplate.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "mode": mode,
                "description": description,
                "owner": owner,
                "time_limit_seconds": seconds,
                **options,
            },
        )
        if created:
            for order, (qtype, category, real_n, builtin_n, points) in enumerate(rules):
                PaperRule.objects.create(
                    template=template,
                    sort_order=order,
                    question_type=qtype,
                    category=category,
                    count=real_n if real else builtin_n,
                    points=points,
                )
        templates[slug] = template
    return templates


def _load_contest(owner, template) -> Contest:
    now = timezone.now()
    contest = Contest.objects.filter(title=CONTEST_TITLE).first()
    if contest is None:
        contest = Contest.objects.create(
            title=CONTEST_TITLE,
            description="全市党员干部参加，每人可答三次，取最好成绩；同分比用时。",
            template=template,
            owner=owner,
            starts_at=now - timedelta(days=3),
            ends_at=now + timedelta(days=7),
            max_attempts=3,
        )
        contest.eligible.set(Organisation.objects.filter(depth=1))
    return contest


def _play(contest: Contest, templates) -> int:
    """Finished attempts of demo members over the last days (once only)."""
    if Attempt.objects.filter(contest=contest).exists():
        return 0
    rng = random.Random(20221016)
    members = list(
        Membership.objects.filter(role=Role.MEMBER)
        .exclude(person__username__in=["member", "outsider"])
        .select_related("person")
        .order_by("person_id")[:DEMO_PARTICIPANTS]
    )
    now = timezone.now()
    played = 0
    for i, membership in enumerate(members):
        person = membership.person
        ability = rng.uniform(0.35, 0.95)
        tries = 1 if i % 3 else 2
        for t in range(tries):
            started = now - timedelta(hours=rng.uniform(1, 70), minutes=t * 5)
            attempt, _ = check_start_attempt(
                person, contest=contest, seed=rng.getrandbits(48), now=started
            )
            _answer(attempt, rng, ability, started)
            played += 1
        if i % 4 == 0:
            # A daily quiz on an earlier day, for the statistics pages.
            day = now - timedelta(days=1 + i % 3, hours=rng.uniform(0, 5))
            attempt, _ = check_start_attempt(
                person, template=templates["daily"], seed=rng.getrandbits(48), now=day
            )
            _answer(attempt, rng, ability, day)
    return played


def _answer(attempt: Attempt, rng: random.Random, ability: float, started) -> None:
    questions = paper_questions(attempt)
    answers = {}
    for position, item in enumerate(attempt.paper):
        q = questions[item["q"]]
        right = rng.random() < ability
        if q.type == QuestionType.FILL:
            answers[str(position)] = (
                [alts[0] for alts in q.answer] if right else ["不知道"]
            )
            continue
        shown = {canonical: i for i, canonical in enumerate(item["o"])}
        correct = [shown[c] for c in q.answer]
        if right:
            answers[str(position)] = correct
        else:
            wrong = [i for i in range(len(item["o"])) if i not in correct]
            answers[str(position)] = [rng.choice(wrong)] if wrong else correct[:1]
    limit = attempt.template.time_limit_seconds or 600
    took = timedelta(seconds=rng.uniform(limit * 0.1, limit * 0.9))
    check_save_answers(attempt, answers, now=started + took)
    do_submit_attempt(attempt, now=started + took)
