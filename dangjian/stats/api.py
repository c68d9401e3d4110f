"""The stats API: the dashboards' figures as JSON, under the same rules.

Each endpoint takes ``org`` (an organisation id; default the city),
``period`` (day, week, month or year; default month) and ``date`` (any day
of the period, YYYY-MM-DD; default today). Without a signed-in person the
answer is 401; for an organisation the person may not see, 403; for a bad
parameter, 400 with a message and nothing else.
"""

from __future__ import annotations

import datetime as dt

from django.http import JsonResponse
from ninja import Router

from dangjian.lib.api_errors import error_response, errors
from dangjian.lib.api_types import Id
from dangjian.orgs.auth import member_auth
from dangjian.orgs.models import Organisation
from dangjian.stats import access, figures

router = Router(tags=["数据统计"])

# Beyond what every operation answers: a bad period (400), no such organisation (404).
FIGURE = {200: dict, **errors(400, 404)}


CODES = {400: "bad_period", 403: "forbidden", 404: "not_found"}


def _error(status: int, message: str) -> JsonResponse:
    return error_response(status, CODES[status], message)


def _context(request, org, period, date):
    """(root, period) or an error answer."""
    if org is None:
        root = Organisation.get_root_nodes().first()
    else:
        root = Organisation.objects.filter(pk=org).first()
    if root is None:
        return None, None, _error(404, "没有这个组织")
    if not access.can_see(request.user, root):
        return None, None, _error(403, "无权查看该组织的统计")
    try:
        chosen = figures.parse_period(period, date)
    except ValueError as exc:
        return None, None, _error(400, str(exc))
    return root, chosen, None


def _plain(rows):
    return [
        {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items()}
        for row in rows
    ]


def _answer(name, request, org, period, date, metric="materials_read"):
    root, chosen, error = _context(request, org, period, date)
    if error:
        return error
    try:
        rows = figures.figure(name, root, chosen, metric, person=request.user)
    except ValueError as exc:
        return _error(400, str(exc))
    title, columns = figures.figure_table(name)
    return {
        "figure": name,
        "title": title,
        "org": {"id": root.pk, "name": root.name},
        "period": {
            "kind": chosen.kind,
            "start": chosen.start.isoformat(),
            "end": chosen.end.isoformat(),
            "label": chosen.label,
        },
        "columns": [{"key": k, "label": label} for k, label in columns],
        "rows": _plain(rows),
    }


@router.get(
    "/participation",
    auth=member_auth,
    response=FIGURE,
    summary="各组织参与情况（含下级汇总）",
)
def participation(
    request, org: Id | None = None, period: str | None = None, date: str | None = None
):
    return _answer("participation", request, org, period, date)


@router.get("/ranking", auth=member_auth, response=FIGURE, summary="下级单位排名")
def ranking(
    request,
    org: Id | None = None,
    period: str | None = None,
    date: str | None = None,
    metric: str = "materials_read",
):
    return _answer("ranking", request, org, period, date, metric)


@router.get("/trend", auth=member_auth, response=FIGURE, summary="近12期参与趋势")
def trend(
    request, org: Id | None = None, period: str | None = None, date: str | None = None
):
    return _answer("trend", request, org, period, date)


@router.get("/views", auth=member_auth, response=FIGURE, summary="每日浏览量与访客数")
def views(
    request, org: Id | None = None, period: str | None = None, date: str | None = None
):
    return _answer("views-daily", request, org, period, date)


@router.get(
    "/views/channels", auth=member_auth, response=FIGURE, summary="浏览来源渠道"
)
def view_channels(
    request, org: Id | None = None, period: str | None = None, date: str | None = None
):
    return _answer("views-channel", request, org, period, date)


@router.get("/views/top", auth=member_auth, response=FIGURE, summary="热门内容")
def top(
    request, org: Id | None = None, period: str | None = None, date: str | None = None
):
    return _answer("top", request, org, period, date)
