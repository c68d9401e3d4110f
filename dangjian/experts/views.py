"""Public pages: the directory and question form, the enterprise's tracking
page, the expert's phone inbox, and the statistics page for admins."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dangjian.experts import stats as expert_stats
from dangjian.experts.actions import (
    SubmissionKeyTaken,
    check_answer_question,
    check_rate_question,
    do_submit_question,
)
from dangjian.experts.forms import AnswerForm, QuestionForm, RatingForm
from dangjian.experts.models import Expert, PolicyDomain, Question
from dangjian.experts.ratelimit import allow_question
from dangjian.experts.validation import max_attachment_bytes, max_attachments


def _directory(domain_id=None):
    experts = (
        Expert.objects.active()
        .select_related("unit")
        .prefetch_related(Prefetch("domains", PolicyDomain.objects.active()))
    )
    if domain_id:
        experts = experts.filter(domains=domain_id)
    return experts


def index(request):
    """The directory of experts and the enterprise's question form."""
    form = QuestionForm()
    if request.method == "POST":
        form = QuestionForm(request.POST, request.FILES)
        if not allow_question(request):
            form.add_error(None, _("提交过于频繁，请稍后再试"))
        elif form.is_valid():
            try:
                question, created = do_submit_question(
                    **form.submission(), submitted_by=request.user
                )
            except SubmissionKeyTaken as exc:
                form.add_error(None, exc)
                # The next submission of this form carries a key of its own.
                data = request.POST.copy()
                data["submission_key"] = uuid.uuid4().hex
                form.data = data
            else:
                if created:
                    messages.success(
                        request,
                        _("问题已提交。请收藏本页链接：它是查看答复和评价的唯一凭证。"),
                    )
                return redirect(question.get_absolute_url())
    else:
        # A fresh key per rendered form: a double click submits it twice,
        # and the second submission finds the first question.
        form.initial["submission_key"] = uuid.uuid4().hex
    domain_id = request.GET.get("domain", "")
    domain_id = int(domain_id) if domain_id.isdigit() else None
    return render(
        request,
        "experts/index.html",
        {
            "form": form,
            "experts": _directory(domain_id),
            "domains": PolicyDomain.objects.active(),
            "selected_domain": domain_id,
            "max_mb": f"{max_attachment_bytes() / 1024 / 1024:g}",
            "max_files": max_attachments(),
        },
        status=400 if request.method == "POST" else 200,
    )


def _question_by_token(token: str) -> Question:
    return get_object_or_404(
        Question.objects.select_related("domain", "expert__unit"), token=token
    )


def _private(response):
    # The token is in the URL: keep it out of Referer headers and caches.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
def track(request, token: str):
    """The enterprise's page for one question: status, answers, rating."""
    question = _question_by_token(token)
    return _private(
        render(
            request,
            "experts/track.html",
            {
                "question": question,
                "answers": question.answers.select_related("expert"),
                "attachments": question.attachments.all(),
                "rating_form": RatingForm(),
            },
        )
    )


@never_cache
@require_POST
def rate(request, token: str):
    question = _question_by_token(token)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            check_rate_question(
                question, form.cleaned_data["rating"], form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("感谢您的评价！"))
            return redirect(question.get_absolute_url())
    return _private(
        render(
            request,
            "experts/track.html",
            {
                "question": question,
                "answers": question.answers.select_related("expert"),
                "attachments": question.attachments.all(),
                "rating_form": form,
            },
            status=400,
        )
    )


def _attachment_response(question: Question, pk: int):
    attachment = get_object_or_404(question.attachments, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("附件不存在")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name
    )
    return _private(response)


@never_cache
def track_attachment(request, token: str, pk: int):
    return _attachment_response(_question_by_token(token), pk)


# The expert's phone inbox ------------------------------------------------------


def _inbox_questions(request):
    return (
        Question.objects.visible_to(request.user)
        .select_related("domain", "expert__unit")
        .order_by("due_at")
    )


@login_required
def inbox(request):
    """An expert's questions on a phone: waiting first, by deadline."""
    is_expert = Expert.objects.filter(person=request.user).exists()
    questions = _inbox_questions(request)
    if not is_expert and not questions.exists() and not request.user.is_superuser:
        return render(
            request,
            "experts/not_expert.html",
            status=403,
        )
    tab = request.GET.get("tab", "open")
    if tab == "answered":
        questions = questions.exclude(
            status__in=[Question.Status.NEW, Question.Status.ASSIGNED]
        ).order_by("-first_answered_at")
    else:
        tab = "open"
        questions = questions.open()
    return render(
        request,
        "experts/inbox.html",
        {"questions": questions[:100], "tab": tab, "is_expert": is_expert},
    )


@login_required
def inbox_detail(request, pk: int):
    question = get_object_or_404(_inbox_questions(request), pk=pk)
    form = AnswerForm()
    can_answer = (
        question.expert is not None
        and question.expert.person_id == request.user.pk
        and question.status in (Question.Status.ASSIGNED, Question.Status.ANSWERED)
    )
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                check_answer_question(
                    question, form.cleaned_data["answer"], acting_user=request.user
                )
            except PermissionDenied as exc:
                raise PermissionDenied(str(exc)) from exc
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("答复已发送，企业将收到通知。"))
                return redirect("experts:inbox-detail", pk=question.pk)
    return render(
        request,
        "experts/inbox_detail.html",
        {
            "question": question,
            "answers": question.answers.select_related("expert"),
            "attachments": question.attachments.all(),
            "form": form,
            "can_answer": can_answer,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def inbox_attachment(request, pk: int, attachment_pk: int):
    question = get_object_or_404(_inbox_questions(request), pk=pk)
    return _attachment_response(question, attachment_pk)


# Statistics ------------------------------------------------------------------------


@login_required
def stats(request):
    if not expert_stats.can_see_stats(request.user):
        raise PermissionDenied(_("仅单位管理员和平台管理员可查看统计"))
    questions = expert_stats.questions_for_stats(request.user)
    year = request.GET.get("year", "")
    return render(
        request,
        "experts/stats.html",
        {"stats": expert_stats.counts(questions, year), "year": year},
    )
