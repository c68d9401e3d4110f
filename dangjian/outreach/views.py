"""Public pages (the 宣讲 calendar, an event, its rating form and QR code),
the grid worker's phone page, and a unit's figures with their Excel export.
Views stay thin: forms validate, actions change, figures compute."""

from __future__ import annotations

import datetime as dt
import io
import secrets
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.lib.clientaddr import client_ip
from dangjian.lib.counting import count_view
from dangjian.lib.excel import xlsx_bytes
from dangjian.lib.plugins import absolute
from dangjian.lib.ratelimit import allow
from dangjian.orgs.models import Organisation
from dangjian.outreach import figures
from dangjian.outreach.actions import (
    check_log_visit,
    check_push_item,
    check_rate_event,
    shareable_items,
    worker_for,
)
from dangjian.outreach.forms import PushForm, RatingForm, VisitForm
from dangjian.outreach.identity import (
    device_hash,
    ensure_device_cookie,
    phone_hash,
)
from dangjian.outreach.models import Event, Grid, GridWorker, Push, Visit
from dangjian.outreach.permissions import can_see_figures, scoped

CALENDAR_DAYS = 60


def _bad_request(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def districts_with_events() -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            kind=Organisation.Kind.DISTRICT,
            outreach_district_venues__events__isnull=False,
        ).distinct()
    )


def parse_district(raw: str | None) -> int | None:
    """A district id from ``?district=``; ValueError in Chinese otherwise."""
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise ValueError("区的编号不正确")
    return int(raw)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Upcoming events by district, for a phone."""
    try:
        district = parse_district(request.GET.get("district"))
    except ValueError as exc:
        return _bad_request(str(exc))
    now = timezone.now()
    events = (
        Event.objects.public()
        .upcoming(now)
        .filter(starts_at__lt=now + dt.timedelta(days=CALENDAR_DAYS))
        .select_related("venue__district", "team")
    )
    if district is not None:
        events = events.in_district(district)
    days: dict[Any, list[Event]] = {}
    for event in events[:200]:
        days.setdefault(timezone.localdate(event.starts_at), []).append(event)
    past = Event.objects.public().past(now).select_related("venue__district", "team")
    if district is not None:
        past = past.in_district(district)
    return render(
        request,
        "outreach/index.html",
        {
            "days": list(days.items()),
            "past": past[:10],
            "districts": districts_with_events(),
            "district": district,
        },
    )


def _public_event(pk: int) -> Event:
    return get_object_or_404(
        Event.objects.public().select_related("team", "venue__district"), pk=pk
    )


@require_GET
def event(request: HttpRequest, pk: int) -> HttpResponse:
    item = _public_event(pk)
    response = render(
        request,
        "outreach/event.html",
        {
            "event": item,
            "photos": item.photos.select_related("image"),
            "questions": item.questions.all(),
            "rate_url": reverse("outreach:rate", args=[item.pk]),
            "ratings": item.ratings.count(),
        },
    )
    count_view(request, item)
    return response


@require_GET
@cache_control(public=True, max_age=86400)
def event_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR code shown at the venue: it opens the rating form."""
    item = _public_event(pk)
    url = absolute(reverse("outreach:rate", args=[item.pk]) + "?from=qr", request)
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=5, border=2)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


def allow_rating(request: HttpRequest) -> bool:
    """Ratings one client may send: DANGJIAN_OUTREACH_RATING_RATE, (n, seconds)."""
    limit, window = getattr(settings, "DANGJIAN_OUTREACH_RATING_RATE", (10, 3600))
    return allow("outreach-rating", client_ip(request) or "unknown", limit, window)


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    """The rating form residents open from the QR code: no account."""
    item = _public_event(pk)
    form = RatingForm(request.POST or None)
    status = 200
    done = False
    if request.method == "POST":
        if not allow_rating(request):
            form.add_error(None, "提交过于频繁，请稍后再试")
            status = 429
        elif form.is_valid():
            mobile = form.cleaned_data["mobile"]
            try:
                check_rate_event(
                    item,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                    device_hash=device_hash(request),
                    phone_hash=phone_hash(mobile) if mobile else "",
                )
                done = True
            except ValidationError as exc:
                form.add_error(None, exc.messages[0])
                status = 409
        else:
            status = 422
    response = render(
        request,
        "outreach/rate.html",
        {"event": item, "form": form, "done": done},
        status=status,
    )
    ensure_device_cookie(request, response)
    response["Cache-Control"] = "private, no-store"
    return response


# The grid worker's phone page --------------------------------------------------------


def _grid_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    workers = list(GridWorker.objects.of(request.user).select_related("grid__unit"))
    grids = [w.grid for w in workers]
    context = {
        "grids": grids,
        "items": shareable_items(),
        "push_form": PushForm(person=request.user),
        "visit_form": VisitForm(
            person=request.user, initial={"submission_key": secrets.token_hex(12)}
        ),
        "pushes": Push.objects.filter(worker__in=workers)[:10],
        "visits": Visit.objects.filter(worker__in=workers)[:10],
        "channels": Push.Channel.choices,
    }
    context.update(extra)
    return context


def _require_grid_worker(request: HttpRequest) -> None:
    if not GridWorker.objects.of(request.user).exists():
        raise PermissionDenied("仅网格员可使用此页面")


@login_required
@require_GET
def grid(request: HttpRequest) -> HttpResponse:
    _require_grid_worker(request)
    response = render(request, "outreach/grid.html", _grid_context(request))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def grid_share(request: HttpRequest) -> HttpResponse:
    _require_grid_worker(request)
    form = PushForm(request.POST, person=request.user)
    if form.is_valid():
        worker = worker_for(request.user, form.cleaned_data["grid"])
        try:
            push = check_push_item(
                worker,
                form.cleaned_data["kind"],
                form.cleaned_data["object_id"],
                form.cleaned_data["channel"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            response = render(
                request,
                "outreach/grid.html",
                _grid_context(request, shared=push),
            )
            response["Cache-Control"] = "private, no-store"
            return response
    return render(
        request,
        "outreach/grid.html",
        _grid_context(request, push_form=form),
        status=422,
    )


@login_required
@require_POST
def grid_visit(request: HttpRequest) -> HttpResponse:
    _require_grid_worker(request)
    form = VisitForm(request.POST, person=request.user)
    if form.is_valid():
        data = form.cleaned_data
        worker = worker_for(request.user, data["grid"])
        check_log_visit(
            worker,
            day=data["day"],
            households=data["households"],
            topics=data["topics"],
            note=data["note"],
            submission_key=data["submission_key"],
        )
        messages.success(request, "走访已登记")
        return redirect("outreach:grid")
    return render(
        request,
        "outreach/grid.html",
        _grid_context(request, visit_form=form),
        status=422,
    )


# Figures -------------------------------------------------------------------------------


def _report(request: HttpRequest) -> tuple[dict[str, Any], Any]:
    if not can_see_figures(request.user):
        raise PermissionDenied("仅单位管理员和编辑可查看宣讲与网格统计")
    month = figures.parse_month(request.GET.get("month"))
    tables = figures.report(
        scoped(request.user, Event), scoped(request.user, Grid), month
    )
    return tables, month


@login_required
@require_GET
def figures_page(request: HttpRequest) -> HttpResponse:
    try:
        tables, month = _report(request)
    except ValueError as exc:
        return _bad_request(str(exc))
    sections = [
        (title, columns, [[row.get(k) for k, _l in columns] for row in tables[name]])
        for name, (title, columns) in figures.TABLES.items()
    ]
    response = render(
        request,
        "outreach/figures.html",
        {"sections": sections, "month": month.strftime("%Y-%m")},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def figures_export(request: HttpRequest) -> HttpResponse:
    try:
        tables, month = _report(request)
    except ValueError as exc:
        return _bad_request(str(exc))
    name = request.GET.get("table", "grids")
    if name not in figures.TABLES:
        return _bad_request("没有这个统计表")
    title, columns = figures.TABLES[name]
    body = xlsx_bytes(
        title,
        [label for _k, label in columns],
        ([row.get(k) for k, _l in columns] for row in tables[name]),
        title_line=f"{title} · {month:%Y年%m月}",
    )
    response = HttpResponse(
        body,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"宣讲与网格-{title}-{month:%Y-%m}.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    )
    response["Cache-Control"] = "private, no-store"
    return response
