"""The policy-expert service over JSON: ask, track, rate, the directory, statistics.

Errors follow the API's contract (``dangjian.lib.api_errors``): ``{"code",
"detail", "errors": [{"field", "message", "code"}]}``.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.forms.utils import ErrorDict
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from dangjian.experts import stats as expert_stats
from dangjian.experts.actions import (
    SubmissionKeyTaken,
    check_rate_question,
    do_submit_question,
)
from dangjian.experts.forms import QuestionForm
from dangjian.experts.models import Expert, PolicyDomain, Question
from dangjian.experts.ratelimit import allow_question
from dangjian.lib.api_errors import ErrorOut, field_errors_from_django
from dangjian.lib.api_types import MAX_ID, Id, Year
from dangjian.orgs.auth import member_auth

router = Router(tags=["政策专员"])


class QuestionIn(Schema):
    company_name: str = ""
    credit_code: str = ""
    contact_name: str = ""
    mobile: str = ""
    email: str = ""
    domain: int | None = Field(None, ge=1, le=MAX_ID)
    text: str = ""
    # A client-chosen key: the same submitter resending the same request gets
    # the first question back; anyone else using the key gets 409.
    submission_key: str | None = None


class AnswerOut(Schema):
    text: str
    expert: str | None
    created_at: datetime


class QuestionOut(Schema):
    token: str
    reference: str
    url: str
    status: str
    status_label: str
    company_name: str
    domain: str
    text: str
    submitted_at: datetime
    due_at: datetime
    first_answered_at: datetime | None
    expert: str | None
    answers: list[AnswerOut]
    rating: int | None
    rating_comment: str
    can_be_rated: bool


class RatingIn(Schema):
    rating: int
    comment: str = ""


class DomainOut(Schema):
    id: int
    name: str
    description: str


class ExpertOut(Schema):
    id: int
    name: str
    title: str
    unit: str
    unit_id: int
    domains: list[str]
    contact_hours: str
    phone: str


CODES = {403: "forbidden", 409: "conflict", 422: "invalid", 429: "throttled"}


def _error(
    status: int, detail: str, errors: ValidationError | ErrorDict | None = None
) -> Status:
    body: dict[str, object] = {"code": CODES[status], "detail": detail}
    if errors is not None:
        body["errors"] = field_errors_from_django(errors)
    return Status(status, body)


def _question_out(request, question: Question) -> dict:
    return {
        "token": question.token,
        "reference": question.reference,
        "url": request.build_absolute_uri(question.get_absolute_url()),
        "status": question.status,
        "status_label": question.get_status_display(),
        "company_name": question.company_name,
        "domain": question.domain.name,
        "text": question.text,
        "submitted_at": question.submitted_at,
        "due_at": question.due_at,
        "first_answered_at": question.first_answered_at,
        "expert": question.expert.name if question.expert else None,
        "answers": [
            {
                "text": a.text,
                "expert": a.expert.name if a.expert else None,
                "created_at": a.created_at,
            }
            for a in question.answers.select_related("expert")
        ],
        "rating": question.rating,
        "rating_comment": question.rating_comment,
        "can_be_rated": question.can_be_rated,
    }


def _by_token(token: str) -> Question:
    question = (
        Question.objects.select_related("domain", "expert").filter(token=token).first()
        if 20 <= len(token) <= 64
        else None
    )
    if question is None:
        raise HttpError(404, _("问题不存在，请检查链接"))
    return question


@router.post(
    "/questions",
    response={
        201: QuestionOut,
        200: QuestionOut,
        409: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
    summary="企业提交政策咨询（公开，按来源限频）",
)
def submit_question(request: HttpRequest, payload: QuestionIn):
    if not allow_question(request):
        return _error(429, _("提交过于频繁，请稍后再试"))
    data = payload.dict()
    data["domain"] = "" if data["domain"] is None else str(data["domain"])
    data["submission_key"] = data["submission_key"] or ""
    form = QuestionForm(data)
    if not form.is_valid():
        return _error(422, _("提交的内容有误"), form.errors)
    try:
        question, created = do_submit_question(
            **form.submission(), submitted_by=request.user
        )
    except SubmissionKeyTaken as exc:
        return _error(409, exc.messages[0])
    return Status(201 if created else 200, _question_out(request, question))


@router.get(
    "/questions/{token}",
    response={200: QuestionOut, 404: ErrorOut},
    summary="按凭证查询问题与答复",
)
def get_question(request: HttpRequest, token: str):
    return _question_out(request, _by_token(token))


@router.post(
    "/questions/{token}/rating",
    response={200: QuestionOut, 404: ErrorOut, 422: ErrorOut},
    summary="企业评价答复（1-5分，仅一次）",
)
def rate_question(request: HttpRequest, token: str, payload: RatingIn):
    question = _by_token(token)
    try:
        check_rate_question(question, payload.rating, payload.comment)
    except ValidationError as exc:
        return _error(422, "；".join(exc.messages), exc)
    return _question_out(request, question)


@router.get("/domains", response=list[DomainOut], summary="政策领域")
def list_domains(request: HttpRequest):
    return list(PolicyDomain.objects.active())


@router.get("/experts", response=list[ExpertOut], summary="专员名录")
def list_experts(request: HttpRequest, domain: Id | None = None):
    experts = (
        Expert.objects.active()
        .select_related("unit")
        .prefetch_related(Prefetch("domains", PolicyDomain.objects.active()))
    )
    if domain is not None:
        experts = experts.filter(domains=domain)
    return [
        {
            "id": e.pk,
            "name": e.name,
            "title": e.title,
            "unit": e.unit.name,
            "unit_id": e.unit_id,
            "domains": [d.name for d in e.domains.all()],
            "contact_hours": e.contact_hours,
            "phone": e.phone,
        }
        for e in experts
    ]


class StatsRow(Schema):
    key: str
    total: int
    answered: int
    open: int
    overdue: int
    answered_late: int
    on_time_rate: float | None
    avg_rating: float | None
    median_hours_to_first_answer: float | None


class StatsOut(Schema):
    total: StatsRow
    by_expert: list[StatsRow]
    by_domain: list[StatsRow]
    by_month: list[StatsRow]


@router.get(
    "/stats",
    response={200: StatsOut, 403: ErrorOut},
    auth=member_auth,
    summary="按专员、领域、月份统计（单位管理员看本单位，平台管理员看全部）",
)
def get_stats(request: HttpRequest, year: Year | None = None):
    if not expert_stats.can_see_stats(request.user):
        return _error(403, _("仅单位管理员和平台管理员可查看统计"))
    questions = expert_stats.questions_for_stats(request.user)
    return expert_stats.counts(questions, year)
