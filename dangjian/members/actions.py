"""Changes to member records and accounts. Each is atomic and audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import APIToken

from dangjian.members import identity, transfers
from dangjian.members.models import (
    NO_ACCESS,
    MemberProfile,
    RecordView,
    Status,
    StatusChange,
    Transfer,
)
from dangjian.members.permissions import may_see_full_record
from dangjian.orgs.actions import do_grant_role, do_revoke_role, forget_token
from dangjian.orgs.models import Role
from dangjian.orgs.scope import forget_scope


def sync_access(profile: MemberProfile) -> None:
    """Makes the account and the branch membership follow the record.

    A member who has left (出党, 停止党籍, 死亡, 转出) or whose account is
    disabled cannot sign in, and their API tokens stop working at once; a
    member who has left also loses the branch membership, and with it every
    党内 scope.
    """
    person = profile.person
    active = profile.has_access and profile.activated_at is not None
    if person.is_active != active:
        person.is_active = active
        person.save(update_fields=["is_active"])
    if not active:
        for key_hash in APIToken.objects.filter(user=person).values_list(
            "key_hash", flat=True
        ):
            forget_token(key_hash)
    if profile.status in NO_ACCESS:
        do_revoke_role(person, profile.branch, Role.MEMBER)
    else:
        do_grant_role(person, profile.branch, Role.MEMBER)
    forget_scope(person)


@transaction.atomic
def do_change_status(
    profile: MemberProfile,
    status: str,
    *,
    effective_on: dt.date | None = None,
    reason: str = "",
    acting_user=None,
) -> StatusChange:
    if status not in Status.values:
        raise ValidationError({"status": _("未知的党籍状态")})
    if status == profile.status:
        raise ValidationError({"status": _("党籍状态没有变化")})
    change = StatusChange.objects.create(
        profile=profile,
        previous=profile.status,
        status=status,
        effective_on=effective_on or timezone.localdate(),
        reason=reason[:200],
        changed_by=acting_user,
    )
    profile.status = status
    profile.save(update_fields=["status", "updated_at"])
    sync_access(profile)
    log(
        instance=profile,
        action="dangjian.members.status",
        user=acting_user,
        data={"from": change.previous, "to": status, "reason": reason[:200]},
    )
    if status in NO_ACCESS:
        _close_open_transfers(profile, acting_user)
    return change


def _close_open_transfers(profile: MemberProfile, acting_user) -> None:
    """A member who leaves has no transfer in progress: it is withdrawn (and
    logged), so no branch is asked to approve or accept it any more."""
    for transfer in profile.transfers.open().select_for_update():
        transfer.status = Transfer.Status.CANCELLED
        transfer.save(update_fields=["status"])
        transfers.log_step(
            transfer,
            "cancel",
            acting_user,
            reason=_("党籍状态变更为%(s)s") % {"s": profile.status},
        )


@transaction.atomic
def do_disable_account(profile: MemberProfile, *, acting_user=None) -> None:
    profile.disabled_at = timezone.now()
    profile.save(update_fields=["disabled_at", "updated_at"])
    sync_access(profile)
    log(instance=profile, action="dangjian.members.disable", user=acting_user)


@transaction.atomic
def do_enable_account(profile: MemberProfile, *, acting_user=None) -> None:
    profile.disabled_at = None
    profile.save(update_fields=["disabled_at", "updated_at"])
    sync_access(profile)
    log(instance=profile, action="dangjian.members.enable", user=acting_user)


@transaction.atomic
def do_reset_account(profile: MemberProfile, *, acting_user=None) -> None:
    """The member signs in again for the first time: by SMS code, then a new
    password. The old password stops working now."""
    person = profile.person
    person.set_unusable_password()
    person.save(update_fields=["password"])
    profile.activated_at = None
    profile.save(update_fields=["activated_at", "updated_at"])
    sync_access(profile)
    log(instance=profile, action="dangjian.members.reset", user=acting_user)


@transaction.atomic
def do_activate_account(profile: MemberProfile, *, password: str = "") -> None:
    """The member proved their mobile number: the account works from now."""
    if not profile.has_access:
        raise PermissionDenied(_("该账号已停用，请联系所在党支部"))
    person = profile.person
    if password:
        person.set_password(password)
        person.save(update_fields=["password"])
    first = profile.activated_at is None
    if first:
        profile.activated_at = timezone.now()
        profile.save(update_fields=["activated_at", "updated_at"])
    sync_access(profile)
    log(
        instance=profile,
        action="dangjian.members.activate" if first else "dangjian.members.sms_login",
        user=person,
    )


def read_full_record(profile: MemberProfile, viewer, *, via: str = "admin") -> str:
    """The full ID number, for the member's own unit admins only; every
    reading is recorded (who, whose, when, where)."""
    if not may_see_full_record(viewer, profile):
        raise PermissionDenied(_("只有党员所在单位的管理员可以查看完整档案"))
    with transaction.atomic():
        RecordView.objects.create(profile=profile, viewer=viewer, via=via)
        log(instance=profile, action="dangjian.members.view_full", user=viewer)
    return identity.unseal(profile.id_sealed)
