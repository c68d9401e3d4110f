"""Public quiz pages: modes, answering, results, contests, statistics, export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.lib.excel import XLSX, ExcelWriter
from dangjian.orgs.models import Role
from dangjian.orgs.scope import managed_organisations, scope_for
from dangjian.quiz import stats
from dangjian.quiz.actions import (
    QuizError,
    can_manage_quiz,
    check_answer_challenge,
    check_save_answers,
    check_start_attempt,
    check_start_mistake_practice,
    do_submit_attempt,
    is_eligible,
)
from dangjian.quiz.api import cached_leaderboards
from dangjian.quiz.mistakes import mistakes_for
from dangjian.quiz.models import (
    Attempt,
    Contest,
    ContestEntry,
    Mode,
    PaperTemplate,
    QuestionType,
)
from dangjian.quiz.presenters import paper_view, question_review, result_view
from dangjian.quiz.standings import boards_for, my_standing


def index(request):
    """The modes: daily, special, challenge, and the contests."""
    now = timezone.now()
    templates = list(PaperTemplate.objects.active().exclude(mode=Mode.CONTEST))
    done_today = set()
    recent = []
    if request.user.is_authenticated:
        done_today = set(
            Attempt.objects.finished()
            .filter(person=request.user, day=timezone.localdate(now))
            .values_list("template_id", flat=True)
        )
        recent = list(
            Attempt.objects.finished()
            .for_person(request.user)
            .select_related("template", "contest")[:5]
        )
    contests = list(
        Contest.objects.published().filter(ends_at__gt=now).order_by("starts_at")
    )
    return render(
        request,
        "quiz/index.html",
        {
            "daily": [t for t in templates if t.mode == Mode.DAILY],
            "special": [t for t in templates if t.mode == Mode.SPECIAL],
            "challenge": [t for t in templates if t.mode == Mode.CHALLENGE],
            "contests": contests,
            "done_today": done_today,
            "recent": recent,
            "now": now,
            "can_see_stats": _is_quiz_manager(request.user),
        },
    )


@login_required
@require_POST
def start(request, slug):
    template = get_object_or_404(PaperTemplate.objects.active(), slug=slug)
    if template.mode == Mode.CONTEST:
        raise Http404
    return _start(request, template=template)


@login_required
@require_POST
def start_contest(request, contest_id):
    contest = get_object_or_404(Contest.objects.published(), pk=contest_id)
    return _start(request, contest=contest)


def _start(request, **target):
    try:
        attempt, _created = check_start_attempt(request.user, **target)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        if target.get("contest"):
            return redirect("quiz:contest", contest_id=target["contest"].pk)
        return redirect("quiz:index")
    return redirect("quiz:attempt", attempt_id=attempt.pk)


@login_required
def mistakes(request):
    """错题本: the member's latest wrong answers, with the right answer and
    its explanation, and a button to practise them again."""
    rows = mistakes_for(request.user)
    return render(
        request,
        "quiz/mistakes.html",
        {"mistakes": [(m, question_review(m.question)) for m in rows]},
    )


@login_required
@require_POST
def practise_mistakes(request):
    try:
        attempt = check_start_mistake_practice(request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("quiz:mistakes")
    return redirect("quiz:attempt", attempt_id=attempt.pk)


def _own_attempt(request, attempt_id) -> Attempt:
    return get_object_or_404(
        Attempt.objects.select_related("template", "contest"),
        pk=attempt_id,
        person=request.user,
    )


@login_required
def attempt_page(request, attempt_id):
    """The paper. All questions in one form (works without JavaScript);
    the script turns it into one question per screen and saves as you go."""
    attempt = _own_attempt(request, attempt_id)
    if attempt.is_finished:
        return redirect("quiz:result", attempt_id=attempt.pk)
    view = paper_view(attempt)
    if attempt.template.is_challenge:
        position = len(attempt.responses)
        view["current"] = view["questions"][position]
    _mark_responses(view)
    return render(
        request,
        "quiz/challenge.html" if attempt.template.is_challenge else "quiz/attempt.html",
        {"attempt": attempt, "paper": view},
    )


def _mark_responses(view: dict) -> None:
    """Adds what templates need to pre-fill saved answers."""
    for q in view["questions"]:
        response = q["response"] or []
        if q["type"] == QuestionType.FILL:
            q["fills"] = [
                response[i] if i < len(response) else ""
                for i in range(max(q["blanks"], 1))
            ]
        else:
            for option in q["options"]:
                option["checked"] = option["index"] in response


def _answers_from_post(request, attempt: Attempt) -> dict:
    answers = {}
    for position, item in enumerate(paper_view(attempt)["questions"]):
        key = f"q{position}"
        if item["type"] == QuestionType.FILL:
            values = request.POST.getlist(key)
            if any(v.strip() for v in values):
                answers[str(position)] = values
        elif key in request.POST:
            answers[str(position)] = [
                int(v) for v in request.POST.getlist(key) if v.isdigit()
            ]
    return answers


@login_required
@require_POST
def submit(request, attempt_id):
    attempt = _own_attempt(request, attempt_id)
    if not attempt.is_finished:
        try:
            answers = _answers_from_post(request, attempt)
            if answers:
                check_save_answers(attempt, answers)
        except QuizError as exc:
            if exc.code != "time_up":
                messages.error(request, "；".join(exc.messages))
                return redirect("quiz:attempt", attempt_id=attempt.pk)
            messages.warning(request, "答题时间已到，按时保存的答案已判分。")
        do_submit_attempt(attempt)
    return redirect("quiz:result", attempt_id=attempt.pk)


@login_required
@require_POST
def challenge_answer(request, attempt_id):
    attempt = _own_attempt(request, attempt_id)
    position = request.POST.get("position")
    key = f"q{position}"
    values = request.POST.getlist(key)
    response = [int(v) for v in values if v.isdigit()]
    try:
        attempt, correct = check_answer_challenge(attempt, position, response)
    except QuizError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("quiz:attempt", attempt_id=attempt.pk)
    if attempt.is_finished:
        return redirect("quiz:result", attempt_id=attempt.pk)
    messages.success(request, f"回答正确！已连续答对 {len(attempt.responses)} 题")
    return redirect("quiz:attempt", attempt_id=attempt.pk)


@login_required
def result(request, attempt_id):
    attempt = _own_attempt(request, attempt_id)
    if not attempt.is_finished:
        return redirect("quiz:attempt", attempt_id=attempt.pk)
    return render(
        request,
        "quiz/result.html",
        {"attempt": attempt, "result": result_view(attempt)},
    )


def contest_page(request, contest_id):
    contest = get_object_or_404(
        Contest.objects.published().select_related("template", "owner"), pk=contest_id
    )
    user = request.user
    context = {
        "contest": contest,
        "boards": boards_for(
            cached_leaderboards(contest),
            show_names=user.is_authenticated
            and (is_eligible(user, contest) or can_manage_quiz(user)),
        ),
        "is_open": contest.is_open(),
        "not_started": timezone.now() < contest.starts_at,
        "eligible_orgs": list(contest.eligible.all()),
    }
    if user.is_authenticated:
        context.update(
            {
                "eligible": is_eligible(user, contest),
                "mine": my_standing(contest, user),
                "used": Attempt.objects.filter(person=user, contest=contest).count(),
                "can_export": _is_quiz_manager(user),
            }
        )
    return render(request, "quiz/contest.html", context)


def _is_quiz_manager(person) -> bool:
    if not person.is_authenticated:
        return False
    return person.is_superuser or any(
        role == Role.UNIT_ADMIN for _org, role in scope_for(person).roles
    )


def _manager_attempts(request, owner_id: int, base):
    """Attempts this manager may see: everything when they run the owning unit."""
    person = request.user
    if not _is_quiz_manager(person):
        raise PermissionDenied
    owns = (
        person.is_superuser
        or managed_organisations(person, [Role.UNIT_ADMIN]).filter(pk=owner_id).exists()
    )
    return base if owns else stats.attempts_visible_to(person, base)


@login_required
def contest_export(request, contest_id):
    """Results as Excel: every finished attempt the manager may see, ranked."""
    contest = get_object_or_404(Contest, pk=contest_id)
    attempts = _manager_attempts(
        request, contest.owner_id, Attempt.objects.filter(contest=contest)
    )
    units = set(attempts.values_list("unit_id", flat=True))
    entries = (
        ContestEntry.objects.filter(contest=contest, best_score__isnull=False)
        .filter(unit_id__in=units)
        .select_related("person", "unit")
        .order_by("-best_score", "best_duration", "best_at", "id")
    )
    writer = ExcelWriter()
    sheet = writer.sheet(
        "个人成绩",
        [
            "名次",
            "姓名",
            "账号",
            "单位",
            "最好成绩",
            "用时（秒）",
            "交卷次数",
            "最好成绩时间",
        ],
    )
    for rank, e in enumerate(entries, start=1):
        sheet.append(
            [
                rank,
                e.person.get_full_name(),
                e.person.username,
                e.unit.name if e.unit else "",
                float(e.best_score),
                round(e.best_duration or 0, 1),
                e.attempts,
                timezone.localtime(e.best_at).strftime("%Y-%m-%d %H:%M:%S")
                if e.best_at
                else "",
            ]
        )
    sheet = writer.sheet(
        "答题明细",
        [
            "姓名",
            "账号",
            "单位",
            "得分",
            "满分",
            "答对题数",
            "用时（秒）",
            "状态",
            "交卷时间",
        ],
    )
    for a in (
        attempts.finished().select_related("person", "unit").order_by("submitted_at")
    ):
        sheet.append(
            [
                a.person.get_full_name(),
                a.person.username,
                a.unit.name if a.unit else "",
                float(a.score or 0),
                float(a.max_score),
                a.correct_count,
                round(a.duration_seconds or 0, 1),
                a.get_status_display(),
                timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M:%S"),
            ]
        )
    response = HttpResponse(
        writer.to_bytes(),
        content_type=XLSX,
    )
    response["Content-Disposition"] = (
        f'attachment; filename="contest-{contest.pk}-results.xlsx"'
    )
    return response


@login_required
def stats_index(request):
    if not _is_quiz_manager(request.user):
        raise PermissionDenied
    return render(
        request,
        "quiz/stats_index.html",
        {
            "templates": PaperTemplate.objects.exclude(mode=Mode.CONTEST),
            "contests": Contest.objects.all(),
        },
    )


@login_required
def stats_detail(request, kind, pk):
    if kind == "contest":
        target = get_object_or_404(Contest, pk=pk)
        base = Attempt.objects.filter(contest=target)
    else:
        target = get_object_or_404(PaperTemplate, pk=pk)
        base = Attempt.objects.filter(template=target, contest__isnull=True)
    attempts = _manager_attempts(request, target.owner_id, base)
    return render(
        request,
        "quiz/stats_detail.html",
        {
            "target": target,
            "summary": stats.summary(attempts),
            "distribution": stats.score_distribution(attempts),
            "by_unit": stats.participation_by_unit(attempts),
            "by_day": stats.participation_by_day(attempts),
            "items": stats.item_analysis(attempts),
        },
    )
