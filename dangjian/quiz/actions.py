"""Changes to the quiz app: importing and reviewing questions, attempts, contests.

``check_*`` functions validate and raise ``QuizError`` (a ValidationError
with a code) before changing anything; ``do_*`` functions apply trusted
changes. Each is atomic. Reviews and imports are written to Wagtail's audit
log; attempts are not (they are the quiz's own record, and a log row per
answer would double the cost of answering).
"""

from __future__ import annotations

import random
import secrets
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, When
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from dangjian.orgs.models import Membership, Organisation, Person, Role
from dangjian.orgs.scope import scope_for
from dangjian.quiz import signals
from dangjian.quiz.draw import (
    draw_paper,
    get_questions,
    get_template,
    get_template_by_id,
    invalidate_pool,
    recent_attempts,
    recent_question_ids,
)
from dangjian.quiz.grading import clean_response, grade_item
from dangjian.quiz.importing import Row, validate_rows
from dangjian.quiz.models import (
    Attempt,
    Contest,
    ContestEntry,
    Mode,
    PaperTemplate,
    Question,
)
from dangjian.quiz.rows import (
    finish_attempt,
    insert_attempt,
    load_attempt,
    merge_responses,
)


class QuizError(ValidationError):
    """A refused quiz operation; ``code`` is stable for API clients."""

    def __init__(self, message: str, code: str, status: int = 400):
        super().__init__(message, code=code)
        self.status = status


def grace_seconds() -> int:
    # A few seconds for the network: the clock runs on the server.
    return getattr(settings, "DANGJIAN_QUIZ_GRACE_SECONDS", 5)


# --- Questions -------------------------------------------------------------


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    skipped: int = 0
    drafts: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return _("发现 %(n)d 处错误，未导入任何试题") % {"n": len(self.errors)}
        return _(
            "共 %(total)d 行：新增 %(created)d 道（其中待审核 %(drafts)d 道），"
            "跳过 %(skipped)d 道"
        ) % {
            "total": self.total,
            "created": self.created,
            "drafts": self.drafts,
            "skipped": self.skipped,
        }


def check_import_questions(
    rows: list[Row],
    *,
    owner: Organisation,
    status: str = Question.Status.DRAFT,
    category: str = "",
    acting_user=None,
) -> ImportReport:
    """Imports questions: all rows land, or none does and every bad row is listed.

    Duplicates (same external id, or same normalised stem and options, in the
    bank or earlier in the file) are skipped and reported. Rows carrying
    quality flags are imported as drafts to be fixed before review.
    """
    report = ImportReport(total=len(rows))
    validate_rows(rows, category=category)
    for row in rows:
        for message in row.errors:
            report.errors.append((row.line, message))
    if report.errors:
        return report

    existing_ids = set(
        Question.objects.filter(
            external_id__in=[r.external_id for r in rows if r.external_id]
        ).values_list("external_id", flat=True)
    )
    existing_keys = dict(
        Question.objects.filter(dedup_key__in=[r.key for r in rows]).values_list(
            "dedup_key", "id"
        )
    )
    seen_keys: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    now = timezone.now()
    to_create = []
    for row in rows:
        if row.external_id and row.external_id in existing_ids:
            report.skipped += 1
            continue
        if row.external_id and row.external_id in seen_ids:
            report.errors.append(
                (
                    row.line,
                    _("编号“%(id)s”与第 %(line)d 行重复")
                    % {"id": row.external_id, "line": seen_ids[row.external_id]},
                )
            )
            continue
        if row.key in existing_keys:
            report.skipped += 1
            report.warnings.append(
                (
                    row.line,
                    _("题库中已有相同题目（#%(pk)d），已跳过")
                    % {"pk": existing_keys[row.key]},
                )
            )
            continue
        if row.key in seen_keys:
            report.skipped += 1
            report.warnings.append(
                (
                    row.line,
                    _("与第 %(line)d 行题目重复，已跳过")
                    % {"line": seen_keys[row.key]},
                )
            )
            continue
        seen_keys[row.key] = row.line
        if row.external_id:
            seen_ids[row.external_id] = row.line
        row_status = status
        if row.quality_flags:
            row_status = Question.Status.DRAFT
            report.drafts += 1
            report.warnings.append(
                (
                    row.line,
                    _("质量标记 %(flags)s：已导入为待审核")
                    % {"flags": "、".join(row.quality_flags)},
                )
            )
        elif status == Question.Status.DRAFT:
            report.drafts += 1
        to_create.append(
            Question(
                owner=owner,
                type=row.type,
                stem=row.stem,
                options=row.options,
                answer=row.answer,
                explanation=row.explanation,
                source=row.source,
                provenance=row.provenance,
                category=row.category,
                tags=row.tags,
                difficulty=row.difficulty,
                status=row_status,
                quality_flags=row.quality_flags,
                dedup_key=row.key,
                external_id=row.external_id,
                created_at=now,
            )
        )
    if report.errors:
        report.drafts = 0
        return report
    with transaction.atomic():
        Question.objects.bulk_create(to_create, batch_size=500)
        report.created = len(to_create)
        if to_create:
            log(
                instance=owner,
                action="dangjian.quiz.import",
                user=acting_user,
                data={"created": report.created, "skipped": report.skipped},
            )
    transaction.on_commit(invalidate_pool)
    invalidate_pool()
    return report


@transaction.atomic
def do_set_question_status(question: Question, status: str, *, acting_user=None):
    """Reviews, retires or reopens a question (audited)."""
    if status not in Question.Status.values:
        raise QuizError(_("未知状态：%(status)s") % {"status": status}, "bad_status")
    if question.status == status:
        return question
    previous = question.status
    question.status = status
    question.save(update_fields=["status", "updated_at"])
    log(
        instance=question,
        action="dangjian.quiz.review",
        user=acting_user,
        data={"from": previous, "to": status},
    )
    transaction.on_commit(invalidate_pool)
    return question


# --- Attempts ----------------------------------------------------------------


_unit_cache: dict[int, tuple[float, int | None]] = {}
UNIT_CACHE_SECONDS = 60


def person_unit_id(person) -> int | None:
    """The unit a person belongs to (their branch's unit), for standings by unit.

    Kept a minute per process: people rarely move, and a move only affects
    which unit later attempts count for.
    """
    now = time.monotonic()
    cached = _unit_cache.get(person.pk)
    if cached and now - cached[0] < UNIT_CACHE_SECONDS:
        return cached[1]
    membership = (
        Membership.objects.filter(person=person)
        .select_related("organisation")
        # A plain membership says where the person belongs; staff roles
        # count only when there is none.
        .order_by(Case(When(role=Role.MEMBER, then=0), default=1), "id")
        .first()
    )
    unit_id = None
    if membership is not None:
        org = membership.organisation
        unit_id = org.pk
        if org.is_branch:
            parent_path = org.path[: -Organisation.steplen]
            unit_id = (
                Organisation.objects.filter(path=parent_path)
                .values_list("pk", flat=True)
                .first()
                or org.pk
            )
    if len(_unit_cache) > 100_000:
        _unit_cache.clear()
    _unit_cache[person.pk] = (now, unit_id)
    return unit_id


def resolve_template(mode: str) -> PaperTemplate:
    template = get_template(mode=mode)
    if template is None:
        raise QuizError(
            _("没有可用的%(mode)s") % {"mode": Mode(mode).label}, "no_template", 404
        )
    return template


def check_start_attempt(
    person,
    *,
    template: PaperTemplate | None = None,
    contest: Contest | None = None,
    seed: int | None = None,
    now=None,
) -> tuple[Attempt, bool]:
    """Starts an attempt, or resumes the person's unfinished one; returns (attempt, created).

    1. A contest must be open and the person eligible, within the attempts allowed.
    2. A once-a-day template refuses a second attempt on the same day.
    3. The paper is drawn avoiding the questions of the person's last attempts.

    The seed that draws the paper and orders its options is the server's own
    secret (``secrets``), never shown to anyone: a contestant who could pick
    it, or guess it, would get a paper already seen. ``seed`` is only for
    trusted server-side callers (the demo city, tests); no request may pass
    it on.

    The paper is drawn before the transaction, which then only checks the
    limits under a lock on the person and inserts the row: on SQLite the
    transaction holds the database's write lock.
    """
    now = now or timezone.now()
    if person is None or not person.is_authenticated:
        raise QuizError(_("请先登录"), "login_required", 401)
    if contest is not None:
        template = contest.template
        _check_contest_entry(person, contest, now)
    if template is None or not template.is_active:
        raise QuizError(_("该答题已停用"), "inactive", 404)

    contest_id = contest.pk if contest is not None else None
    recent = recent_attempts(person, template, template.avoid_recent_attempts)
    current = next(
        (
            a
            for a in recent
            if a.status == Attempt.Status.IN_PROGRESS and a.contest_id == contest_id
        ),
        None,
    )
    if current is not None and (current.deadline is None or now <= current.deadline):
        resumed = Attempt.objects.get(pk=current.id)
        resumed.template = template
        return resumed, False
    seed = seed if seed is not None else secrets.randbits(62)
    paper = draw_paper(template, seed, recent_question_ids(person, template, recent))
    day = timezone.localdate(now) if template.once_per_day else None
    attempt = Attempt(
        person=person,
        unit_id=person_unit_id(person),
        template=template,
        contest=contest,
        mode=Mode.CONTEST if contest is not None else template.mode,
        seed=seed,
        paper=paper,
        started_at=now,
        deadline=(
            now + timedelta(seconds=template.time_limit_seconds)
            if template.time_limit_seconds
            else None
        ),
        max_score=sum((Decimal(item["p"]) for item in paper), Decimal(0)),
        day=day,
    )
    if current is None and contest is None and day is None:
        # Nothing to check or close first: the insert alone is atomic, and
        # BEGIN/COMMIT would be two more round trips on every start.
        insert_attempt(attempt)
        return attempt, True
    with transaction.atomic():
        if current is not None:
            do_submit_attempt(AttemptRef(current.id, person), now=now)
        if contest is not None:
            # Serialises this person's contest starts, so two concurrent
            # requests cannot both pass the attempt limit.
            get_user_model().objects.select_for_update().filter(pk=person.pk).first()
            used = Attempt.objects.filter(person=person, contest=contest).count()
            if used >= contest.max_attempts:
                raise QuizError(
                    _("每人最多参赛 %(n)d 次，您已用完") % {"n": contest.max_attempts},
                    "no_attempts_left",
                    409,
                )
        if (
            day is not None
            and Attempt.objects.filter(
                person=person, template=template, day=day
            ).exists()
        ):
            raise QuizError(_done_today(template), "done_today", 409)
        if day is None:
            attempt.save(force_insert=True)
            return attempt, True
        try:
            # The once-a-day constraint settles concurrent starts.
            with transaction.atomic():
                attempt.save(force_insert=True)
        except IntegrityError:
            raise QuizError(_done_today(template), "done_today", 409) from None
    return attempt, True


def mistake_template(owner: Organisation) -> PaperTemplate:
    """The template practice papers of the 错题本 are recorded under. It is
    inactive: nobody starts it from the list; its papers are the mistakes."""
    from dangjian.quiz.mistakes import PRACTICE_SLUG

    template, _created = PaperTemplate.objects.get_or_create(
        slug=PRACTICE_SLUG,
        defaults={
            "name": _("错题练习"),
            "mode": Mode.SPECIAL,
            "owner": owner,
            "time_limit_seconds": 0,
            "avoid_recent_attempts": 0,
            "is_active": False,
            "description": _("从错题本中抽取，答对的题目移出错题本"),
        },
    )
    return template


def check_start_mistake_practice(person, *, now=None) -> Attempt:
    """Starts (or resumes) a practice paper of the person's latest mistakes.

    1. The person must be signed in and have mistakes to practise.
    2. An unfinished practice paper is resumed rather than a second started.
    3. The paper holds up to ``PRACTICE_SIZE`` mistakes, options shuffled.
    """
    from dangjian.quiz.draw import _item
    from dangjian.quiz.mistakes import PRACTICE_SIZE, mistakes_for

    now = now or timezone.now()
    if person is None or not person.is_authenticated:
        raise QuizError(_("请先登录"), "login_required", 401)
    mistakes = mistakes_for(person, limit=PRACTICE_SIZE)
    if not mistakes:
        raise QuizError(_("错题本是空的，没有需要练习的题目"), "no_mistakes", 409)
    unit_id = person_unit_id(person)
    owner = (
        Organisation.objects.filter(pk=unit_id).first()
        if unit_id
        else mistakes[0].question.owner
    )
    template = mistake_template(owner or mistakes[0].question.owner)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=person.pk).first()
        current = (
            Attempt.objects.in_progress()
            .filter(person=person, template=template)
            .first()
        )
        if current is not None:
            return current
        seed = secrets.randbits(62)
        rng = random.Random(seed)
        paper = [
            _item(
                template,
                rng,
                m.question.pk,
                m.question.type,
                len(m.question.options),
                "1",
            )
            for m in mistakes
        ]
        attempt = Attempt(
            person=person,
            unit_id=unit_id,
            template=template,
            mode=Mode.SPECIAL,
            seed=seed,
            paper=paper,
            started_at=now,
            max_score=Decimal(len(paper)),
        )
        attempt.save(force_insert=True)
    return attempt


def _done_today(template: PaperTemplate) -> str:
    return _("今天已完成%(name)s，明天再来") % {"name": template.name}


def _check_contest_entry(person, contest: Contest, now) -> None:
    if not contest.is_published or now < contest.starts_at:
        raise QuizError(_("竞赛尚未开始"), "not_started", 409)
    if now >= contest.ends_at:
        raise QuizError(_("竞赛已结束"), "ended", 409)
    if not is_eligible(person, contest):
        raise QuizError(_("您所在的组织不在本次竞赛范围内"), "not_eligible", 403)


def is_eligible(person, contest: Contest) -> bool:
    eligible = [o.pk for o in contest.eligible.all()]
    return scope_for(person).reaches(eligible, include_descendants=True)


@dataclass(frozen=True)
class AttemptRef:
    """An attempt named by id for a person, before its row is read.

    What the API passes to the actions: they read the row once anyway, and
    building a whole ``Attempt`` for the two ids cost more than reading it.
    """

    pk: int
    person: Person

    @property
    def person_id(self) -> int:
        return self.person.pk


def _lock(attempt: Attempt | AttemptRef) -> Attempt:
    """Re-reads the attempt locked for update (inside a transaction)."""
    return _fresh(attempt, lock=True)


def _check_open(attempt: Attempt, now) -> None:
    if attempt.is_finished:
        raise QuizError(_("已交卷，不能再修改答案"), "finished", 409)
    if attempt.deadline and now > attempt.deadline + timedelta(seconds=grace_seconds()):
        raise QuizError(_("答题时间已到，答案未保存"), "time_up", 409)


def check_save_answers(
    attempt: Attempt | AttemptRef, answers: dict, *, now=None
) -> Attempt:
    """Saves answers given so far ({position: response}); later saves overwrite.

    The row is read without a lock (the paper never changes) and the answers
    are merged into it by one conditional update, which refuses a finished
    or expired attempt: a submit that locked the row first wins, and the
    save then reports that the attempt is finished.
    """
    now = now or timezone.now()
    if not isinstance(answers, dict):
        raise QuizError(_("answers 应为 {题号: 答案} 的对象"), "bad_answers")
    current = _fresh(attempt)
    _check_open(current, now)
    if current.template.is_challenge:
        raise QuizError(_("挑战答题请逐题作答"), "challenge_mode")
    cleaned = _clean_answers(current, answers)
    merged = merge_responses(
        current.pk,
        current.person_id,
        cleaned,
        open_until=now - timedelta(seconds=grace_seconds()),
    )
    if merged is None:
        # Finished or expired since the read: say which.
        _check_open(_fresh(current), now)
        raise QuizError(_("已交卷，不能再修改答案"), "finished", 409)
    current.responses = merged
    return current


def _fresh(attempt: Attempt | AttemptRef, *, lock: bool = False) -> Attempt:
    """Re-reads the attempt, keeping what was already loaded with it.

    ``attempt`` may be a reference (``AttemptRef`` or ``Attempt(pk=…,
    person=…)``): the person filter then doubles as the ownership check.
    """
    fresh = load_attempt(attempt.pk, attempt.person_id, lock=lock)
    fresh.template = get_template_by_id(fresh.template_id)
    # The paper never changes, so the questions already read stay valid.
    questions = getattr(attempt, "_quiz_questions", None)
    if questions is not None:
        fresh._quiz_questions = questions
    if isinstance(attempt, AttemptRef) or Attempt.person.is_cached(attempt):
        fresh.person = attempt.person
    return fresh


def _clean_answers(attempt: Attempt, answers: dict) -> dict:
    shown = question_shapes(attempt)
    cleaned, problems = {}, []
    for key, response in answers.items():
        try:
            position = int(key)
        except (TypeError, ValueError):
            problems.append(_("题号“%(key)s”无效") % {"key": key})
            continue
        if not 0 <= position < len(attempt.paper):
            problems.append(_("第 %(n)d 题不存在") % {"n": position + 1})
            continue
        qtype, option_count, blanks = shown[position]
        try:
            cleaned[str(position)] = clean_response(
                qtype, response, option_count, blanks
            )
        except ValueError as exc:
            problems.append(
                _("第 %(n)d 题：%(error)s") % {"n": position + 1, "error": exc}
            )
    if problems:
        raise QuizError("；".join(problems), "bad_answers")
    return cleaned


def question_shapes(attempt: Attempt) -> list[tuple[str, int, int]]:
    """(type, option count, blanks) of each question, for validating responses."""
    questions = paper_questions(attempt)
    shapes = []
    for item in attempt.paper:
        q = questions[item["q"]]
        shapes.append((q.type, len(item["o"]), q.blank_count))
    return shapes


def paper_questions(attempt: Attempt) -> dict[int, Question]:
    cached = getattr(attempt, "_quiz_questions", None)
    if cached is None:
        cached = get_questions([item["q"] for item in attempt.paper])
        attempt._quiz_questions = cached
    return cached


@transaction.atomic
def check_answer_challenge(
    attempt: Attempt | AttemptRef, position, response, *, now=None
):
    """Challenge mode: grades the next question at once; a wrong answer ends the run.

    Returns (attempt, correct).
    """
    now = now or timezone.now()
    attempt = _lock(attempt)
    _check_open(attempt, now)
    if not attempt.template.is_challenge:
        raise QuizError(_("仅挑战答题逐题判分"), "not_challenge")
    expected = len(attempt.responses)
    try:
        position = int(position)
    except (TypeError, ValueError):
        position = -1
    if position != expected:
        raise QuizError(
            _("请回答第 %(n)d 题") % {"n": expected + 1}, "out_of_order", 409
        )
    cleaned = _clean_answers(attempt, {str(position): response})
    attempt.responses = {**attempt.responses, **cleaned}
    item = attempt.paper[position]
    question = paper_questions(attempt)[item["q"]]
    _score, correct = grade_item(
        question.type,
        question.answer,
        cleaned[str(position)],
        item["o"],
        Decimal(item["p"]),
        attempt.template.multiple_scoring,
    )
    attempt.save(update_fields=["responses"])
    if not correct or position == len(attempt.paper) - 1:
        attempt, _graded = do_submit_attempt(attempt, now=now)
    return attempt, correct


SUBMIT_TRIES = 5


def do_submit_attempt(
    attempt: Attempt | AttemptRef, *, now=None
) -> tuple[Attempt, bool]:
    """Grades and closes the attempt; returns (attempt, graded now).

    The attempt is read and graded without a lock; the result is written
    only if the attempt is still open with the answers that were graded
    (``rows.finish_attempt``). When a save landed in between, it is graded
    again; when another submit won, the finished attempt is returned as it
    is, so submitting twice grades once. Past the deadline the answers saved
    in time are graded and the attempt is marked as timed out. Plain
    attempts need no transaction (one conditional update); contest attempts
    update the standing in the same transaction.
    """
    now = now or timezone.now()
    for tries_left in reversed(range(SUBMIT_TRIES)):
        # The last try locks the row, so someone saving without pause
        # cannot keep their submit from landing.
        locking = tries_left == 0
        with transaction.atomic() if locking else nullcontext():
            current = _lock(attempt) if locking else _fresh(attempt)
            if current.is_finished:
                return current, False
            _grade(current, now)
            if current.contest_id:
                with transaction.atomic():
                    if not finish_attempt(current):
                        continue
                    _record_contest_result(current)
            elif not finish_attempt(current):
                continue
        transaction.on_commit(partial(_announce_finished, current))
        return current, True
    raise AssertionError("the locked try always finishes the attempt")


def _grade(attempt: Attempt, now) -> None:
    """Fills in the result columns from the saved answers."""
    template = attempt.template
    questions = paper_questions(attempt)
    results, total, correct_count, streak, leading = [], Decimal(0), 0, 0, True
    for position, item in enumerate(attempt.paper):
        question = questions.get(item["q"])
        response = attempt.responses.get(str(position))
        if question is None:
            # A question deleted after the draw is given to everyone.
            score, correct = Decimal(item["p"]), True
        else:
            score, correct = grade_item(
                question.type,
                question.answer,
                response,
                item["o"],
                Decimal(item["p"]),
                template.multiple_scoring,
            )
        results.append({"s": str(score), "c": correct})
        total += score
        correct_count += correct
        if leading and correct and response is not None:
            streak += 1
        else:
            leading = False
    late = attempt.deadline and now > attempt.deadline + timedelta(
        seconds=grace_seconds()
    )
    end = min(now, attempt.deadline) if late else now
    attempt.results = results
    attempt.score = total
    attempt.correct_count = correct_count
    attempt.streak = streak if template.is_challenge else 0
    attempt.status = Attempt.Status.TIMED_OUT if late else Attempt.Status.SUBMITTED
    attempt.submitted_at = now
    attempt.duration_seconds = max((end - attempt.started_at).total_seconds(), 0.0)


def _announce_finished(attempt: Attempt) -> None:
    signals.attempt_finished.send(
        sender=Attempt, attempt=attempt, person=attempt.person
    )


def _record_contest_result(attempt: Attempt) -> None:
    entry, _created = ContestEntry.objects.select_for_update().get_or_create(
        contest_id=attempt.contest_id,
        person_id=attempt.person_id,
        defaults={"unit_id": attempt.unit_id},
    )
    entry.attempts += 1
    # A finished attempt has both (set by _grade).
    score = cast(Decimal, attempt.score)
    duration = cast(float, attempt.duration_seconds)
    better = (
        entry.best_score is None
        or score > entry.best_score
        or (score == entry.best_score and duration < (entry.best_duration or 0))
    )
    fields = ["attempts"]
    if better:
        entry.best_score = attempt.score
        entry.best_duration = attempt.duration_seconds
        entry.best_at = attempt.submitted_at
        entry.best_attempt = attempt
        entry.unit_id = attempt.unit_id
        fields += ["best_score", "best_duration", "best_at", "best_attempt", "unit"]
    entry.save(update_fields=fields)


def do_close_expired_attempts(*, now=None) -> int:
    """Grades attempts left open past their deadline (people who walked away)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=grace_seconds())
    closed = 0
    for attempt in Attempt.objects.in_progress().filter(deadline__lt=cutoff):
        _attempt, graded = do_submit_attempt(attempt, now=now)
        closed += graded
    return closed


def can_manage_quiz(person, organisation_id: int | None = None) -> bool:
    """Unit admins (of the organisation, when given) and platform admins."""
    if not person.is_authenticated:
        return False
    if person.is_superuser:
        return True
    scope = scope_for(person)
    if organisation_id is None:
        return any(role == Role.UNIT_ADMIN for _org, role in scope.roles)
    return scope.has_role(organisation_id, Role.UNIT_ADMIN)
