"""Outreach over JSON: the 宣讲 calendar, residents' ratings, grid workers'
pushes and visits, and a unit's figures.

Errors follow the API's contract (``dangjian.lib.api_errors``): ``{"code",
"detail", "errors": [{"field", "message", "code"}]}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from dangjian.lib.api_errors import ApiError, errors, field_errors_from_django
from dangjian.lib.api_types import Id
from dangjian.lib.plugins import absolute
from dangjian.orgs.auth import member_auth
from dangjian.outreach import figures
from dangjian.outreach.actions import (
    check_log_visit,
    check_push_item,
    check_rate_event,
    shareable_items,
    worker_for,
)
from dangjian.outreach.forms import PushForm, RatingForm, VisitForm
from dangjian.outreach.identity import device_hash, phone_hash
from dangjian.outreach.models import Event, Grid, GridWorker
from dangjian.outreach.permissions import can_see_figures, scoped
from dangjian.outreach.views import allow_rating

router = Router(tags=["宣讲与网格"])


class EventOut(Schema):
    id: int
    topic: str
    format: str
    format_label: str
    team: str
    venue: str
    venue_kind: str
    district: str
    district_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    people_reached: int | None
    url: str


class EventsQuery(Schema):
    district: Id | None = Field(None, description="区（组织编号）")
    when: Literal["upcoming", "past"] = Field(
        "upcoming", description="upcoming 或 past"
    )
    limit: int = Field(50, ge=1, le=200)


def _event_out(request: HttpRequest, event: Event) -> dict[str, Any]:
    return {
        "id": event.pk,
        "topic": event.topic,
        "format": event.format,
        "format_label": event.get_format_display(),
        "team": event.team.name,
        "venue": event.venue.name,
        "venue_kind": event.venue.get_kind_display(),
        "district": event.venue.district.name,
        "district_id": event.venue.district_id,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "people_reached": event.people_reached,
        "url": absolute(event.get_absolute_url(), request),
    }


@router.get("/events", response=list[EventOut], summary="宣讲活动（按区，近期或往期）")
def list_events(
    request: HttpRequest, query: Query[EventsQuery]
) -> list[dict[str, Any]]:
    events = Event.objects.public().select_related("team", "venue__district")
    now = timezone.now()
    events = events.upcoming(now) if query.when == "upcoming" else events.past(now)
    if query.district is not None:
        events = events.in_district(query.district)
    return [_event_out(request, e) for e in events[: query.limit]]


def _invalid(exc: ValidationError, detail: str) -> ApiError:
    return ApiError(422, "invalid", detail, errors=field_errors_from_django(exc))


class RatingIn(Schema):
    score: int = Field(description="1 到 5 分")
    comment: str = ""
    mobile: str = ""


class RatingOut(Schema):
    event: int
    score: int
    ratings: int


@router.post(
    "/events/{event_id}/ratings",
    response={201: RatingOut, **errors(404, 409, 422, 429)},
    summary="群众评价宣讲活动（无需登录；每台设备、每个手机号限一次）",
)
def rate_event(request: HttpRequest, event_id: Id, payload: RatingIn) -> Status:
    event = Event.objects.public().filter(pk=event_id).first()
    if event is None:
        raise ApiError(404, "not_found", _("没有这场活动"))
    if not allow_rating(request):
        raise ApiError(429, "throttled", _("提交过于频繁，请稍后再试"))
    form = RatingForm(
        {
            "score": str(payload.score),
            "comment": payload.comment,
            "mobile": payload.mobile,
        }
    )
    if not form.is_valid():
        raise ApiError(
            422,
            "invalid",
            _("提交的内容有误"),
            errors=field_errors_from_django(form.errors),
        )
    mobile = form.cleaned_data["mobile"]
    try:
        rating = check_rate_event(
            event,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
            device_hash=device_hash(request),
            phone_hash=phone_hash(mobile) if mobile else "",
        )
    except ValidationError as exc:
        raise ApiError(409, "duplicate", exc.messages[0]) from None
    return Status(
        201,
        {"event": event.pk, "score": rating.score, "ratings": event.ratings.count()},
    )


# Grid workers ------------------------------------------------------------------------


class ItemOut(Schema):
    kind: str
    label: str
    object_id: int
    title: str
    summary: str


def _grid_worker(request: HttpRequest) -> None:
    if not GridWorker.objects.of(request.user).exists():
        raise ApiError(403, "forbidden", _("仅网格员可使用"))


@router.get(
    "/shareable",
    response={200: list[ItemOut], **errors(403)},
    auth=member_auth,
    summary="网格员可推送的公开内容",
)
def list_shareable(request: HttpRequest) -> list[dict[str, Any]]:
    _grid_worker(request)
    return shareable_items()


class PushIn(Schema):
    grid: Id
    kind: str = Field(max_length=20)
    object_id: Id
    channel: str = "wechat"


class PushOut(Schema):
    id: int
    grid: int
    title: str
    url: str = Field(description="发到群里的链接，带本网格的来源标记")
    channel: str


@router.post(
    "/pushes",
    response={201: PushOut, **errors(403, 422)},
    auth=member_auth,
    summary="网格员推送一条已发布的社会公开内容（党内事项不可推送）",
)
def push_item(request: HttpRequest, payload: PushIn) -> Status:
    _grid_worker(request)
    form = PushForm(payload.dict(), person=request.user)
    if not form.is_valid():
        raise ApiError(
            422,
            "invalid",
            _("提交的内容有误"),
            errors=field_errors_from_django(form.errors),
        )
    worker = worker_for(request.user, form.cleaned_data["grid"])
    try:
        push = check_push_item(
            worker,
            form.cleaned_data["kind"],
            form.cleaned_data["object_id"],
            form.cleaned_data["channel"],
        )
    except ValidationError as exc:
        raise _invalid(exc, exc.messages[0]) from None
    return Status(
        201,
        {
            "id": push.pk,
            "grid": push.grid_id,
            "title": push.title,
            "url": push.url,
            "channel": push.channel,
        },
    )


class VisitIn(Schema):
    grid: Id
    day: dt.date
    households: int
    topics: str
    note: str = ""
    submission_key: str = ""


class VisitOut(Schema):
    id: int
    grid: int
    day: dt.date
    households: int
    topics: str


@router.post(
    "/visits",
    response={201: VisitOut, 200: VisitOut, **errors(403, 422)},
    auth=member_auth,
    summary="网格员登记入户走访（同一 submission_key 重复提交只记一次）",
)
def log_visit(request: HttpRequest, payload: VisitIn) -> Status:
    _grid_worker(request)
    data = payload.dict()
    data["households"] = str(data["households"])
    form = VisitForm(data, person=request.user)
    if not form.is_valid():
        raise ApiError(
            422,
            "invalid",
            _("提交的内容有误"),
            errors=field_errors_from_django(form.errors),
        )
    cleaned = form.cleaned_data
    worker = worker_for(request.user, cleaned["grid"])
    visit, created = check_log_visit(
        worker,
        day=cleaned["day"],
        households=cleaned["households"],
        topics=cleaned["topics"],
        note=cleaned["note"],
        submission_key=cleaned["submission_key"],
    )
    return Status(
        201 if created else 200,
        {
            "id": visit.pk,
            "grid": visit.grid_id,
            "day": visit.day,
            "households": visit.households,
            "topics": visit.topics,
        },
    )


# Figures ----------------------------------------------------------------------------


class FiguresOut(Schema):
    month: str
    events: list[dict[str, Any]]
    grids: list[dict[str, Any]]
    communities: list[dict[str, Any]]
    districts: list[dict[str, Any]]
    top: list[dict[str, Any]]


@router.get(
    "/figures",
    response={200: FiguresOut, **errors(403, 422)},
    auth=member_auth,
    summary="宣讲与网格统计（单位管理员、编辑看本单位，平台管理员看全部）",
)
def get_figures(
    request: HttpRequest, month: str | None = Query(None, max_length=7)
) -> dict[str, Any]:
    if not can_see_figures(request.user):
        raise ApiError(403, "forbidden", _("仅单位管理员和编辑可查看统计"))
    try:
        first = figures.parse_month(month)
    except ValueError as exc:
        raise ApiError(422, "invalid", str(exc)) from None
    tables = figures.report(
        scoped(request.user, Event), scoped(request.user, Grid), first
    )
    return {"month": first.strftime("%Y-%m"), **tables}
