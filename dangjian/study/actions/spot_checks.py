"""抽查: drawing a stratified, reproducible sample and recording results."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from dangjian.orgs.models import Membership, Organisation, Role
from dangjian.orgs.scope import managed_organisations
from dangjian.study.models import SpotCheck, SpotCheckItem


def spot_check_population(unit: Organisation) -> dict[int, list[int]]:
    """Members of the unit's branches (and of the unit itself), by branch id.

    A person in two branches of the unit is counted once, in the first branch
    by tree order, so the strata do not overlap.
    """
    rows = (
        Membership.objects.active()
        .filter(role=Role.MEMBER, organisation__path__startswith=unit.path)
        .order_by("organisation__path", "person_id")
        .values_list("organisation_id", "person_id")
    )
    strata: dict[int, list[int]] = {}
    seen: set[int] = set()
    for branch_id, person_id in rows:
        if person_id in seen:
            continue
        seen.add(person_id)
        strata.setdefault(branch_id, []).append(person_id)
    return strata


def draw_sample(
    strata: dict[int, list[int]], size: int, seed: int
) -> list[tuple[int, int]]:
    """A stratified random sample: ``size`` people allotted to strata in
    proportion to their size (largest remainders), drawn with ``seed``.

    The same strata, size and seed always give the same sample.
    """
    total = sum(len(people) for people in strata.values())
    size = max(0, min(size, total))
    if not size:
        return []
    keys = sorted(strata)
    quotas = {k: size * len(strata[k]) / total for k in keys}
    allotted = {k: int(quotas[k]) for k in keys}
    rest = size - sum(allotted.values())
    by_remainder = sorted(keys, key=lambda k: (-(quotas[k] - allotted[k]), k))
    for k in by_remainder[:rest]:
        allotted[k] += 1
    rng = random.Random(seed)
    sample = []
    for k in keys:
        people = sorted(strata[k])
        sample += [(k, p) for p in sorted(rng.sample(people, allotted[k]))]
    return sample


def check_create_spot_check(
    unit: Organisation,
    *,
    title: str,
    period_start: dt.date,
    period_end: dt.date,
    size: int | None = None,
    percent: int | None = None,
    seed: int | None = None,
    checkers=(),
    acting_user,
) -> SpotCheck:
    if not (
        acting_user.is_superuser
        or managed_organisations(acting_user, [Role.UNIT_ADMIN])
        .filter(pk=unit.pk)
        .exists()
    ):
        raise PermissionDenied(_("只有本单位管理员可以抽查"))
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("请填写名称")
    if period_end < period_start:
        errors["period_end"] = _("期间结束不能早于开始")
    if (size is None) == (percent is None):
        errors["size"] = _("请填写抽取人数或抽取比例（二选一）")
    elif size is not None and size < 1:
        errors["size"] = _("抽取人数至少为 1")
    elif percent is not None and not (1 <= percent <= 100):
        errors["percent"] = _("抽取比例须在 1–100 之间")
    if errors:
        raise ValidationError(errors)
    strata = spot_check_population(unit)
    population = sum(len(p) for p in strata.values())
    if not population:
        raise ValidationError(_("该单位没有可抽查的党员"))
    if size is not None:
        wanted = size
    else:
        # Exactly one of size and percent is given (checked above).
        wanted = max(1, round(population * cast(int, percent) / 100))
    seed = seed if seed is not None else secrets.randbits(48)
    with transaction.atomic():
        spot_check = SpotCheck.objects.create(
            organisation=unit,
            title=title.strip(),
            period_start=period_start,
            period_end=period_end,
            sample_size=size,
            sample_percent=percent,
            seed=seed,
            population=population,
            created_by=acting_user,
        )
        if checkers:
            spot_check.checkers.set(checkers)
        SpotCheckItem.objects.bulk_create(
            [
                SpotCheckItem(spot_check=spot_check, person_id=p, branch_id=b)
                for b, p in draw_sample(strata, wanted, seed)
            ]
        )
        log(
            spot_check,
            "dangjian.study.draw_spot_check",
            user=acting_user,
            data={"seed": seed, "population": population, "sample": wanted},
        )
    return spot_check


def can_check(person, spot_check: SpotCheck) -> bool:
    if not person.is_authenticated:
        return False
    if person.is_superuser:
        return True
    if spot_check.checkers.filter(pk=person.pk).exists():
        return True
    return (
        managed_organisations(person, [Role.UNIT_ADMIN])
        .filter(pk=spot_check.organisation_id)
        .exists()
    )


@transaction.atomic
def check_record_spot_result(
    item: SpotCheckItem, result: str, comment: str, *, acting_user
) -> SpotCheckItem:
    if not can_check(acting_user, item.spot_check):
        raise PermissionDenied(_("您不是这次抽查的检查人"))
    if result not in (SpotCheckItem.Result.PASS, SpotCheckItem.Result.IMPROVE):
        raise ValidationError(_("请选择“合格”或“需改进”"))
    comment = (comment or "").strip()
    if result == SpotCheckItem.Result.IMPROVE and not comment:
        raise ValidationError(_("需改进时请写明意见"))
    if len(comment) > 2000:
        raise ValidationError(_("意见不能超过 2000 字"))
    item.result = result
    item.comment = comment
    item.checked_by = acting_user
    item.checked_at = timezone.now()
    item.save(update_fields=["result", "comment", "checked_by", "checked_at"])
    log(
        item.spot_check,
        "dangjian.study.record_spot_result",
        user=acting_user,
        data={"person": item.person_id, "result": result, "comment": comment},
    )
    return item
