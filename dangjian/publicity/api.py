"""GET /api/publicity/channels and /api/publicity/deliveries.

Unit admins see their own units' channels and deliveries, platform admins
all; anyone else gets 403. Secrets are never part of an answer.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from dangjian.orgs.auth import member_auth
from dangjian.orgs.models import Role
from dangjian.orgs.scope import managed_organisations
from dangjian.publicity.models import Channel, Delivery

router = Router(tags=["宣传矩阵"])


class ChannelOut(Schema):
    id: int
    name: str
    unit_id: int | None
    unit: str
    kind: str
    platform: str
    url: str
    is_active: bool


class DeliveryOut(Schema):
    id: int
    uuid: str
    channel_id: int
    channel: str
    release_id: str
    title: str
    event: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None


class DeliveryParams(Schema):
    status: str | None = Field(None, description="failed / retrying / delivered …")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


def _scope(request, queryset, field: str):
    user = request.user
    if user.is_superuser:
        return queryset
    units = managed_organisations(user, [Role.UNIT_ADMIN])
    if not units.exists():
        raise HttpError(403, "只有单位管理员可以查看发布渠道。")
    return queryset.filter(**{f"{field}__in": units})


@router.get("/channels", response=list[ChannelOut], auth=member_auth)
def channels(request):
    rows = _scope(
        request, Channel.objects.select_related("organisation"), "organisation"
    )
    return [
        ChannelOut(
            id=c.pk,
            name=c.name,
            unit_id=c.organisation_id,
            unit=c.unit_label,
            kind=c.kind,
            platform=c.platform,
            url=c.url,
            is_active=c.is_active,
        )
        for c in rows
    ]


@router.get("/deliveries", response=list[DeliveryOut], auth=member_auth)
def deliveries(request, params: Query[DeliveryParams]):
    qs = _scope(
        request,
        Delivery.objects.select_related("channel", "release"),
        "organisation",
    )
    if params.status == "failed":
        # "failed" is what the unit admin must look at: given up or retrying.
        qs = qs.failed()
    elif params.status:
        if params.status not in Delivery.Status.values:
            raise HttpError(422, "status 取值无效。")
        qs = qs.filter(status=params.status)
    rows = qs.order_by("-created_at", "-pk")[
        params.offset : params.offset + params.limit
    ]
    return [
        DeliveryOut(
            id=d.pk,
            uuid=str(d.uuid),
            channel_id=d.channel_id,
            channel=d.channel.name,
            release_id=d.release.public_id,
            title=d.release.title,
            event=d.event,
            status=d.status,
            attempts=d.attempts,
            last_status_code=d.last_status_code,
            last_error=d.last_error,
            next_attempt_at=d.next_attempt_at,
            created_at=d.created_at,
            delivered_at=d.delivered_at,
        )
        for d in rows
    ]
