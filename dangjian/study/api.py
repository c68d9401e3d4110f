"""JSON API for study: the person's own figures, heartbeats, check-in, unit figures.

Errors are ``{"detail": "<中文说明>", "code": "<stable code>"}`` with a 4xx
status, the API's contract (``dangjian.lib.api_errors``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.utils import timezone
from ninja import Router, Schema

from dangjian.lib.api_errors import error_response, errors
from dangjian.lib.api_types import Id
from dangjian.orgs.auth import member_auth
from dangjian.orgs.models import Organisation, Role
from dangjian.orgs.scope import managed_organisations
from dangjian.study import actions
from dangjian.study.archive import build_archive, parse_period, plan_progress
from dangjian.study.models import PointEntry, Reading
from dangjian.study.unit import unit_figures

router = Router(tags=["学习"])


def error(status: int, code: str, detail: str) -> JsonResponse:
    return error_response(status, code, detail)


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "；".join(m for ms in exc.message_dict.values() for m in ms)
    return "；".join(exc.messages)


def _plans(person) -> list[dict]:
    return [
        {
            "id": p.plan.pk,
            "title": p.plan.title,
            "deadline": p.plan.deadline.isoformat(),
            "done": p.done,
            "total": p.total,
            "percent": p.percent,
            "behind": p.behind,
        }
        for p in plan_progress(person)
    ]


@router.get(
    "/me",
    auth=member_auth,
    response={200: dict, **errors(400)},
    summary="我的学习：积分、计划进度、学习会、最近档案",
)
def me(request, start: str | None = None, end: str | None = None):
    person = request.auth
    try:
        first, last = parse_period(start, end)
    except ValidationError as exc:
        return error(400, "bad_period", _messages(exc))
    today = timezone.localdate()
    ledger = PointEntry.objects.for_person(person)
    archive = build_archive(person, first, last, entries_limit=20)
    return {
        "person": {"id": person.pk, "name": person.get_full_name()},
        "period": {"start": first.isoformat(), "end": last.isoformat()},
        "points": {
            "today": ledger.on_day(today).total(),
            "month": ledger.between(today.replace(day=1), today).total(),
            "year": ledger.in_year(today.year).total(),
            "period": archive.points_total,
            "all_time": ledger.total(),
            "by_month": [
                {"year": r["year"], "month": r["month"], "points": r["points"]}
                for r in archive.points_by_month
            ],
        },
        "plans": _plans(person),
        "sessions": [
            {
                "id": a.session_id,
                "title": a.session.title,
                "type": a.session.get_type_display(),
                "starts_at": a.session.starts_at.isoformat(),
                "method": a.method,
            }
            for a in archive.attendances[:20]
        ],
        "studied": [
            {
                "material": p.material_id,
                "title": p.material.title,
                "kind": p.material.kind,
                "seconds": round(p.seconds),
                "completed_at": p.completed_at.isoformat() if p.completed_at else None,
            }
            for p in archive.studied[:20]
        ],
        "latest_entries": [
            {
                "day": e.day.isoformat(),
                "rule": e.rule.name,
                "label": e.label,
                "points": e.points,
            }
            for e in archive.entries
        ],
        "notes": [
            {"title": n.title, "created_at": n.created_at.isoformat()}
            for n in archive.notes[:20]
        ],
        "quiz_average": archive.quiz_average,
    }


class BeatIn(Schema):
    position: float | None = None


@router.post(
    "/readings/{reading_id}/beat",
    auth=member_auth,
    response={200: dict, **errors(400, 403, 404)},
    summary="学习心跳",
)
def beat(request, reading_id: Id, payload: BeatIn):
    reading = Reading.objects.filter(pk=reading_id).first()
    if reading is None:
        return error(404, "not_found", "没有这条学习记录")
    try:
        progress = actions.check_record_beat(
            reading, request.auth, position=payload.position
        )
    except PermissionDenied as exc:
        return error(403, "forbidden", str(exc))
    except ValidationError as exc:
        return error(400, "invalid", _messages(exc))
    return {
        "seconds": round(progress.seconds, 1),
        "position": round(progress.position, 1),
        "completed": progress.completed_at is not None,
    }


class CheckinIn(Schema):
    code: str


@router.post(
    "/checkin",
    auth=member_auth,
    response={200: dict, **errors(400, 403)},
    summary="用签到码签到",
)
def checkin(request, payload: CheckinIn):
    try:
        attendance = actions.check_check_in_with_code(request.auth, payload.code)
    except PermissionDenied as exc:
        return error(403, "not_in_organisation", str(exc))
    except ValidationError as exc:
        return error(400, "bad_code", _messages(exc))
    return {
        "session": attendance.session_id,
        "title": attendance.session.title,
        "checked_in_at": attendance.checked_in_at.isoformat(),
    }


@router.get(
    "/units/{org_id}",
    auth=member_auth,
    response={200: dict, **errors(403, 404)},
    summary="单位学习情况（单位管理员）",
)
def unit(request, org_id: Id):
    organisation = Organisation.objects.filter(pk=org_id).first()
    if organisation is None:
        return error(404, "not_found", "没有这个组织")
    if (
        not managed_organisations(request.auth, [Role.UNIT_ADMIN])
        .filter(pk=org_id)
        .exists()
    ):
        return error(403, "forbidden", "只有本单位管理员可以查看")
    figures = unit_figures(organisation)
    return {
        "unit": {"id": organisation.pk, "name": organisation.name},
        "members": figures["members"],
        "plans": [
            {
                "id": f.plan.pk,
                "title": f.plan.title,
                "deadline": f.plan.deadline.isoformat(),
                "members": f.members,
                "materials": f.materials,
                "completed_members": f.completed_members,
                "average_percent": f.average_percent,
                "elapsed_percent": f.elapsed_percent,
                "behind": f.behind,
            }
            for f in figures["plans"]
        ],
        # Session types are lazy translations: JSON keys must be plain strings.
        "sessions": [{**row, "type": str(row["type"])} for row in figures["sessions"]],
        "sessions_by_type": {
            str(kind): n for kind, n in figures["sessions_by_type"].items()
        },
    }
