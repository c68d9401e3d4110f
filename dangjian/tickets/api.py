"""12345 tickets over JSON: routing a message, intake, the ticket, the lists
and each step. Operators and unit handlers only; a unit's handlers reach
only the tickets dispatched to their unit (``permissions.visible``).

Errors follow the API's contract (``dangjian.lib.api_errors``); a step the
ticket's state or a limit refuses answers 409 ``conflict``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from dangjian.lib.api_errors import ApiError, errors, field_errors_from_django
from dangjian.lib.api_types import Id
from dangjian.lib.ratelimit import allow
from dangjian.orgs.auth import member_auth
from dangjian.tickets import actions
from dangjian.tickets.actions import Conflict, Intake
from dangjian.tickets.models import Ticket
from dangjian.tickets.permissions import is_operator, may_use_desk, visible
from dangjian.tickets.presenters import ticket_dict
from dangjian.tickets.routing import route as route_text

router = Router(tags=["12345 工单"], auth=member_auth)


def _desk(request: HttpRequest) -> None:
    if not may_use_desk(request.user):
        raise ApiError(
            403, "forbidden", _("只有 12345 话务员和承办单位工作人员可以使用工单")
        )


def _operator(request: HttpRequest) -> None:
    if not is_operator(request.user):
        raise ApiError(403, "forbidden", _("只有 12345 热线话务员可以办理此环节"))


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    _desk(request)
    ticket = visible(request.user).select_related("unit").filter(pk=ticket_id).first()
    if ticket is None:
        raise ApiError(404, "not_found", _("没有这张工单"))
    return ticket


def _act(fn: Callable[[], Ticket]) -> dict[str, Any]:
    try:
        ticket = fn()
    except Conflict as exc:
        raise ApiError(409, "conflict", "；".join(exc.messages)) from None
    except ValidationError as exc:
        raise ApiError(
            422,
            "invalid",
            "；".join(exc.messages) or _("提交的内容有误"),
            errors=field_errors_from_django(exc),
        ) from None
    ticket.refresh_from_db()
    return ticket_dict(ticket)


# --- routing ------------------------------------------------------------------------


class RouteIn(Schema):
    text: str = Field(description="市民诉求原文", max_length=4000)


class UnitOut(Schema):
    id: int
    name: str


class AlternativeOut(Schema):
    domain: str
    confidence: float
    unit: UnitOut | None


class RouteOut(Schema):
    domain: str = Field(description="领域（数据自身的标签名，如 城建、交通）")
    type: str = Field(description="类型：咨询、投诉/求助 或 建言")
    unit: UnitOut | None
    confidence: float
    domain_confidence: float
    type_confidence: float
    alternatives: list[AlternativeOut]
    model_version: int | None


@router.post(
    "/route",
    response={200: RouteOut, **errors(401, 403, 422, 429)},
    summary="智能派单建议：领域、类型、承办单位与置信度",
)
def route(request: HttpRequest, payload: RouteIn) -> dict[str, Any]:
    _desk(request)
    text = payload.text.strip()
    if not text:
        raise ApiError(
            422,
            "invalid",
            _("诉求内容不能为空"),
            errors=[{"field": "text", "message": _("不能为空。"), "code": "required"}],
        )
    if not allow("tickets.route", str(request.user.pk), 600, 60):
        raise ApiError(429, "throttled", _("请求过于频繁，请稍后再试"))
    return route_text(text).as_dict()


# --- tickets ------------------------------------------------------------------------


class TicketIn(Schema):
    text: str = Field(description="诉求内容", max_length=4000)
    channel: Literal["phone", "web", "wechat", "letter"] = "phone"
    caller_name: str = Field(
        "", max_length=40, description="来电人姓名（只保存脱敏形式）"
    )
    caller_phone: str = Field(
        "", max_length=30, description="号码（只保存脱敏形式与密钥散列）"
    )
    domain: str | None = Field(None, max_length=40, description="领域；不填用建议")
    type: str | None = Field(None, description="咨询、投诉/求助 或 建言；不填用建议")
    unit_id: Id | None = Field(None, description="立即派往的承办单位")
    kb_entry_id: Id | None = Field(None, description="咨询：引用此知识条目直接答复办结")
    answer: str = Field("", max_length=4000, description="直接答复的内容")


class EventOut(Schema):
    action: str
    label: str
    actor: str
    unit: str
    note: str
    at: dt.datetime


class TicketOut(Schema):
    id: int
    number: str
    channel: str
    caller_name: str
    caller_phone: str
    text: str
    domain: str
    type: str
    status: str
    status_label: str
    unit: UnitOut | None
    suggested: dict[str, Any]
    kb_entry: dict[str, Any] | None
    received_on: dt.date
    sign_due: dt.date | None
    reply_due: dt.date | None
    signed_at: dt.datetime | None
    replied_at: dt.datetime | None
    reply: str
    send_backs: int
    reopens: int
    extension: dict[str, Any] | None
    escalated_at: dt.datetime | None
    satisfaction: str
    closed_at: dt.datetime | None
    url: str
    timeline: list[EventOut] | None = None


@router.post(
    "",
    response={201: TicketOut, **errors(401, 403, 422)},
    summary="受理工单（话务员）",
)
def create_ticket(request: HttpRequest, payload: TicketIn) -> Status:
    _operator(request)
    data = Intake(
        text=payload.text,
        channel=payload.channel,
        caller_name=payload.caller_name,
        caller_phone=payload.caller_phone,
        domain=payload.domain,
        message_type=payload.type,
        unit_id=payload.unit_id,
        kb_entry_id=payload.kb_entry_id,
        answer=payload.answer,
    )
    body = _act(lambda: actions.check_receive(data, user=request.user))
    return Status(201, body)


class ListQuery(Schema):
    unit: Id | None = Field(None, description="承办单位")
    status: Literal["new", "dispatched", "signed", "replied", "closed"] | None = None
    overdue: bool = Field(False, description="只列已超期的")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000)


class TicketList(Schema):
    total: int
    items: list[TicketOut]


@router.get(
    "",
    response={200: TicketList, **errors(401, 403, 422)},
    summary="工单列表（承办单位只看到派给本单位的工单，按期限排序）",
)
def list_tickets(request: HttpRequest, query: Query[ListQuery]) -> dict[str, Any]:
    _desk(request)
    rows = visible(request.user).select_related("unit")
    if query.unit is not None:
        rows = rows.filter(unit_id=query.unit)
    if query.status is not None:
        rows = rows.filter(status=query.status)
    if query.overdue:
        day = actions.today()
        rows = rows.filter(
            pk__in=Ticket.objects.sign_overdue(day).values("pk")
        ) | rows.filter(pk__in=Ticket.objects.reply_overdue(day).values("pk"))
    rows = rows.by_due_date()
    total = rows.count()
    page = rows[query.offset : query.offset + query.limit]
    return {"total": total, "items": [ticket_dict(t) for t in page]}


@router.get(
    "/{ticket_id}",
    response={200: TicketOut, **errors(401, 403, 404, 422)},
    summary="工单详情与办理时间线",
)
def get_ticket(request: HttpRequest, ticket_id: Id) -> dict[str, Any]:
    return ticket_dict(_ticket(request, ticket_id), timeline=True)


# --- steps --------------------------------------------------------------------------


class DispatchIn(Schema):
    unit_id: Id


class ReasonIn(Schema):
    reason: str = Field(max_length=300)


class ExtensionIn(Schema):
    days: int = Field(ge=1, le=10, description="延期工作日数")
    reason: str = Field(max_length=300)


class DecisionIn(Schema):
    approve: bool


class ReplyIn(Schema):
    reply: str = Field(max_length=4000)


class FollowUpIn(Schema):
    satisfaction: Literal["satisfied", "basically", "unsatisfied"]
    note: str = Field("", max_length=300)


STEP = {200: TicketOut, **errors(401, 403, 404, 409, 422)}


@router.post("/{ticket_id}/dispatch", response=STEP, summary="派单（话务员）")
def dispatch(request: HttpRequest, ticket_id: Id, payload: DispatchIn):
    ticket = _ticket(request, ticket_id)
    return _act(
        lambda: actions.check_dispatch(ticket, payload.unit_id, user=request.user)
    )


@router.post("/{ticket_id}/sign", response=STEP, summary="签收（承办单位）")
def sign(request: HttpRequest, ticket_id: Id):
    ticket = _ticket(request, ticket_id)
    return _act(lambda: actions.check_sign(ticket, user=request.user))


@router.post("/{ticket_id}/send-back", response=STEP, summary="退回热线（承办单位）")
def send_back(request: HttpRequest, ticket_id: Id, payload: ReasonIn):
    ticket = _ticket(request, ticket_id)
    return _act(
        lambda: actions.check_send_back(ticket, payload.reason, user=request.user)
    )


@router.post("/{ticket_id}/extension", response=STEP, summary="申请延期（承办单位）")
def request_extension(request: HttpRequest, ticket_id: Id, payload: ExtensionIn):
    ticket = _ticket(request, ticket_id)
    return _act(
        lambda: actions.check_request_extension(
            ticket, payload.days, payload.reason, user=request.user
        )
    )


@router.post(
    "/{ticket_id}/extension/decision", response=STEP, summary="审批延期（话务员）"
)
def decide_extension(request: HttpRequest, ticket_id: Id, payload: DecisionIn):
    ticket = _ticket(request, ticket_id)
    return _act(
        lambda: actions.check_decide_extension(
            ticket, payload.approve, user=request.user
        )
    )


@router.post("/{ticket_id}/reply", response=STEP, summary="答复（承办单位）")
def reply(request: HttpRequest, ticket_id: Id, payload: ReplyIn):
    ticket = _ticket(request, ticket_id)
    return _act(lambda: actions.check_reply(ticket, payload.reply, user=request.user))


@router.post("/{ticket_id}/follow-up", response=STEP, summary="回访（话务员）")
def follow_up(request: HttpRequest, ticket_id: Id, payload: FollowUpIn):
    ticket = _ticket(request, ticket_id)
    return _act(
        lambda: actions.check_follow_up(
            ticket, payload.satisfaction, payload.note, user=request.user
        )
    )


class CallerQuery(Schema):
    phone: str = Field(max_length=30)


@router.get(
    "/callers/history",
    response={200: list[TicketOut], **errors(401, 403, 422)},
    summary="来电人此前的工单（按号码的密钥散列查找，话务员）",
)
def caller_history(request: HttpRequest, query: Query[CallerQuery]):
    _operator(request)
    return [ticket_dict(t) for t in actions.similar_callers(query.phone)]
