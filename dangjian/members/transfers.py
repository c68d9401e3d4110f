"""组织关系转接 within the city, step by step; each step atomic and audited.

requested (by the member, or a manager of the sending organisation)
→ approved by a manager of the sending organisation
→ accepted by a manager of the receiving organisation
→ completed on the effective date (``do_apply_due_transfers``, run daily by
  ``manage.py apply_transfers``, and at once when accepted on or after it).
Either side may refuse its step with a reason; the requester may withdraw.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from dangjian.members import notices
from dangjian.members.models import MemberProfile, Transfer
from dangjian.members.permissions import manages
from dangjian.orgs.actions import do_grant_role, do_revoke_role
from dangjian.orgs.models import Organisation, Role

DEADLINE_DAYS = 30


def log_step(transfer: Transfer, action: str, user, **data) -> None:
    log(
        instance=transfer,
        action=f"dangjian.members.transfer.{action}",
        user=user,
        data={
            "member": transfer.profile_id,
            "from": transfer.from_branch_id,
            "to": transfer.to_branch_id,
            **data,
        },
    )


def check_request_transfer(
    profile: MemberProfile,
    to_branch: Organisation,
    *,
    effective_on: dt.date,
    reason: str = "",
    acting_user,
) -> Transfer:
    own = profile.person_id == getattr(acting_user, "pk", None)
    if not own and not manages(acting_user, profile.branch_id):
        raise PermissionDenied(_("只有本人或转出党组织的管理员可以申请组织关系转接"))
    if not profile.has_access:
        raise ValidationError(_("该党员当前不在册，不能转接"))
    if not to_branch.is_branch or not to_branch.is_active:
        raise ValidationError({"to_branch": _("转入组织应为启用中的党支部")})
    if to_branch.pk == profile.branch_id:
        raise ValidationError({"to_branch": _("转入党组织与现所在党组织相同")})
    today = timezone.localdate()
    if effective_on < today:
        raise ValidationError({"effective_on": _("生效日期不能早于今天")})
    if effective_on > today + dt.timedelta(days=366):
        raise ValidationError({"effective_on": _("生效日期应在一年之内")})
    return do_request_transfer(
        profile,
        to_branch,
        effective_on=effective_on,
        reason=reason,
        acting_user=acting_user,
    )


def do_request_transfer(
    profile: MemberProfile,
    to_branch: Organisation,
    *,
    effective_on: dt.date,
    reason: str = "",
    acting_user,
) -> Transfer:
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                profile=profile,
                from_branch_id=profile.branch_id,
                to_branch=to_branch,
                effective_on=effective_on,
                deadline=timezone.localdate() + dt.timedelta(days=DEADLINE_DAYS),
                reason=reason[:200],
                requested_by=acting_user,
            )
            log_step(transfer, "request", acting_user)
            notices.announce_step(transfer, acting_user=acting_user)
    except IntegrityError:
        raise ValidationError(_("该党员已有正在办理的转接")) from None
    return transfer


def _locked(transfer: Transfer) -> Transfer:
    return (
        Transfer.objects.select_for_update()
        .select_related("profile")
        .get(pk=transfer.pk)
    )


@transaction.atomic
def do_approve_transfer(transfer: Transfer, *, acting_user) -> Transfer:
    transfer = _locked(transfer)
    if not manages(acting_user, transfer.from_branch_id):
        raise PermissionDenied(_("只有转出党组织的管理员可以审批"))
    if transfer.status != Transfer.Status.REQUESTED:
        raise ValidationError(_("该转接当前不在待审批状态"))
    transfer.status = Transfer.Status.APPROVED
    transfer.approved_by = acting_user
    transfer.approved_at = timezone.now()
    transfer.save(update_fields=["status", "approved_by", "approved_at"])
    log_step(transfer, "approve", acting_user)
    notices.announce_step(transfer, acting_user=acting_user)
    return transfer


@transaction.atomic
def do_accept_transfer(transfer: Transfer, *, acting_user) -> Transfer:
    transfer = _locked(transfer)
    if not manages(acting_user, transfer.to_branch_id):
        raise PermissionDenied(_("只有转入党组织的管理员可以接收"))
    if transfer.status != Transfer.Status.APPROVED:
        raise ValidationError(_("该转接当前不在待接收状态"))
    transfer.status = Transfer.Status.ACCEPTED
    transfer.accepted_by = acting_user
    transfer.accepted_at = timezone.now()
    transfer.save(update_fields=["status", "accepted_by", "accepted_at"])
    log_step(transfer, "accept", acting_user)
    notices.announce_step(transfer, acting_user=acting_user)
    if transfer.effective_on <= timezone.localdate():
        _complete(transfer)
    return transfer


@transaction.atomic
def do_refuse_transfer(transfer: Transfer, *, reason: str, acting_user) -> Transfer:
    transfer = _locked(transfer)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写拒绝理由")})
    if transfer.status == Transfer.Status.REQUESTED:
        side = transfer.from_branch_id
    elif transfer.status == Transfer.Status.APPROVED:
        side = transfer.to_branch_id
    else:
        raise ValidationError(_("该转接当前不能拒绝"))
    if not manages(acting_user, side):
        raise PermissionDenied(_("只有当前办理方的管理员可以拒绝"))
    transfer.status = Transfer.Status.REFUSED
    transfer.refusal_reason = reason[:200]
    transfer.refused_by = acting_user
    transfer.refused_at = timezone.now()
    transfer.save(
        update_fields=["status", "refusal_reason", "refused_by", "refused_at"]
    )
    log_step(transfer, "refuse", acting_user, reason=reason[:200])
    notices.announce_step(transfer, acting_user=acting_user)
    return transfer


@transaction.atomic
def do_cancel_transfer(transfer: Transfer, *, acting_user) -> Transfer:
    transfer = _locked(transfer)
    own = transfer.profile.person_id == getattr(acting_user, "pk", None)
    if not own and not manages(acting_user, transfer.from_branch_id):
        raise PermissionDenied(_("只有本人或转出党组织的管理员可以撤回"))
    if transfer.status not in (Transfer.Status.REQUESTED, Transfer.Status.APPROVED):
        raise ValidationError(_("该转接当前不能撤回"))
    transfer.status = Transfer.Status.CANCELLED
    transfer.save(update_fields=["status"])
    log_step(transfer, "cancel", acting_user)
    notices.announce_step(transfer, acting_user=acting_user)
    return transfer


def _complete(transfer: Transfer) -> None:
    """The member's branch changes: the old branch's 党内 items are out of
    their scope from now, the new branch's in."""
    profile = MemberProfile.objects.select_for_update().get(pk=transfer.profile_id)
    person = profile.person
    do_revoke_role(person, transfer.from_branch, Role.MEMBER)
    profile.branch = transfer.to_branch
    profile.save(update_fields=["branch", "updated_at"])
    if profile.has_access:
        do_grant_role(person, transfer.to_branch, Role.MEMBER)
    transfer.status = Transfer.Status.COMPLETED
    transfer.completed_at = timezone.now()
    transfer.save(update_fields=["status", "completed_at"])
    log_step(transfer, "complete", None)
    notices.announce_step(transfer)


def do_apply_due_transfers(today: dt.date | None = None) -> int:
    """Completes every accepted transfer whose effective date has come."""
    today = today or timezone.localdate()
    done = 0
    for pk in Transfer.objects.filter(
        status=Transfer.Status.ACCEPTED, effective_on__lte=today
    ).values_list("pk", flat=True):
        with transaction.atomic():
            transfer = Transfer.objects.select_for_update().get(pk=pk)
            if transfer.status == Transfer.Status.ACCEPTED:
                _complete(transfer)
                done += 1
    return done


def dashboard(organisations, today: dt.date | None = None) -> dict:
    """A unit's transfers: waiting on it, overdue, completed this year."""
    today = today or timezone.localdate()
    rows = Transfer.objects.touching(organisations).select_related(
        "profile", "from_branch", "to_branch"
    )
    ids = set(organisations.values_list("pk", flat=True))
    to_approve = [
        t
        for t in rows.filter(status=Transfer.Status.REQUESTED)
        if t.from_branch_id in ids
    ]
    to_accept = [
        t for t in rows.filter(status=Transfer.Status.APPROVED) if t.to_branch_id in ids
    ]
    return {
        "to_approve": to_approve,
        "to_accept": to_accept,
        "waiting": list(rows.filter(status=Transfer.Status.ACCEPTED)),
        "overdue": list(rows.overdue(today)),
        "completed": list(
            rows.filter(status=Transfer.Status.COMPLETED, completed_at__year=today.year)
        ),
        "refused": list(
            rows.filter(status=Transfer.Status.REFUSED, refused_at__year=today.year)
        ),
    }
