"""Public study pages: materials, plans, tracking, sessions, archive, unit figures."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dangjian.orgs.models import Membership, Organisation, Role
from dangjian.orgs.scope import managed_organisations, scope_for
from dangjian.study import actions, exports
from dangjian.study.archive import build_archive, parse_period, plan_progress
from dangjian.study.assessment import do_run_assessment, latest_run
from dangjian.study.models import (
    AssessmentScheme,
    MaterialPage,
    PersonScore,
    Progress,
    Reading,
    SpotCheck,
    SpotCheckItem,
    StudySectionPage,
    StudySession,
    Topic,
    UnitScore,
)
from dangjian.study.ranged import ranged_file_response
from dangjian.study.search import search_materials
from dangjian.study.unit import unit_figures


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for ms in exc.message_dict.values() for m in ms]
    return list(exc.messages)


def _forbidden(request, message: str):
    return TemplateResponse(
        request, "study/forbidden.html", {"message": message}, status=403
    )


# --- Materials ------------------------------------------------------------------


def index(request):
    materials = MaterialPage.objects.visible_to(request.user).select_related("topic")
    topic = request.GET.get("topic")
    if topic and topic.isdigit():
        materials = materials.filter(topic_id=int(topic))
    unit = request.GET.get("unit")
    if unit and unit.isdigit():
        materials = materials.filter(path__startswith=_section_path(int(unit)))
    page = Paginator(materials.order_by("-first_published_at", "-pk"), 20).get_page(
        request.GET.get("page")
    )
    studied = {}
    if request.user.is_authenticated:
        studied = dict(
            Progress.objects.for_person(request.user)
            .filter(material_id__in=[m.pk for m in page])
            .values_list("material_id", "completed_at")
        )
    for material in page:
        if material.pk in studied:
            material.study_status = "done" if studied[material.pk] else "doing"
    return TemplateResponse(
        request,
        "study/index.html",
        {
            "page": page,
            "topics": Topic.objects.annotate(n=Count("materials")).filter(n__gt=0),
            "topic": int(topic) if topic and topic.isdigit() else None,
            "plans": plan_progress(request.user)
            if request.user.is_authenticated
            else [],
        },
    )


def _section_path(organisation_id: int) -> str:
    section = StudySectionPage.objects.filter(organisation_id=organisation_id).first()
    return section.path if section else "-"


def search(request):
    q = (request.GET.get("q") or "").strip()[:100]
    total, results, suggestion = 0, [], None
    if q:
        total, results, suggestion = search_materials(request.user, q, limit=30)
    return TemplateResponse(
        request,
        "study/search.html",
        {"q": q, "total": total, "results": results, "suggestion": suggestion},
    )


@never_cache
def serve_material_view(request, material):
    return serve_material(material, request)


def serve_material(material: MaterialPage, request):
    """The page of one material (``MaterialPage.serve``): opening it is
    recorded for a signed-in person."""
    return material.serve(request)


def _material_with_video(request, page_id: int):
    """The material and its video if the person may open the material, else
    a 401 (signed out) or 404 response: the same check as the page itself,
    so a link to a members-only video is useless outside its audience."""
    material = (
        MaterialPage.objects.filter(pk=page_id, video__isnull=False)
        .select_related("video")
        .first()
    )
    if material is not None and actions.can_open_material(material, request):
        return material, None
    if not request.user.is_authenticated:
        return None, HttpResponse("请先登录", status=401, content_type="text/plain")
    raise Http404("没有这个视频")


def video(request, page_id: int):
    """The material's video file, with Range support, after the same check as its page."""
    material, refused = _material_with_video(request, page_id)
    if refused:
        return refused
    video = material.video
    return ranged_file_response(
        request, video.file, video.content_type, modified=video.created_at
    )


def poster(request, page_id: int):
    """The poster of the material's video, after the same check as its page."""
    material, refused = _material_with_video(request, page_id)
    if refused:
        return refused
    video = material.video
    if not video.poster_file:
        raise Http404("这个视频没有封面图")
    response = FileResponse(
        video.poster_file.open("rb"), content_type=video.poster_content_type
    )
    # Private: a shared cache must not hand a members-only poster to others.
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _progress_json(progress: Progress, material: MaterialPage) -> dict:
    return {
        "seconds": round(progress.seconds, 1),
        "required_seconds": material.required_seconds,
        "position": round(progress.position, 1),
        "completed": progress.completed_at is not None,
    }


@require_POST
@login_required
def beat(request, reading_id: int):
    reading = get_object_or_404(Reading, pk=reading_id)
    try:
        progress = actions.check_record_beat(
            reading, request.user, position=request.POST.get("position") or None
        )
    except PermissionDenied as exc:
        return JsonResponse({"error": str(exc)}, status=403)
    except ValidationError as exc:
        return JsonResponse({"error": "；".join(_errors(exc))}, status=400)
    return JsonResponse(_progress_json(progress, progress.material))


@require_POST
@login_required
def finish(request, reading_id: int):
    """ "我已学完": works without JavaScript."""
    reading = get_object_or_404(Reading, pk=reading_id)
    try:
        progress = actions.check_record_beat(reading, request.user, finishing=True)
    except PermissionDenied as exc:
        return _forbidden(request, str(exc))
    material = progress.material
    if progress.completed_at:
        messages.success(request, f"已学完《{material.title}》，积分已记入学习档案。")
    else:
        remaining = max(0, int(material.required_seconds - progress.seconds))
        messages.warning(request, f"学习时长还不够，还需约 {remaining} 秒。")
    return redirect(material.url)


# --- Notes ------------------------------------------------------------------------------


@require_POST
@login_required
def note_add(request):
    material = None
    material_id = request.POST.get("material")
    if material_id and material_id.isdigit():
        material = (
            MaterialPage.objects.visible_to(request.user)
            .filter(pk=int(material_id))
            .first()
        )
    try:
        actions.check_write_note(
            request.user,
            request.POST.get("title", ""),
            request.POST.get("body", ""),
            material=material,
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, "心得已保存到学习档案。")
    back = request.POST.get("next") or reverse("study:archive")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("study:archive")
    return redirect(back)


# --- Sessions ----------------------------------------------------------------------------


@login_required
def sessions(request):
    scope = scope_for(request.user)
    managed = managed_organisations(request.user, [Role.UNIT_ADMIN])
    mine = StudySession.objects.filter(organisation_id__in=scope.within)
    if request.user.is_superuser:
        mine = StudySession.objects.all()
    else:
        mine = (
            mine
            | StudySession.objects.filter(organisation__in=managed)
            | StudySession.objects.filter(organiser=request.user)
        )
    page = Paginator(
        mine.distinct().select_related("organisation").order_by("-starts_at"), 20
    ).get_page(request.GET.get("page"))
    attended = set(
        request.user.study_attendances.filter(
            session_id__in=[s.pk for s in page]
        ).values_list("session_id", flat=True)
    )
    return TemplateResponse(
        request, "study/sessions.html", {"page": page, "attended": attended}
    )


@login_required
def session_detail(request, pk: int):
    session = get_object_or_404(
        StudySession.objects.select_related("organisation", "organiser"), pk=pk
    )
    manager = actions.can_manage_session(request.user, session)
    if not manager and session.organisation_id not in scope_for(request.user).within:
        return _forbidden(request, "只有该组织的成员可以查看这次学习会。")
    if request.method == "POST" and manager:
        try:
            if "minutes" in request.POST:
                actions.check_save_minutes(
                    session, request.POST["minutes"], acting_user=request.user
                )
                messages.success(request, "会议记录已保存。")
            elif "person" in request.POST:
                person = _person_or_none(request.POST["person"])
                if person is None:
                    raise ValidationError("请选择出席人员")
                actions.check_record_attendance_by_organiser(
                    session, person, acting_user=request.user
                )
                messages.success(request, f"已登记 {person.get_full_name()} 出席。")
        except (ValidationError, PermissionDenied) as exc:
            for message in (
                _errors(exc) if isinstance(exc, ValidationError) else [str(exc)]
            ):
                messages.error(request, message)
        return redirect("study:session-detail", pk=session.pk)
    attendances = session.attendances.select_related("person").order_by("checked_in_at")
    candidates = []
    if manager:
        present = {a.person_id for a in attendances}
        candidates = [
            m.person
            for m in Membership.objects.active()
            .filter(
                role=Role.MEMBER,
                organisation__path__startswith=session.organisation.path,
            )
            .select_related("person")
            .order_by("person__username")
            if m.person_id not in present
        ]
        candidates = list({p.pk: p for p in candidates}.values())
    start, end = session.code_window()
    return TemplateResponse(
        request,
        "study/session_detail.html",
        {
            "session": session,
            "manager": manager,
            "attendances": attendances,
            "candidates": candidates,
            "code_open": start <= timezone.now() <= end,
            "code_window": (start, end),
            "photos": session.photos.select_related("image"),
        },
    )


def _person_or_none(value):
    from django.contrib.auth import get_user_model

    if not str(value).isdigit():
        return None
    return get_user_model().objects.filter(pk=int(value), is_active=True).first()


@login_required
def checkin(request):
    if request.method == "POST":
        try:
            attendance = actions.check_check_in_with_code(
                request.user, request.POST.get("code", "")
            )
        except (ValidationError, PermissionDenied) as exc:
            error = "；".join(
                _errors(exc) if isinstance(exc, ValidationError) else [str(exc)]
            )
            return TemplateResponse(
                request, "study/checkin.html", {"error": error}, status=400
            )
        messages.success(request, f"签到成功：{attendance.session.title}")
        return redirect("study:session-detail", pk=attendance.session_id)
    return TemplateResponse(request, "study/checkin.html", {})


# --- Archive --------------------------------------------------------------------------------


def _archive_person(request, person_id):
    from django.contrib.auth import get_user_model

    if person_id is None:
        return request.user
    person = get_object_or_404(get_user_model(), pk=person_id)
    if person.pk == request.user.pk or actions.can_manage_person(request.user, person):
        return person
    # A checker of a spot check that drew this person may read their archive.
    for item in SpotCheckItem.objects.filter(person=person).select_related(
        "spot_check"
    ):
        if actions.can_check(request.user, item.spot_check):
            return person
    raise PermissionDenied("您无权查看此人的学习档案")


PAGE_ENTRIES = 100


@login_required
def archive(request, person_id: int | None = None, fmt: str = "html"):
    try:
        person = _archive_person(request, person_id)
    except PermissionDenied as exc:
        return _forbidden(request, str(exc))
    try:
        start, end = parse_period(request.GET.get("start"), request.GET.get("end"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        start, end = parse_period(None, None)
    # The page shows the latest ledger lines; the exports carry all of them.
    data = build_archive(
        person, start, end, entries_limit=PAGE_ENTRIES if fmt == "html" else 5000
    )
    filename = f"archive-{person.username}-{start:%Y%m%d}-{end:%Y%m%d}"
    if fmt == "pdf":
        response = HttpResponse(exports.archive_pdf(data), "application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(
            exports.archive_xlsx(data),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    base = (
        reverse("study:archive")
        if person_id is None
        else reverse("study:archive-person", args=[person.pk])
    )
    query = f"?start={start.isoformat()}&end={end.isoformat()}"
    return TemplateResponse(
        request,
        "study/archive.html",
        {
            "archive": data,
            "person": person,
            "own": person.pk == request.user.pk,
            "query": query,
            "base": base,
        },
    )


# --- Unit figures, spot checks, assessment ----------------------------------------------


def _managed_unit(request, org_id: int) -> Organisation:
    unit = get_object_or_404(Organisation, pk=org_id)
    if (
        not managed_organisations(request.user, [Role.UNIT_ADMIN])
        .filter(pk=unit.pk)
        .exists()
    ):
        raise PermissionDenied("只有本单位管理员可以查看")
    return unit


@login_required
def manage(request):
    """A unit admin's entry: the units they manage."""
    units = (
        managed_organisations(request.user, [Role.UNIT_ADMIN])
        .exclude(kind=Organisation.Kind.BRANCH)
        .order_by("path")
    )
    if not units:
        return _forbidden(request, "只有单位管理员可以使用学习管理。")
    if len(units) == 1:
        return redirect("study:unit", org_id=units[0].pk)
    return TemplateResponse(request, "study/manage.html", {"units": units[:200]})


@login_required
def unit(request, org_id: int):
    try:
        organisation = _managed_unit(request, org_id)
    except PermissionDenied as exc:
        return _forbidden(request, str(exc))
    if request.method == "POST":
        return _create_spot_check(request, organisation)
    return TemplateResponse(
        request,
        "study/unit.html",
        {
            "unit": organisation,
            "figures": unit_figures(organisation),
            "spot_checks": SpotCheck.objects.filter(organisation=organisation)[:20],
            "today": timezone.localdate(),
            "schemes": AssessmentScheme.objects.all()[:5],
        },
    )


def _int_or_none(value):
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValidationError("人数、比例和随机种子须为整数")
    return int(value)


def _create_spot_check(request, organisation):
    try:
        start, end = parse_period(
            request.POST.get("period_start"), request.POST.get("period_end")
        )
        spot_check = actions.check_create_spot_check(
            organisation,
            title=request.POST.get("title", ""),
            period_start=start,
            period_end=end,
            size=_int_or_none(request.POST.get("size")),
            percent=_int_or_none(request.POST.get("percent")),
            seed=_int_or_none(request.POST.get("seed")),
            acting_user=request.user,
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return redirect("study:unit", org_id=organisation.pk)
    messages.success(request, f"已抽取 {spot_check.items.count()} 人。")
    return redirect("study:spot-check", pk=spot_check.pk)


@login_required
def spot_check(request, pk: int):
    check = get_object_or_404(SpotCheck.objects.select_related("organisation"), pk=pk)
    if not actions.can_check(request.user, check):
        return _forbidden(request, "您不是这次抽查的检查人。")
    if request.method == "POST":
        item = get_object_or_404(
            SpotCheckItem, pk=request.POST.get("item") or 0, spot_check=check
        )
        try:
            actions.check_record_spot_result(
                item,
                request.POST.get("result", ""),
                request.POST.get("comment", ""),
                acting_user=request.user,
            )
            messages.success(request, f"已记录 {item.person.get_full_name()} 的结果。")
        except (ValidationError, PermissionDenied) as exc:
            for message in (
                _errors(exc) if isinstance(exc, ValidationError) else [str(exc)]
            ):
                messages.error(request, message)
        return redirect("study:spot-check", pk=check.pk)
    items = check.items.select_related("person", "branch", "checked_by")
    return TemplateResponse(
        request,
        "study/spot_check.html",
        {"check": check, "items": items, "results": SpotCheckItem.Result},
    )


@login_required
def assessment(request, year: int, fmt: str = "html"):
    scheme = get_object_or_404(AssessmentScheme, year=year)
    managed = managed_organisations(request.user, [Role.UNIT_ADMIN])
    if not request.user.is_superuser and not managed.exists():
        own = None
        run = latest_run(scheme)
        if run:
            own = (
                PersonScore.objects.filter(run=run, person=request.user)
                .select_related("unit")
                .first()
            )
        return TemplateResponse(
            request,
            "study/assessment_own.html",
            {"scheme": scheme, "run": run, "score": own},
        )
    if request.method == "POST":
        if not request.user.is_superuser:
            return _forbidden(request, "只有平台管理员可以重新计算考核。")
        try:
            run = do_run_assessment(scheme, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(
                request, f"已计算 {run.people} 人，用时 {run.seconds:.1f} 秒。"
            )
        return redirect("study:assessment", year=year)
    run = latest_run(scheme)
    units = UnitScore.objects.none()
    people = PersonScore.objects.none()
    if run:
        units = UnitScore.objects.filter(run=run).select_related("unit")
        people = PersonScore.objects.filter(run=run).select_related("person", "unit")
        if not request.user.is_superuser:
            unit_ids = list(managed.values_list("pk", flat=True))
            people = people.filter(unit_id__in=unit_ids)
            units = units.filter(unit_id__in=unit_ids) if fmt == "xlsx" else units
    if fmt == "xlsx" and run:
        response = HttpResponse(
            exports.assessment_xlsx(run, list(people), list(units)),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="assessment-{year}.xlsx"'
        )
        return response
    unit_filter = request.GET.get("unit")
    if run and unit_filter and unit_filter.isdigit():
        people = people.filter(unit_id=int(unit_filter))
    page = Paginator(people, 50).get_page(request.GET.get("page")) if run else None
    return TemplateResponse(
        request,
        "study/assessment.html",
        {
            "scheme": scheme,
            "run": run,
            "units": units[:200] if run else [],
            "page": page,
            "indicators": list(scheme.indicators.all()),
        },
    )


@login_required
def assessment_person(request, year: int, person_id: int):
    """The breakdown of one person's score: how it was computed."""
    scheme = get_object_or_404(AssessmentScheme, year=year)
    run = latest_run(scheme)
    score = (
        PersonScore.objects.filter(run=run, person_id=person_id)
        .select_related("person", "unit")
        .first()
        if run
        else None
    )
    if score is None:
        raise Http404("没有此人的考核结果")
    if score.person_id != request.user.pk and not actions.can_manage_person(
        request.user, score.person
    ):
        return _forbidden(request, "您无权查看此人的考核结果。")
    return TemplateResponse(
        request,
        "study/assessment_own.html",
        {"scheme": scheme, "run": run, "score": score},
    )


def default_year() -> int:
    return dt.date.today().year
