"""JSON API: start an attempt, save answers, submit, contest leaderboards.

Errors are ``{"detail": "<中文说明>", "code": "<stable code>"}`` with a 4xx
status. Nothing in an open attempt's responses reveals the answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import Field

from dangjian.lib.api_errors import ErrorOut
from dangjian.lib.api_types import MAX_ID, Id
from dangjian.orgs.auth import member_auth
from dangjian.quiz.actions import (
    AttemptRef,
    QuizError,
    can_manage_quiz,
    check_answer_challenge,
    check_save_answers,
    check_start_attempt,
    do_submit_attempt,
    is_eligible,
    resolve_template,
)
from dangjian.quiz.draw import get_template
from dangjian.quiz.models import Attempt, Contest, Mode
from dangjian.quiz.presenters import paper_view, result_view, seconds_left
from dangjian.quiz.standings import (
    boards_for,
    my_standing,
    person_leaderboard,
    unit_leaderboard,
)

router = Router(tags=["答题与知识竞赛"])


class StartIn(Schema):
    # No seed: papers and option orders are drawn by the server alone (an
    # unknown field such as an old client's "seed" is ignored, as in every
    # input schema of the API).
    mode: Literal["daily", "special", "challenge"] | None = None
    template: str | None = None
    contest: int | None = Field(None, ge=1, le=MAX_ID)


class OptionOut(Schema):
    index: int
    label: str
    text: str


class QuestionOut(Schema):
    position: int
    number: int
    type: str
    type_label: str
    stem: str
    options: list[OptionOut]
    blanks: int
    points: float
    response: Any = None


class AttemptOut(Schema):
    id: int
    mode: str
    mode_label: str
    title: str
    status: str
    started_at: datetime
    deadline: datetime | None
    seconds_left: int | None
    max_score: float
    answered: int
    # A Sequence, so that ResultOut may narrow it to result questions.
    questions: Sequence[QuestionOut]


class ResultQuestionOut(QuestionOut):
    correct_answer: list[str]
    given: list[str]
    is_correct: bool
    score: float
    explanation: str
    source: str
    reference: str = ""
    reference_section: str = ""
    reference_url: str = ""


class ResultOut(AttemptOut):
    questions: list[ResultQuestionOut]
    score: float
    correct_count: int
    streak: int
    submitted_at: datetime | None
    seconds: float
    timed_out: bool


class AnswersIn(Schema):
    answers: dict[str, Any]


class SavedOut(Schema):
    id: int
    answered: int
    seconds_left: int | None


class ChallengeIn(Schema):
    position: int
    response: Any = None


class ChallengeOut(Schema):
    correct: bool
    finished: bool
    streak: int
    answered: int


def _error(exc: ValidationError, status: int | None = None):
    status = status or getattr(exc, "status", 400)
    code = getattr(exc, "code", None) or "invalid"
    return JsonResponse(
        {"detail": "；".join(exc.messages), "code": code},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _own_attempt(request, attempt_id: int) -> Attempt:
    # Someone else's attempt is "not found", so ids cannot be probed.
    attempt = get_object_or_404(
        Attempt.objects.select_related("template", "contest"),
        pk=attempt_id,
        person=request.user,
    )
    attempt.person = request.user
    return attempt


def _attempt_ref(request, attempt_id: int) -> AttemptRef:
    """A reference the actions lock and check (they read the row once)."""
    return AttemptRef(attempt_id, request.user)


def _json(data, status: int = 200) -> JsonResponse:
    # Papers are built by presenters.paper_view/result_view, which the
    # schemas above describe; returning them directly skips re-validating
    # 15–50 questions per response.
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


@router.post(
    "/attempts",
    auth=member_auth,
    response={200: AttemptOut, 201: AttemptOut, **ERRORS},
    summary="开始答题（每日/专项/挑战/竞赛），返回不含答案的试卷",
)
def start_attempt(request, payload: StartIn):
    try:
        contest = template = None
        if payload.contest is not None:
            contest = Contest.objects.published().filter(pk=payload.contest).first()
            if contest is None:
                raise QuizError("竞赛不存在", "not_found", 404)
        elif payload.template:
            template = get_template(payload.template)
            if template is None or template.mode == Mode.CONTEST:
                raise QuizError("答题不存在", "not_found", 404)
        elif payload.mode:
            template = resolve_template(payload.mode)
        else:
            raise QuizError("请指定 mode、template 或 contest", "bad_request")
        attempt, created = check_start_attempt(
            request.user, template=template, contest=contest
        )
    except ValidationError as exc:
        return _error(exc)
    return _json(paper_view(attempt), 201 if created else 200)


@router.get(
    "/attempts/{attempt_id}",
    auth=member_auth,
    response={200: ResultOut | AttemptOut, 404: ErrorOut},
    summary="查看答题：未交卷时不含答案，交卷后含答案与解析",
)
def get_attempt(request, attempt_id: Id):
    attempt = _own_attempt(request, attempt_id)
    return _json(result_view(attempt) if attempt.is_finished else paper_view(attempt))


@router.put(
    "/attempts/{attempt_id}/answers",
    auth=member_auth,
    response={200: SavedOut, **ERRORS},
    summary="保存作答（{题号: 答案}，题号从 0 起；选择题为选项序号列表或字母）",
)
def save_answers(request, attempt_id: Id, payload: AnswersIn):
    try:
        attempt = check_save_answers(_attempt_ref(request, attempt_id), payload.answers)
    except Attempt.DoesNotExist:
        return _error(QuizError("答题记录不存在", "not_found", 404))
    except ValidationError as exc:
        return _error(exc)
    view_left = None
    if attempt.deadline:
        view_left = seconds_left(attempt)
    return {
        "id": attempt.pk,
        "answered": len(attempt.responses),
        "seconds_left": view_left,
    }


@router.post(
    "/attempts/{attempt_id}/challenge",
    auth=member_auth,
    response={200: ChallengeOut, **ERRORS},
    summary="挑战答题：回答下一题并立即判分，答错即结束",
)
def answer_challenge(request, attempt_id: Id, payload: ChallengeIn):
    try:
        attempt, correct = check_answer_challenge(
            _attempt_ref(request, attempt_id), payload.position, payload.response
        )
    except Attempt.DoesNotExist:
        return _error(QuizError("答题记录不存在", "not_found", 404))
    except ValidationError as exc:
        return _error(exc)
    return {
        "correct": correct,
        "finished": attempt.is_finished,
        "streak": attempt.streak if attempt.is_finished else len(attempt.responses),
        "answered": len(attempt.responses),
    }


@router.post(
    "/attempts/{attempt_id}/submit",
    auth=member_auth,
    response={200: ResultOut, 404: ErrorOut},
    summary="交卷并判分（重复提交只计一次），返回得分、正确答案与解析",
)
def submit_attempt(request, attempt_id: Id):
    try:
        attempt, _graded = do_submit_attempt(_attempt_ref(request, attempt_id))
    except Attempt.DoesNotExist:
        return _error(QuizError("答题记录不存在", "not_found", 404))
    return _json(result_view(attempt))


class PersonRankOut(Schema):
    rank: int
    person_id: int
    name: str
    unit: str
    score: float
    seconds: float
    attempts: int


class UnitRankOut(Schema):
    rank: int
    unit_id: int | None
    unit: str
    participants: int
    average: float
    top: float
    seconds: float


class MineOut(Schema):
    rank: int
    score: float
    seconds: float
    attempts: int
    participants: int


class LeaderboardOut(Schema):
    contest: int
    title: str
    persons: list[PersonRankOut]
    units: list[UnitRankOut]
    mine: MineOut | None = None


LEADERBOARD_SECONDS = 3


def cached_leaderboards(contest: Contest) -> dict:
    """Both boards, cached a few seconds: "live" without a ranking per page view."""
    key = f"quiz:leaderboard:{contest.pk}"
    boards = cache.get(key)
    if boards is None:
        boards = {
            "persons": person_leaderboard(contest),
            "units": unit_leaderboard(contest),
        }
        cache.set(key, boards, LEADERBOARD_SECONDS)
    return boards


@router.get(
    "/contests/{contest_id}/leaderboard",
    response={200: LeaderboardOut, 404: ErrorOut},
    summary="竞赛排行榜（个人与单位；登录时含本人名次）",
)
def leaderboard(request, contest_id: Id):
    contest = get_object_or_404(Contest.objects.published(), pk=contest_id)
    user = request.user
    show_names = user.is_authenticated and (
        is_eligible(user, contest) or can_manage_quiz(user)
    )
    boards = boards_for(cached_leaderboards(contest), show_names=show_names)
    mine = my_standing(contest, user) if user.is_authenticated else None
    return {"contest": contest.pk, "title": contest.title, **boards, "mine": mine}
