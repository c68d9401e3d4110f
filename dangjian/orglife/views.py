"""Pages of organisation life (mobile first): a secretary's branches and
their 三会一课, recording a meeting with attendance and leave, the unit's
compliance rolled up the tree with an Excel export, a member's own
meetings and dues, and the payment provider's signed callback."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from dangjian.lib.excel import XLSX, xlsx_bytes
from dangjian.orglife import compliance, dues, payments
from dangjian.orglife.actions import (
    AttendanceRow,
    do_plan_meeting,
    do_record_meeting,
    members_of,
)
from dangjian.orglife.models import (
    Attendance,
    DuesDeclaration,
    Meeting,
    MeetingKind,
)
from dangjian.orglife.permissions import managed, managed_branches, manages
from dangjian.orgs.models import Membership, Organisation, Person


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


def _branch_for(request: HttpRequest, org_id: int) -> Organisation:
    branch = get_object_or_404(Organisation, pk=org_id)
    if not manages(request.user, branch):
        raise PermissionDenied
    if not branch.is_branch:
        raise Http404
    return branch


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """A secretary's branches, the ones that are behind first."""
    branches = managed_branches(request.user)
    if not branches.exists():
        return redirect("orglife:mine")
    year = _year(request)
    rows = compliance.compute(branches, year)
    return render(
        request,
        "orglife/index.html",
        {
            "rows": rows,
            "year": year,
            "can_roll_up": managed(request.user).exclude(kind=Organisation.Kind.BRANCH),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def branch(request: HttpRequest, org_id: int) -> HttpResponse:
    """One branch: what is due now, the year's grid, planning a meeting."""
    branch = _branch_for(request, org_id)
    today = timezone.localdate()
    if request.method == "POST":
        try:
            planned_on = dt.date.fromisoformat(request.POST.get("planned_on", ""))
        except ValueError:
            messages.error(request, "请填写正确的计划日期")
        else:
            try:
                do_plan_meeting(
                    branch,
                    request.POST.get("kind", ""),
                    request.POST.get("topic", ""),
                    planned_on,
                    place=request.POST.get("place", ""),
                    acting_user=request.user,
                )
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(request, "已安排会议并通知支部党员")
                return redirect("orglife:branch", org_id=branch.pk)
    year = _year(request)
    row = compliance.compute([branch.pk], year, today)[0]
    due_cells = [c for c in row.cells if c.state == compliance.DUE]
    planned = {
        (m.kind, m.period_start): m
        for m in Meeting.objects.filter(
            branch=branch, held_on__isnull=True, cancelled=False
        )
    }
    due = [(c, planned.get((c.kind, c.period_start))) for c in due_cells]
    grid = compliance.by_kind(row)
    recent = Meeting.objects.filter(branch=branch).order_by("-planned_on")[:10]
    return render(
        request,
        "orglife/branch.html",
        {
            "branch": branch,
            "row": row,
            "due": due,
            "grid": [(MeetingKind(k).label, cells) for k, cells in grid.items()],
            "recent": recent,
            "kinds": MeetingKind.choices,
            "year": year,
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest, pk: int) -> HttpResponse:
    """Records a held meeting: date, minutes, and each member's attendance."""
    meeting = get_object_or_404(Meeting.objects.select_related("branch"), pk=pk)
    if not manages(request.user, meeting.branch):
        raise PermissionDenied
    people = list(
        Person.objects.filter(pk__in=members_of(meeting.branch)).order_by("name", "pk")
    )
    errors: list[str] = []
    if request.method == "POST":
        rows = [
            AttendanceRow(
                p.pk,
                request.POST.get(f"status_{p.pk}", Attendance.Status.ABSENT),
                request.POST.get(f"reason_{p.pk}", ""),
            )
            for p in people
        ]
        try:
            held_on = dt.date.fromisoformat(request.POST.get("held_on", ""))
            do_record_meeting(
                meeting,
                held_on,
                rows,
                minutes=request.POST.get("minutes", ""),
                acting_user=request.user,
            )
        except ValueError:
            errors = ["请填写正确的召开日期"]
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, "已登记会议和出席情况")
            return redirect("orglife:branch", org_id=meeting.branch_id)
    return render(
        request,
        "orglife/record.html",
        {
            "meeting": meeting,
            "people": people,
            "statuses": Attendance.Status.choices,
            "errors": errors,
            "attendance": meeting.attendance.select_related("person"),
            "today": timezone.localdate(),
            "posted": request.POST,
        },
    )


def _rollup_context(request: HttpRequest):
    units = list(managed(request.user).exclude(kind=Organisation.Kind.BRANCH))
    if not units:
        raise PermissionDenied
    year = _year(request)
    # The units a person manages, without those under another they manage.
    top = [
        u for u in units if not any(u.path.startswith(o.path) and o != u for o in units)
    ]
    branches = Organisation.objects.branches()
    if not request.user.is_superuser:
        from django.db.models import Q

        condition = Q()
        for unit in top:
            condition |= Q(path__startswith=unit.path)
        branches = branches.filter(condition)
    rows = compliance.compute(branches, year)
    children = [c for u in top for c in u.get_children().units()] or top
    return year, rows, compliance.rollup(children, rows)


@login_required
def compliance_page(request: HttpRequest) -> HttpResponse:
    year, rows, units = _rollup_context(request)
    return render(
        request,
        "orglife/compliance.html",
        {
            "year": year,
            "rows": rows,
            "units": units,
            "behind": [r for r in rows if not r.is_compliant],
        },
    )


@login_required
def compliance_export(request: HttpRequest) -> HttpResponse:
    year, rows, _units = _rollup_context(request)
    kinds = dict(MeetingKind.choices)
    data = []
    for row in rows:
        for cell in row.cells:
            data.append(
                [
                    row.name,
                    str(kinds[cell.kind]),
                    f"{cell.period_start:%Y-%m-%d}–{cell.period_end:%m-%d}",
                    cell.label,
                    cell.held,
                    row.status_label,
                ]
            )
    body = xlsx_bytes(
        "三会一课",
        ["党支部", "会议类型", "周期", "情况", "召开次数", "支部状态"],
        data,
        title_line=f"{year}年三会一课落实情况",
    )
    response = HttpResponse(body, content_type=XLSX)
    name = escape_uri_path(f"三会一课落实情况{year}.xlsx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """A member's own: meetings coming and missed, dues owed."""
    person_id = int(request.user.pk or 0)
    branch_ids = list(
        Membership.objects.active()
        .filter(person_id=person_id)
        .values_list("organisation_id", flat=True)
    )
    today = timezone.localdate()
    coming = Meeting.objects.filter(
        branch_id__in=branch_ids,
        held_on__isnull=True,
        cancelled=False,
        planned_on__gte=today,
    ).select_related("branch")[:10]
    missed = Attendance.objects.filter(
        person_id=person_id,
        status__in=[Attendance.Status.LEAVE, Attendance.Status.ABSENT],
        made_up_on__isnull=True,
    ).select_related("meeting")[:10]
    owed = dues.arrears(DuesDeclaration.objects.filter(person_id=person_id), today)
    return render(
        request,
        "orglife/mine.html",
        {"coming": coming, "missed": missed, "owed": owed},
    )


@csrf_exempt
@require_POST
def dues_callback(request: HttpRequest) -> HttpResponse:
    """The payment provider's signed notice that an order was paid."""
    try:
        order = payments.receive_callback(request.body, request.headers)
    except payments.CallbackRefused as exc:
        return JsonResponse({"code": exc.code, "detail": exc.detail}, status=exc.status)
    return JsonResponse({"code": "ok", "order": order.reference})


def record_url(meeting: Meeting) -> str:
    return reverse("orglife:record", args=[meeting.pk])
