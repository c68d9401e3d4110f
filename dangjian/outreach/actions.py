"""Every change outreach makes: pushes, visits, ratings and the views grid
links bring. ``check_*`` validates and then changes; each change is atomic
and audited (Wagtail's log).

Which items may be pushed is never decided here: the publicity sources
registered by the owning apps (``dangjian_publicity_sources``) say what is
public now, so a 党内 item, a members-only material or an unpublished entry
is never shareable, whatever id is sent.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from dangjian.lib import plugins
from dangjian.lib.writebehind import Row, WriteBehind
from dangjian.outreach.models import (
    Event,
    Grid,
    GridViews,
    GridWorker,
    Push,
    Rating,
    Visit,
)

# The tag a grid's share links carry: ``?from=wechat.grid12``.
GRID_TAG = "grid"
# The channel (of ``lib.counting``) a push's link counts in.
LINK_CHANNEL: dict[str, str] = {Push.Channel.WECHAT.value: "wechat"}


# Shareable items -------------------------------------------------------------------


def describe_event(event: Event) -> plugins.Publication:
    return plugins.Publication(
        kind=EVENT_KIND,
        object_id=event.pk,
        is_public=event_is_shareable(event),
        title=f"{event.topic}（{timezone.localtime(event.starts_at):%m月%d日 %H:%M}）",
        summary=plugins.excerpt(event.summary),
        url=plugins.absolute(event.get_absolute_url()),
        unit_id=event.team.unit_id,
    )


def event_is_shareable(event: Event) -> bool:
    return event.is_public and event.ends_at >= timezone.now()


EVENT_KIND = "outreach_event"
# Grid workers also invite residents to upcoming events; not a release, so
# it is not registered with publicity, only offered here.
EVENT_SOURCE = plugins.PublicitySource(
    kind=EVENT_KIND,
    label="宣讲活动",
    model=Event,
    describe=describe_event,
    public=lambda: Event.objects.public().upcoming().select_related("team"),
    is_public=event_is_shareable,
)


def shareable_sources() -> list[plugins.PublicitySource]:
    """The public kinds a grid worker may push: every publicity source, and
    upcoming lecture events."""
    return [*plugins.registered(plugins.PUBLICITY_SOURCES), EVENT_SOURCE]


def source_of_kind(kind: str) -> plugins.PublicitySource | None:
    return next((s for s in shareable_sources() if s.kind == kind), None)


def shareable_items(per_kind: int = 10) -> list[dict[str, Any]]:
    """The latest public items of every releasable kind, for the phone page."""
    items = []
    for source in shareable_sources():
        for obj in source.public().order_by("-pk")[:per_kind]:
            publication = source.describe(obj)
            if not (publication.is_public and source.is_public(obj)):
                continue
            items.append(
                {
                    "kind": source.kind,
                    "label": source.label,
                    "object_id": obj.pk,
                    "title": publication.title,
                    "summary": publication.summary,
                }
            )
    return items


def public_item(kind: str, object_id: int) -> tuple[plugins.PublicitySource, Any]:
    """The public item of this kind and id, by its owning app's rule; a
    ValidationError in Chinese for anything else (党内, unpublished, unknown)."""
    source = source_of_kind(kind)
    if source is None:
        raise ValidationError({"kind": _("不支持推送这类内容")}, code="invalid")
    obj = source.public().filter(pk=object_id).first()
    if obj is None or not source.is_public(obj):
        raise ValidationError(
            {"object_id": _("只能推送已发布的社会公开内容，党内事项不能推送")},
            code="not_public",
        )
    return source, obj


def share_link(url: str, grid: Grid, channel: str) -> str:
    """The item's address, carrying the grid in the ``?from=`` attribution."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "from"]
    tag = f"{LINK_CHANNEL.get(channel, 'other')}.{GRID_TAG}{grid.pk}"
    query.append(("from", tag))
    return urlunsplit(parts._replace(query=urlencode(query)))


def worker_for(person: Any, grid_id: int) -> GridWorker:
    """The person's active post on this grid; PermissionDenied otherwise."""
    worker = (
        GridWorker.objects.of(person).filter(grid_id=grid_id).select_related("grid")
    ).first()
    if worker is None:
        raise PermissionDenied(_("您不是该网格的网格员"))
    return worker


# Pushes and visits -------------------------------------------------------------------


def check_push_item(
    worker: GridWorker, kind: str, object_id: int, channel: str
) -> Push:
    """Records that the grid worker shares a public item; returns the push,
    whose ``url`` is the link to send."""
    if channel not in Push.Channel.values:
        raise ValidationError({"channel": _("请选择推送渠道")}, code="invalid")
    source, obj = public_item(kind, object_id)
    publication = source.describe(obj)
    return do_push_item(
        worker,
        kind=kind,
        object_id=obj.pk,
        title=publication.title[:300],
        url=share_link(publication.url, worker.grid, channel),
        channel=channel,
    )


@transaction.atomic
def do_push_item(
    worker: GridWorker,
    *,
    kind: str,
    object_id: int,
    title: str,
    url: str,
    channel: str,
    created_at: dt.datetime | None = None,
) -> Push:
    push = Push(
        worker=worker,
        grid_id=worker.grid_id,
        kind=kind,
        object_id=object_id,
        title=title,
        url=url,
        channel=channel,
    )
    if created_at is not None:
        push.created_at = created_at
    push.save()
    log(
        push,
        "dangjian.outreach.push",
        user=worker.person,
        data={"grid": worker.grid_id, "kind": kind, "object_id": object_id},
    )
    return push


def check_log_visit(
    worker: GridWorker,
    *,
    day: dt.date,
    households: int,
    topics: str,
    note: str = "",
    submission_key: str = "",
) -> tuple[Visit, bool]:
    """Logs a door-to-door visit; the same submission key again returns the
    first visit (a double submit is one visit). Returns (visit, created)."""
    if submission_key:
        earlier = Visit.objects.filter(
            worker=worker, submission_key=submission_key
        ).first()
        if earlier is not None:
            return earlier, False
    try:
        return (
            do_log_visit(
                worker,
                day=day,
                households=households,
                topics=topics,
                note=note,
                submission_key=submission_key,
            ),
            True,
        )
    except IntegrityError:
        # Two submits raced: the other one landed first.
        return Visit.objects.get(worker=worker, submission_key=submission_key), False


@transaction.atomic
def do_log_visit(
    worker: GridWorker,
    *,
    day: dt.date,
    households: int,
    topics: str,
    note: str = "",
    submission_key: str = "",
) -> Visit:
    visit = Visit.objects.create(
        worker=worker,
        grid_id=worker.grid_id,
        day=day,
        households=households,
        topics=topics,
        note=note,
        submission_key=submission_key,
    )
    log(
        visit,
        "dangjian.outreach.visit",
        user=worker.person,
        data={"grid": worker.grid_id, "day": day.isoformat(), "households": households},
    )
    return visit


# Ratings ---------------------------------------------------------------------------


def check_rate_event(
    event: Event, *, score: int, comment: str, device_hash: str, phone_hash: str = ""
) -> Rating:
    """A resident's rating: once per device and once per phone number."""
    if not event.is_public:
        raise ValidationError(_("该活动不接受评价"), code="not_public")
    if not 1 <= int(score) <= 5:
        raise ValidationError({"score": _("评分应为 1 到 5 分")}, code="invalid")
    already = Rating.objects.filter(event=event, device_hash=device_hash)
    if phone_hash:
        already = already | Rating.objects.filter(event=event, phone_hash=phone_hash)
    if already.exists():
        raise ValidationError(_("您已评价过本场活动，感谢参与"), code="duplicate")
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                event=event,
                score=score,
                comment=comment,
                device_hash=device_hash,
                phone_hash=phone_hash,
            )
    except IntegrityError:
        raise ValidationError(
            _("您已评价过本场活动，感谢参与"), code="duplicate"
        ) from None
    return rating


# Views brought by grid links -------------------------------------------------------


def _write_grid_views(rows: list[Row]) -> None:
    """Adds a batch of ``[grid, content type, object, day]`` rows."""
    counts: dict[tuple[int, int, int, str], int] = defaultdict(int)
    for grid_id, type_id, object_id, day in rows:
        counts[(int(grid_id), int(type_id), int(object_id), str(day))] += 1
    grids = set(
        Grid.objects.filter(pk__in={k[0] for k in counts}).values_list("pk", flat=True)
    )
    counts = {k: n for k, n in counts.items() if k[0] in grids}
    with transaction.atomic():
        GridViews.objects.bulk_create(
            [
                GridViews(
                    grid_id=g,
                    content_type_id=t,
                    object_id=o,
                    day=dt.date.fromisoformat(d),
                )
                for g, t, o, d in counts
            ],
            ignore_conflicts=True,
        )
        for (g, t, o, d), n in counts.items():
            GridViews.objects.filter(
                grid_id=g, content_type_id=t, object_id=o, day=d
            ).update(views=F("views") + n)


grid_views = WriteBehind("outreach-grid-views", _write_grid_views)


def record_grid_view(
    code: str, content_type_id: int, object_id: int, day: dt.date
) -> None:
    """Keeps a view that arrived through a grid's link (``?from=….grid<id>``)."""
    if code.isdigit() and len(code) <= 12:
        grid_views.push([int(code), content_type_id, object_id, day.isoformat()])


def view_tags() -> list[plugins.ViewTag]:
    return [plugins.ViewTag(prefix=GRID_TAG, record=record_grid_view)]


def content_type_of_kind(kind: str) -> int | None:
    source = source_of_kind(kind)
    if source is None:
        return None
    return ContentType.objects.get_for_model(source.model).pk
