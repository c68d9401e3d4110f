"""``/api/notifications``: a person's own notifications."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.lib.api_errors import error_response, errors
from dangjian.lib.api_types import Id
from dangjian.notify import actions
from dangjian.notify.models import Notification
from dangjian.orgs.auth import member_auth

router = Router(tags=["通知"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    is_emergency: bool
    created_at: dt.datetime
    read: bool


class InboxOut(Schema):
    unread: int
    count: int
    items: list[NotificationOut]


class InboxQuery(Schema):
    unread_only: bool = Field(False, description="只列未读")
    limit: Annotated[int, Field(ge=1, le=100)] = 20
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class ReadOut(Schema):
    id: int
    read: bool
    unread: int


def _out(n: Notification) -> dict:
    return {
        "id": n.pk,
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "url": n.url,
        "is_emergency": n.is_emergency,
        "created_at": n.created_at,
        "read": n.read_at is not None,
    }


@router.get(
    "",
    auth=member_auth,
    response={200: InboxOut},
    summary="我的通知（新的在前）",
)
def list_notifications(request, filters: Query[InboxQuery]):
    mine = Notification.objects.for_person(request.auth)
    rows = mine.unread() if filters.unread_only else mine
    return {
        "unread": mine.unread().count(),
        "count": rows.count(),
        "items": [
            _out(n) for n in rows[filters.offset : filters.offset + filters.limit]
        ],
    }


@router.post(
    "/{notification_id}/read",
    auth=member_auth,
    response={200: ReadOut, **errors(404)},
    summary="将一条通知标为已读",
)
def mark_read(request, notification_id: Id):
    notification = (
        Notification.objects.for_person(request.auth).filter(pk=notification_id).first()
    )
    if notification is None:
        # Another person's notification is as unknown as a missing one.
        return error_response(404, "not_found", "没有这条通知")
    actions.do_mark_read(notification, acting_user=request.auth)
    return {
        "id": notification.pk,
        "read": True,
        "unread": Notification.objects.for_person(request.auth).unread().count(),
    }
