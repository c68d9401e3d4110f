"""The points ledger: default rules, awards within the daily cap, and
corrections by an admin."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from dangjian.orgs.models import Membership, Role
from dangjian.orgs.scope import managed_organisations
from dangjian.study.models import PointEntry, PointRule

DEFAULT_RULES = [
    (PointRule.Kind.ARTICLE_READ, "阅读文章", 1, 6),
    (PointRule.Kind.VIDEO_WATCHED, "观看视频", 2, 6),
    (PointRule.Kind.DAILY_QUIZ, "每日答题", 5, 5),
    (PointRule.Kind.SESSION_ATTENDED, "参加学习会", 5, 10),
    (PointRule.Kind.NOTE_WRITTEN, "撰写心得", 2, 2),
]


def ensure_rules() -> int:
    created = 0
    for kind, name, points, cap in DEFAULT_RULES:
        _rule, was_created = PointRule.objects.get_or_create(
            kind=kind, defaults={"name": name, "points": points, "daily_cap": cap}
        )
        created += was_created
    return created


def do_award_points(
    person, kind: str, *, source: str, label: str = "", at=None
) -> PointEntry | None:
    """Writes the points an activity earns, once per source, within the daily cap.

    Returns None when the rule is off, the source already earned points, or
    the day's cap is used up. The person's row is locked so that two
    concurrent awards cannot both read the same remaining allowance.
    """
    at = at or timezone.now()
    day = timezone.localdate(at)
    with transaction.atomic():
        rule = PointRule.objects.active().filter(kind=kind).first()
        if rule is None or rule.points == 0:
            return None
        get_user_model().objects.select_for_update().filter(pk=person.pk).first()
        if PointEntry.objects.filter(
            person=person, rule=rule, source=source, corrects__isnull=True
        ).exists():
            return None
        points = rule.points
        if rule.daily_cap:
            # Corrections by an admin neither use up nor free the allowance.
            used = (
                PointEntry.objects.for_person(person)
                .on_day(day)
                .filter(rule=rule, corrects__isnull=True)
                .exclude(source__startswith=CORRECTION_PREFIX)
                .total()
            )
            points = min(points, rule.daily_cap - used)
            if points <= 0:
                return None
        return PointEntry.objects.create(
            person=person,
            rule=rule,
            source=source,
            label=label[:200],
            points=points,
            day=day,
            created_at=at,
        )


# Source of a correction not tied to one earlier entry; unique per correction.
CORRECTION_PREFIX = "correction:"
MAX_CORRECTION = 1000


def check_correct_points(
    entry: PointEntry, points: int, reason: str, *, acting_user
) -> PointEntry:
    """A correction of one ledger line: a new line that adds ``points``
    (negative to take away) under the same rule and source."""
    return check_add_point_correction(
        entry.person, entry.rule, points, reason, entry=entry, acting_user=acting_user
    )


def check_add_point_correction(
    person, rule: PointRule, points, reason: str, *, entry=None, acting_user
) -> PointEntry:
    """Adds a correction line to a person's ledger; existing lines never change.

    Only a platform admin or an admin of a unit the person belongs to may
    correct. ``points`` is non-zero, positive to add and negative to take
    away; the reason is required and kept on the line and in the audit log.
    The person's total under the rule (or the corrected line's, with
    ``entry``) may not become negative.
    """
    if not (acting_user.is_superuser or can_manage_person(acting_user, person)):
        raise PermissionDenied(_("您无权更正此人的积分"))
    errors = {}
    try:
        points = int(points)
    except (TypeError, ValueError):
        points = None
    if points is None:
        errors["points"] = _("更正分值须为整数")
    elif not points:
        errors["points"] = _("更正分值不能为 0")
    elif abs(points) > MAX_CORRECTION:
        errors["points"] = _("更正分值不能超过 ±%(n)d") % {"n": MAX_CORRECTION}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("请填写更正原因")
    elif len(reason) > 150:
        errors["reason"] = _("更正原因不能超过 150 字")
    if rule is None:
        errors["rule"] = _("请选择积分项目")
    if entry is not None:
        if entry.person_id != person.pk or entry.rule_id != rule.pk:
            errors["entry"] = _("更正的记录与人员或积分项目不符")
        elif entry.corrects_id is not None:
            errors["entry"] = _("请更正原始记录，而不是更正记录")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the person so two corrections cannot both pass the floor check.
        get_user_model().objects.select_for_update().filter(pk=person.pk).first()
        if entry is not None:
            base = entry.points + sum(
                entry.corrections.values_list("points", flat=True)
            )
        else:
            base = PointEntry.objects.for_person(person).filter(rule=rule).total()
        if base + points < 0:
            raise ValidationError({"points": _("更正后该项积分不能为负数")})
        correction = PointEntry.objects.create(
            person=person,
            rule=rule,
            source=entry.source
            if entry is not None
            else f"{CORRECTION_PREFIX}{secrets.token_hex(8)}",
            label=f"更正：{reason}"[:200],
            points=points,
            day=timezone.localdate(),
            corrects=entry,
            created_by=acting_user,
        )
        log(
            correction,
            "dangjian.study.correct_points",
            user=acting_user,
            data={
                "person": person.pk,
                "rule": rule.kind,
                "entry": entry.pk if entry is not None else None,
                "points": points,
                "reason": reason,
            },
        )
    return correction


def correctable_people(manager):
    """People a manager may correct points for: active members of the units
    they administer (everyone with a membership, for a platform admin)."""
    people = get_user_model().objects.filter(is_active=True)
    memberships = Membership.objects.active()
    if not manager.is_superuser:
        memberships = memberships.filter(
            organisation__in=managed_organisations(manager, [Role.UNIT_ADMIN])
        )
    return people.filter(pk__in=memberships.values("person_id")).order_by("username")


def _managed_person_ids(manager, person_ids) -> list[int]:
    orgs = managed_organisations(manager, [Role.UNIT_ADMIN])
    return list(
        Membership.objects.filter(person_id__in=person_ids, organisation__in=orgs)
        .values_list("person_id", flat=True)
        .distinct()
    )


def can_manage_person(manager, person) -> bool:
    if manager.is_superuser:
        return True
    return bool(_managed_person_ids(manager, [person.pk]))
