"""Into the city: registering a member who arrives with an introduction
letter (介绍信) from a party organisation outside the city.

A unit admin enters the letter (number, issuing organisation), the member's
data as one roster row (the importer's checks, in Chinese) and the receiving
branch, one of their own. The member gets a record and an account that
cannot sign in until they activate it by SMS code, like an imported member;
the status history opens with "转入" and the letter; the audit log has the
step. A letter (issuer + number) registers once: a form sent twice, or two
admins entering the same letter, make one record.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from dangjian.lib.text import has_control_chars
from dangjian.members import identity
from dangjian.members.importer import check_row
from dangjian.members.models import (
    ArrivalLetter,
    MemberProfile,
    Status,
    StatusChange,
)
from dangjian.members.permissions import managed_units
from dangjian.orgs.models import Membership, Organisation, Role


def _clean_text(value: str, label: str, size: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(_("“%(label)s”不能为空") % {"label": label})
    if len(text) > size:
        raise ValidationError(
            _("“%(label)s”超过 %(n)d 个字") % {"label": label, "n": size}
        )
    if has_control_chars(text):
        raise ValidationError(_("“%(label)s”含有控制字符") % {"label": label})
    return text


def check_register_arrival(
    values: dict[str, Any],
    *,
    branch: Organisation,
    letter_number: str,
    issuer: str,
    acting_user,
) -> MemberProfile:
    """``values``: the member's data keyed by the roster's column names
    (``姓名``, ``身份证号`` …, without ``所在党组织``). Raises
    ``PermissionDenied`` for a branch the person does not manage and
    ``ValidationError`` listing every problem of the input."""
    allowed = set(managed_units(acting_user).values_list("pk", flat=True))
    if branch.pk not in allowed:
        raise PermissionDenied(_("只能登记到您管理的党支部"))
    errors: list[str] = []
    try:
        number = _clean_text(letter_number, _("介绍信编号"), 30)
    except ValidationError as exc:
        errors += exc.messages
        number = ""
    try:
        issuer = _clean_text(issuer, _("开具介绍信的党组织"), 100)
    except ValidationError as exc:
        errors += exc.messages
        issuer = ""
    for column, value in values.items():
        if isinstance(value, str) and has_control_chars(value):
            errors.append(_("“%(label)s”含有控制字符") % {"label": column})
    row = {**values, "所在党组织": branch.name}
    cleaned, row_errors = check_row(
        row, None, allowed, timezone.localdate(), branch=branch
    )
    errors += row_errors
    id_number = cleaned.pop("number")
    cleaned.pop("branch")
    digest = identity.id_hash(id_number) if id_number else ""
    if (
        number
        and issuer
        and ArrivalLetter.objects.filter(issuer=issuer, number=number).exists()
    ):
        errors.append(_("该介绍信已登记过，不能重复登记"))
    elif digest and MemberProfile.objects.filter(id_hash=digest).exists():
        errors.append(_("该身份证号的党员已在本市登记，不能再次转入"))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return do_register_arrival(
                cleaned,
                id_number=id_number,
                branch=branch,
                letter_number=number,
                issuer=issuer,
                acting_user=acting_user,
            )
    except IntegrityError:  # the same letter or member, registered just now
        raise ValidationError(_("该介绍信或该党员刚刚已登记，不能重复登记")) from None


def do_register_arrival(
    fields: dict[str, Any],
    *,
    id_number: str,
    branch: Organisation,
    letter_number: str,
    issuer: str,
    acting_user,
) -> MemberProfile:
    Person = get_user_model()
    digest = identity.id_hash(id_number)
    now = timezone.now()
    person = Person.objects.create(
        username=f"m{digest[:15]}",
        name=fields["name"],
        mobile=fields["mobile"],
        password=make_password(None),
        is_active=False,
    )
    profile = MemberProfile.objects.create(
        person=person,
        branch=branch,
        id_hash=digest,
        id_masked=identity.mask(id_number),
        id_sealed=identity.seal(id_number),
        status=Status.REGISTERED,
        created_at=now,
        **fields,
    )
    letter = ArrivalLetter.objects.create(
        profile=profile,
        number=letter_number,
        issuer=issuer,
        to_branch=branch,
        registered_by=acting_user,
        registered_at=now,
    )
    StatusChange.objects.create(
        profile=profile,
        previous="",
        status=Status.REGISTERED,
        effective_on=timezone.localdate(),
        reason=_("转入：由%(issuer)s转入（介绍信第%(n)s号）")
        % {"issuer": issuer, "n": letter_number},
        changed_by=acting_user,
        created_at=now,
    )
    Membership.objects.get_or_create(
        person=person, organisation=branch, role=Role.MEMBER
    )
    log(
        instance=profile,
        action="dangjian.members.arrival",
        user=acting_user,
        data={
            "letter": letter.pk,
            "number": letter_number,
            "issuer": issuer,
            "branch": branch.pk,
        },
    )
    return profile
