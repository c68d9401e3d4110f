"""Pages of organisation life (mobile first): a secretary's branches and
their 三会一课, recording a meeting with attendance and leave, the unit's
compliance rolled up the tree with an Excel export, a member's own
meetings and dues, and the payment provider's signed callback."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from dangjian.lib.excel import XLSX, xlsx_bytes
from dangjian.orglife import (
    compliance,
    dues,
    evaluation,
    payments,
    publish,
    recruitment,
)
from dangjian.orglife.actions import (
    AttendanceRow,
    do_confirm_declaration,
    do_declare_base,
    do_plan_meeting,
    do_record_meeting,
    do_record_payment,
    members_of,
)
from dangjian.orglife.models import (
    Attendance,
    DuesDeclaration,
    DuesKind,
    DuesPayment,
    EvaluationCampaign,
    Meeting,
    MeetingKind,
    Rating,
    Recruit,
    Stage,
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
@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    """A member's own: meetings coming and missed, dues owed, and this
    year's dues base to declare (the branch confirms it)."""
    person_id = int(request.user.pk or 0)
    branch_ids = list(
        Membership.objects.active()
        .filter(person_id=person_id, organisation__kind=Organisation.Kind.BRANCH)
        .values_list("organisation_id", flat=True)
    )
    today = timezone.localdate()
    if request.method == "POST":
        if not branch_ids:
            raise PermissionDenied
        try:
            do_declare_base(
                request.user,
                Organisation.objects.get(pk=branch_ids[0]),
                today.year,
                request.POST.get("kind", ""),
                request.POST.get("base", ""),
                acting_user=request.user,
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "已申报，待支部确认")
            return redirect("orglife:mine")
    declaration = DuesDeclaration.objects.filter(
        person_id=person_id, year=today.year
    ).first()
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
        {
            "coming": coming,
            "missed": missed,
            "owed": owed,
            "declaration": declaration,
            "in_branch": bool(branch_ids),
            "kinds": DuesKind.choices,
            "year": today.year,
        },
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


# 党费 (branch) -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def branch_dues(request: HttpRequest, org_id: int) -> HttpResponse:
    """A branch's dues for the year: bases to confirm, payments to record,
    arrears by member, the collection summary."""
    branch = _branch_for(request, org_id)
    year = _year(request)
    declarations = DuesDeclaration.objects.filter(branch=branch, year=year)
    if request.method == "POST" and request.POST.get("action") == "publish":
        try:
            _link, created = publish.do_propose_dues_summary(
                branch, year, acting_user=request.user
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            if created:
                messages.success(request, "已提交党务公开审核")
            else:
                messages.info(request, "本年度收缴情况已提交过党务公开，未重复提交")
            return redirect(
                f"{reverse('orglife:branch-dues', args=[branch.pk])}?year={year}"
            )
    elif request.method == "POST":
        try:
            declaration = declarations.get(pk=int(request.POST.get("declaration", 0)))
        except (ValueError, DuesDeclaration.DoesNotExist):
            messages.error(request, "请选择本支部的党员")
        else:
            try:
                if request.POST.get("action") == "confirm":
                    do_confirm_declaration(declaration, acting_user=request.user)
                    messages.success(request, "已确认党费基数")
                else:
                    months = [
                        dt.date.fromisoformat(m) for m in request.POST.getlist("months")
                    ]
                    do_record_payment(
                        declaration,
                        months,
                        request.POST.get("method", ""),
                        acting_user=request.user,
                    )
                    messages.success(request, "已登记党费缴纳")
            except ValueError:
                messages.error(request, "月份格式错误")
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                return redirect(
                    f"{reverse('orglife:branch-dues', args=[branch.pk])}?year={year}"
                )
    owed = {a.person_id: a for a in dues.arrears(declarations, timezone.localdate())}
    paid: dict[int, set[dt.date]] = {}
    for person_id, month in DuesPayment.objects.filter(
        branch=branch, month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, 12, 31)
    ).values_list("person_id", "month"):
        paid.setdefault(person_id, set()).add(month)
    rows = [
        (
            d,
            owed.get(d.person_id),
            [
                m
                for m in dues.months_from(d.starts_on, dt.date(year, 12, 1))
                if m not in paid.get(d.person_id, set())
            ],
        )
        for d in declarations.select_related("person").order_by("person__name")
    ]
    summary = dues.collection_summary([branch.pk], year)[0]
    return render(
        request,
        "orglife/dues.html",
        {
            "branch": branch,
            "year": year,
            "rows": rows,
            "summary": summary,
            "disclosure": publish.dues_summary_status(branch, year),
            "can_disclose": publish.service() is not None,
            "methods": [
                (v, label)
                for v, label in DuesPayment.Method.choices
                if v != DuesPayment.Method.ONLINE
            ],
        },
    )


# 发展党员 ------------------------------------------------------------------------

RECRUIT_STEPS = {
    "activist": "确定为入党积极分子",
    "training": "培训结业",
    "candidate": "列为发展对象",
    "notice": "发起公示",
    "admit": "接收为预备党员",
    "extend": "延长预备期",
    "full": "转为正式党员",
    "cancel": "取消预备党员资格",
}
NEXT_STEPS = {
    Stage.APPLICANT: ["activist"],
    Stage.ACTIVIST: ["training", "candidate"],
    Stage.CANDIDATE: ["notice", "admit"],
    Stage.PROBATIONARY: ["full", "extend", "cancel"],
}


def _date(value: str, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"请填写正确的{label}") from None


def _take_step(recruit: Recruit, step: str, data, user) -> None:
    common = {"acting_user": user}
    if step not in NEXT_STEPS.get(Stage(recruit.stage), []):
        raise ValidationError("当前阶段不能进行这一步")
    on = (
        _date(data.get("on", ""), "日期")
        if step not in ("notice", "extend")
        else timezone.localdate()
    )
    resolution = data.get("resolution", "")
    approval = data.get("approval", "")
    if step == "activist":
        recruitment.do_make_activist(recruit, on, resolution=resolution, **common)
    elif step == "training":
        recruitment.do_record_training(recruit, on, **common)
    elif step == "candidate":
        recruitment.do_make_candidate(
            recruit, on, resolution=resolution, approval=approval, **common
        )
    elif step == "notice":
        start = _date(data.get("notice_from", ""), "公示开始日期")
        if publish.service() is None:
            recruitment.do_record_notice(
                recruit,
                start,
                _date(data.get("notice_to", ""), "公示结束日期"),
                **common,
            )
        else:
            publish.do_propose_notice(recruit, start, **common)
    elif step == "admit":
        recruitment.do_admit(
            recruit, on, resolution=resolution, approval=approval, **common
        )
    elif step == "full":
        recruitment.do_make_full(
            recruit, on, resolution=resolution, approval=approval, **common
        )
    elif step == "extend":
        try:
            months = int(data.get("months", ""))
        except ValueError:
            raise ValidationError("请填写延长的月数") from None
        recruitment.do_extend_probation(
            recruit, months, reason=data.get("note", ""), **common
        )
    elif step == "cancel":
        recruitment.do_cancel(recruit, on, reason=data.get("note", ""), **common)


@login_required
@require_http_methods(["GET", "POST"])
def branch_recruits(request: HttpRequest, org_id: int) -> HttpResponse:
    """A branch's recruits by stage, the deadlines, and registering an applicant."""
    branch = _branch_for(request, org_id)
    if request.method == "POST":
        try:
            recruitment.do_register_applicant(
                branch,
                request.POST.get("name", ""),
                _date(request.POST.get("birth_date", ""), "出生日期"),
                _date(request.POST.get("applied_on", ""), "递交申请书日期"),
                acting_user=request.user,
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "已登记入党申请人")
            return redirect("orglife:branch-recruits", org_id=branch.pk)
    recruits = Recruit.objects.filter(branch=branch)
    return render(
        request,
        "orglife/recruits.html",
        {
            "branch": branch,
            "recruits": recruits.order_by("stage", "applied_on"),
            "deadlines": recruitment.deadlines(recruits),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def recruit(request: HttpRequest, pk: int) -> HttpResponse:
    """One recruit: the steps so far and the next one."""
    row = get_object_or_404(Recruit.objects.select_related("branch"), pk=pk)
    if not manages(request.user, row.branch):
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("action") == "upload":
        try:
            step = row.steps.filter(pk=_int(request.POST.get("step_id"))).first()
            if step is None:
                raise ValidationError("请选择本发展对象的步骤")
            publish.do_upload_document(
                step,
                request.POST.get("title", ""),
                request.FILES.get("file"),
                acting_user=request.user,
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "已上传材料")
            return redirect("orglife:recruit", pk=row.pk)
    elif request.method == "POST":
        try:
            _take_step(row, request.POST.get("step", ""), request.POST, request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "已记录")
            return redirect("orglife:recruit", pk=row.pk)
        row.refresh_from_db()
    steps = [(s, RECRUIT_STEPS[s]) for s in NEXT_STEPS.get(Stage(row.stage), [])]
    return render(
        request,
        "orglife/recruit.html",
        {
            "recruit": row,
            "history": row.steps.prefetch_related("files"),
            "steps": steps,
            "today": timezone.localdate(),
            "notice": publish.latest_notice(row),
            "notice_status": publish.notice_status(row),
            "can_disclose": publish.service() is not None,
            "accept": ",".join(publish.DOCUMENT_TYPES),
        },
    )


def _int(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


@login_required
@never_cache
def document(request: HttpRequest, pk: int) -> FileResponse:
    """A recruitment document, to the branch's secretary and the unit
    admins above it only; anyone else gets a 404."""
    found = publish.document_for(request.user, pk)
    if found is None:
        raise Http404
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("文件不存在") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=found.original_name,
        content_type=found.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# 民主评议 ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def branch_review(request: HttpRequest, org_id: int) -> HttpResponse:
    """The branch's 民主评议 of the year: open it, rate members, finish."""
    branch = _branch_for(request, org_id)
    year = _year(request)
    campaign = EvaluationCampaign.objects.filter(branch=branch, year=year).first()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "open":
                evaluation.do_open_campaign(branch, year, acting_user=request.user)
            elif campaign is None:
                raise ValidationError("本年度的民主评议尚未开展")
            elif action == "finish":
                evaluation.do_finish(campaign, acting_user=request.user)
            else:
                evaluation.do_rate(
                    campaign,
                    int(request.POST.get("person", 0) or 0),
                    request.POST.get("rating", ""),
                    request.POST.get("reason", ""),
                    acting_user=request.user,
                )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "已保存")
            return redirect(
                f"{reverse('orglife:branch-review', args=[branch.pk])}?year={year}"
            )
    people = Person.objects.filter(pk__in=members_of(branch)).order_by("name", "pk")
    ratings = {}
    summary = {}
    selves = {}
    if campaign is not None:
        ratings = {r.person_id: r for r in campaign.ratings.all()}
        summary = evaluation.mutual_summary(campaign)
        selves = {s.person_id: s for s in campaign.self_evaluations.all()}
    labels = dict(Rating.choices)
    rows = [
        (
            p,
            ratings.get(p.pk),
            selves.get(p.pk),
            "、".join(
                f"{labels[k]} {n}" for k, n in sorted(summary.get(p.pk, {}).items())
            ),
        )
        for p in people
    ]
    return render(
        request,
        "orglife/review.html",
        {
            "branch": branch,
            "year": year,
            "campaign": campaign,
            "rows": rows,
            "ratings": Rating.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_review(request: HttpRequest) -> HttpResponse:
    """A member's part in their branch's open 民主评议: self and mutual."""
    person = request.user
    person_id = int(person.pk or 0)
    branch_ids = Membership.objects.active().filter(person_id=person_id)
    campaign = (
        EvaluationCampaign.objects.filter(
            branch_id__in=branch_ids.values("organisation_id"),
            status=EvaluationCampaign.Status.OPEN,
        )
        .select_related("branch")
        .first()
    )
    if campaign is None:
        return render(request, "orglife/my_review.html", {"campaign": None})
    if request.method == "POST":
        try:
            if request.POST.get("action") == "self":
                evaluation.do_submit_self(
                    campaign, person, request.POST.get("text", "")
                )
            else:
                evaluation.do_submit_mutual(
                    campaign,
                    person,
                    int(request.POST.get("ratee", 0) or 0),
                    request.POST.get("rating", ""),
                    request.POST.get("comment", ""),
                )
        except (ValueError, ValidationError) as exc:
            text = (
                "；".join(exc.messages)
                if isinstance(exc, ValidationError)
                else "请选择党员"
            )
            messages.error(request, text)
        else:
            messages.success(request, "已提交")
            return redirect("orglife:my-review")
    others = Person.objects.filter(pk__in=members_of(campaign.branch)).exclude(
        pk=person_id
    )
    mine = {
        m.ratee_id: m.rating
        for m in campaign.mutual_evaluations.filter(rater_id=person_id)
    }
    own = campaign.self_evaluations.filter(person_id=person_id).first()
    return render(
        request,
        "orglife/my_review.html",
        {
            "campaign": campaign,
            "others": [(p, mine.get(p.pk, "")) for p in others.order_by("name")],
            "own": own,
            "ratings": Rating.choices,
        },
    )
