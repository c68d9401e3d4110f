"""民主评议党员: a branch's yearly campaign.

Members write a self-evaluation and rate each other (互评); the branch then
rates every member (优秀 / 合格 / 基本合格 / 不合格, with reasons for the
two lower ratings) and finishes the campaign. Finished ratings reach study's
quantitative assessment through ``dangjian_evaluation_results``
(``plugins.EvaluationResults``).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from dangjian.orglife.actions import members_of
from dangjian.orglife.models import (
    BranchRating,
    EvaluationCampaign,
    MutualEvaluation,
    Rating,
    SelfEvaluation,
)
from dangjian.orgs.models import Organisation

NEEDS_REASON = {Rating.BASIC, Rating.UNQUALIFIED}


def _open(campaign: EvaluationCampaign) -> None:
    if campaign.status != EvaluationCampaign.Status.OPEN:
        raise ValidationError(_("本次民主评议已结束"))


def _member(campaign: EvaluationCampaign, person_id: int) -> None:
    if person_id not in members_of(campaign.branch):
        raise ValidationError(_("只有本支部党员可以参加评议"))


def _text(value: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationError(
            _("%(label)s不能超过 %(n)d 个字") % {"label": label, "n": limit}
        )
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise ValidationError(_("%(label)s含有不可见的控制字符") % {"label": label})
    return value


@transaction.atomic
def do_open_campaign(
    branch: Organisation, year: int, *, acting_user=None
) -> EvaluationCampaign:
    if not branch.is_branch:
        raise ValidationError(_("民主评议以党支部为单位开展"))
    try:
        with transaction.atomic():
            campaign = EvaluationCampaign.objects.create(branch=branch, year=year)
    except IntegrityError:
        raise ValidationError(_("本支部该年度的民主评议已经开展")) from None
    log(campaign, "dangjian.orglife.evaluation", user=acting_user)
    return campaign


@transaction.atomic
def do_submit_self(campaign: EvaluationCampaign, person, text: str):
    _open(campaign)
    _member(campaign, person.pk)
    text = _text(text, _("自我评价"), 5000)
    if not text:
        raise ValidationError(_("请填写自我评价"))
    row, _created = SelfEvaluation.objects.update_or_create(
        campaign=campaign,
        person=person,
        defaults={"text": text, "submitted_at": timezone.now()},
    )
    return row


@transaction.atomic
def do_submit_mutual(
    campaign: EvaluationCampaign, rater, ratee_id: int, rating: str, comment=""
):
    _open(campaign)
    _member(campaign, rater.pk)
    _member(campaign, ratee_id)
    if rater.pk == ratee_id:
        raise ValidationError(_("不能评议自己，请填写自我评价"))
    if rating not in Rating.values:
        raise ValidationError(_("请选择评价等次"))
    row, _created = MutualEvaluation.objects.update_or_create(
        campaign=campaign,
        rater=rater,
        ratee_id=ratee_id,
        defaults={
            "rating": rating,
            "comment": _text(comment, _("意见"), 300),
            "submitted_at": timezone.now(),
        },
    )
    return row


@transaction.atomic
def do_rate(
    campaign: EvaluationCampaign,
    person_id: int,
    rating: str,
    reason: str = "",
    *,
    acting_user=None,
) -> BranchRating:
    """The branch's rating of one member."""
    _open(campaign)
    _member(campaign, person_id)
    if rating not in Rating.values:
        raise ValidationError(_("请选择评定等次"))
    reason = _text(reason, _("理由"), 300)
    if rating in NEEDS_REASON and not reason:
        raise ValidationError(_("评定为基本合格或不合格须写明理由"))
    row, _created = BranchRating.objects.update_or_create(
        campaign=campaign,
        person_id=person_id,
        defaults={"rating": rating, "reason": reason, "rated_at": timezone.now()},
    )
    return row


@transaction.atomic
def do_finish(campaign: EvaluationCampaign, *, acting_user=None):
    """Closes the campaign once every member of the branch is rated."""
    campaign = EvaluationCampaign.objects.select_for_update().get(pk=campaign.pk)
    _open(campaign)
    rated = set(campaign.ratings.values_list("person_id", flat=True))
    missing = members_of(campaign.branch) - rated
    if missing:
        raise ValidationError(_("还有 %(n)d 名党员未评定等次") % {"n": len(missing)})
    campaign.status = EvaluationCampaign.Status.FINISHED
    campaign.finished_at = timezone.now()
    campaign.save(update_fields=["status", "finished_at"])
    log(campaign, "dangjian.orglife.evaluation", user=acting_user)
    return campaign


def mutual_summary(campaign: EvaluationCampaign) -> dict[int, Counter]:
    """For each member rated by others: how many gave each rating."""
    summary: dict[int, Counter] = defaultdict(Counter)
    for ratee, rating in campaign.mutual_evaluations.values_list("ratee_id", "rating"):
        summary[ratee][rating] += 1
    return summary
