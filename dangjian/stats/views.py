"""Dashboards and Excel downloads. Views stay thin: access.py decides who,
figures.py computes what."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.encoding import escape_uri_path

from dangjian.orgs.models import Organisation
from dangjian.stats import access, excel, figures


def _period_or_400(request):
    try:
        return figures.parse_period(
            request.GET.get("period"), request.GET.get("date")
        ), None
    except ValueError as exc:
        return None, HttpResponseBadRequest(
            str(exc), content_type="text/plain; charset=utf-8"
        )


def _dashboard(request, root: Organisation | None, *, leaders: bool, roots=()):
    """``root=None``: the whole city, every organisation tree."""
    period, error = _period_or_400(request)
    if error:
        return error
    metric = request.GET.get("metric", "materials_read")
    metrics = figures.metrics()
    labels = dict(metrics)
    if metric not in labels:
        return HttpResponseBadRequest(
            "未知的指标", content_type="text/plain; charset=utf-8"
        )
    rows = figures.participation(root, period)
    total = rows[0]
    children = [r for r in rows if r["level"] == 1]
    ranking = sorted(children, key=lambda r: (-r[metric], r["org"]))
    for row in ranking:
        row["value"] = row[metric]
    trend = figures.participation_trend(root, period, n=12)
    daily = figures.views_by_day(root, period)
    channels = figures.views_by_channel(root, period)
    top = figures.top_objects(root, period, limit=10, person=request.user)
    query = urlencode(
        {
            "org": root.pk if root is not None else "",
            "period": period.kind,
            "date": period.start.isoformat(),
        }
    )
    chart_data = {
        "metric": metric,
        "metricLabel": labels[metric],
        "metrics": metrics,
        "trend": [
            {"period": r["period"], **{k: r[k] for k, _l in metrics}} for r in trend
        ],
        "ranking": [{"org": r["org"], "value": r[metric]} for r in ranking],
        "tree": [
            {
                # The city's own row has no organisation (figures.CITY_ID).
                "id": r["org_id"] if r["org_id"] != figures.CITY_ID else "city",
                "parent": r["parent_id"]
                if r["parent_id"] != figures.CITY_ID
                else "city",
                "name": r["org"],
                "value": r["people"],
                "metric": r[metric],
            }
            for r in rows
        ],
        "daily": [
            {
                "day": r["day"].isoformat(),
                "views": r["views"],
                "visitors": r["visitors"],
            }
            for r in daily
        ],
        "channels": [{"name": r["label"], "value": r["views"]} for r in channels],
    }
    return render(
        request,
        "stats/dashboard.html",
        {
            "leaders": leaders,
            "root": root,
            "scope_name": root.name if root is not None else figures.CITY_NAME,
            "period": period,
            "periods": figures.PERIOD_KINDS,
            "metric": metric,
            "metrics": metrics,
            "total": total,
            "tiles": [(label, total[key]) for key, label in metrics],
            "top": top,
            "ranking": ranking,
            "metric_label": labels[metric],
            "chart_data": chart_data,
            "query": query,
            "downloads": [
                (name, figures.figure_table(name)[0]) for name in figures.FIGURE_NAMES
            ],
            "units": access.managed_roots(request.user) if not leaders else [],
            "roots": roots,
        },
    )


@login_required
def dashboard(request):
    """The leaders' dashboard: the whole city. A unit admin who follows the
    home page's link lands on their own unit's dashboard instead."""
    if not access.is_city_leader(request.user):
        if access.managed_roots(request.user):
            return redirect("stats:unit-home")
        raise PermissionDenied("仅平台管理员和市级领导可查看")
    # A city has several trees (the party committee, the government, public
    # utilities …): the leaders open on all of them together, and may look
    # at one tree with ?org=<root>.
    roots = list(Organisation.get_root_nodes())
    if not roots:
        raise Http404("尚未建立组织")
    root = None
    wanted = request.GET.get("org", "")
    if wanted:
        root = next((r for r in roots if str(r.pk) == wanted), None)
        if root is None:
            raise Http404("没有这个组织体系")
    return _dashboard(request, root, leaders=True, roots=roots)


@login_required
def unit_home(request):
    roots = access.managed_roots(request.user)
    if not roots:
        raise PermissionDenied("仅单位管理员可查看本单位统计")
    return redirect("stats:unit", org_id=roots[0].pk)


@login_required
def unit_dashboard(request, org_id: int):
    """A unit's dashboard: the unit and every organisation below it."""
    root = get_object_or_404(Organisation, pk=org_id)
    if not access.can_see(request.user, root):
        raise PermissionDenied("无权查看该单位的统计")
    return _dashboard(request, root, leaders=False)


@login_required
def download(request, name: str):
    """One figure as an .xlsx file, for the same organisation and period."""
    if name not in figures.FIGURE_NAMES:
        raise Http404("没有这个统计图表")
    org_id = request.GET.get("org")
    root: Organisation | None = None
    if not org_id:
        # The whole city (every tree): the leaders' dashboard's default.
        if not access.is_city_leader(request.user):
            raise PermissionDenied("无权下载全市统计")
    else:
        try:
            root = Organisation.objects.get(pk=int(org_id))
        except (ValueError, Organisation.DoesNotExist):
            raise Http404("没有这个组织") from None
        if not access.can_see(request.user, root):
            raise PermissionDenied("无权下载该单位的统计")
    period, error = _period_or_400(request)
    if error:
        return error
    try:
        rows = figures.figure(
            name,
            root,
            period,
            request.GET.get("metric", "materials_read"),
            person=request.user,
        )
    except ValueError as exc:
        return HttpResponseBadRequest(
            str(exc), content_type="text/plain; charset=utf-8"
        )
    title, columns = figures.figure_table(name)
    name_of_scope = root.name if root is not None else figures.CITY_NAME
    heading = f"{name_of_scope} · {title} · {period.label}"
    response = HttpResponse(
        excel.workbook(heading, columns, rows), content_type=excel.XLSX
    )
    filename = f"{name_of_scope}-{title}-{period.start.isoformat()}.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    )
    return response
