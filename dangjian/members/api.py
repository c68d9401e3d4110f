"""The registry over JSON: an organisation's members for its managers, and
组织关系转接 (request, the steps, the lists). ``GET /api/me`` carries the
member's own record through the ``dangjian_me_profile`` hook (plugins.py).

Errors follow the API's contract (``dangjian.lib.api_errors``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.lib.api_errors import ApiError, errors
from dangjian.lib.api_types import Id
from dangjian.members import transfers as steps
from dangjian.members.models import MemberProfile, Transfer
from dangjian.members.permissions import manages, transfers_for
from dangjian.orgs.auth import member_auth
from dangjian.orgs.models import Organisation

router = Router(tags=["党员管理"])


class MemberOut(Schema):
    id: int
    name: str
    sex: str
    ethnicity: str
    birth_date: dt.date
    id_number: str = Field(description="身份证号（脱敏）")
    mobile: str
    education: str
    joined_on: dt.date
    full_member_on: dt.date | None
    category: str
    position: str
    branch_id: int
    branch: str
    status: str
    activated: bool


class MembersPage(Schema):
    count: int
    items: list[MemberOut]


class TransferOut(Schema):
    id: int
    member_id: int
    member: str
    from_branch_id: int
    from_branch: str
    to_branch_id: int
    to_branch: str
    status: str
    status_label: str
    reason: str
    refusal_reason: str
    effective_on: dt.date
    deadline: dt.date
    overdue: bool
    requested_at: dt.datetime
    completed_at: dt.datetime | None


class TransferIn(Schema):
    to_branch_id: Id
    effective_on: dt.date
    reason: str = Field("", max_length=200)
    # A manager names the member; a member leaves it out (their own record).
    member_id: Id | None = None


class StepIn(Schema):
    step: Literal["approve", "accept", "refuse", "cancel"]
    reason: str = Field("", max_length=200)


def _member(p: MemberProfile) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "sex": p.sex,
        "ethnicity": p.ethnicity,
        "birth_date": p.birth_date,
        "id_number": p.id_masked,
        "mobile": p.mobile,
        "education": p.education,
        "joined_on": p.joined_on,
        "full_member_on": p.full_member_on,
        "category": p.category,
        "position": p.position,
        "branch_id": p.branch_id,
        "branch": p.branch.name,
        "status": p.status,
        "activated": p.activated_at is not None,
    }


def _transfer(t: Transfer) -> dict:
    return {
        "id": t.pk,
        "member_id": t.profile_id,
        "member": t.profile.name,
        "from_branch_id": t.from_branch_id,
        "from_branch": t.from_branch.name,
        "to_branch_id": t.to_branch_id,
        "to_branch": t.to_branch.name,
        "status": t.status,
        "status_label": t.get_status_display(),
        "reason": t.reason,
        "refusal_reason": t.refusal_reason,
        "effective_on": t.effective_on,
        "deadline": t.deadline,
        "overdue": t.is_overdue(),
        "requested_at": t.requested_at,
        "completed_at": t.completed_at,
    }


@router.get(
    "/orgs/{org_id}/members",
    response={200: MembersPage, **errors(403, 404)},
    auth=member_auth,
    summary="组织的党员名册（本组织及下级，身份证号脱敏；仅该组织的管理员）",
)
def organisation_members(
    request: HttpRequest,
    org_id: Id,
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10_000_000),
):
    organisation = get_object_or_404(Organisation, pk=org_id)
    if not manages(request.user, organisation.pk):
        raise ApiError(403, "forbidden", _("只有该组织的管理员可以查看党员名册"))
    profiles = MemberProfile.objects.filter(
        branch__path__startswith=organisation.path
    ).select_related("branch")
    page = profiles.order_by("branch__path", "name", "pk")[offset : offset + limit]
    return {"count": profiles.count(), "items": [_member(p) for p in page]}


@router.get(
    "/transfers",
    response={200: list[TransferOut]},
    auth=member_auth,
    summary="组织关系转接：本人的，和本人管理的党组织转出或转入的",
)
def list_transfers(
    request: HttpRequest,
    status: Literal[
        "requested", "approved", "accepted", "completed", "refused", "cancelled"
    ]
    | None = None,
):
    rows = transfers_for(request.user).select_related(
        "profile", "from_branch", "to_branch"
    )
    if status:
        rows = rows.filter(status=status)
    return [_transfer(t) for t in rows[:500]]


@router.post(
    "/transfers",
    response={201: TransferOut, **errors(403, 404)},
    auth=member_auth,
    summary="申请组织关系转接（本人，或转出党组织的管理员）",
)
def request_transfer(request: HttpRequest, payload: TransferIn):
    user = request.user
    if payload.member_id is None:
        profile = MemberProfile.objects.filter(person_id=user.pk or 0).first()
        if profile is None:
            raise ApiError(404, "not_found", _("您还没有党员档案"))
    else:
        profile = get_object_or_404(MemberProfile, pk=payload.member_id)
    to_branch = get_object_or_404(Organisation, pk=payload.to_branch_id)
    transfer = steps.check_request_transfer(
        profile,
        to_branch,
        effective_on=payload.effective_on,
        reason=payload.reason,
        acting_user=user,
    )
    return 201, _transfer(transfer)


@router.post(
    "/transfers/{transfer_id}/steps",
    response={200: TransferOut, **errors(403, 404)},
    auth=member_auth,
    summary="办理转接：approve 转出方同意、accept 转入方接收、refuse 拒绝（需理由）、cancel 撤回",
)
def transfer_step(request: HttpRequest, transfer_id: Id, payload: StepIn):
    transfer = get_object_or_404(transfers_for(request.user), pk=transfer_id)
    user = request.user
    if payload.step == "approve":
        transfer = steps.do_approve_transfer(transfer, acting_user=user)
    elif payload.step == "accept":
        transfer = steps.do_accept_transfer(transfer, acting_user=user)
    elif payload.step == "refuse":
        transfer = steps.do_refuse_transfer(
            transfer, reason=payload.reason, acting_user=user
        )
    elif payload.step == "cancel":
        transfer = steps.do_cancel_transfer(transfer, acting_user=user)
    else:  # pragma: no cover - Literal above
        raise PermissionDenied
    transfer = Transfer.objects.select_related(
        "profile", "from_branch", "to_branch"
    ).get(pk=transfer.pk)
    return _transfer(transfer)
