"""Campaigns, candidates and the vote ledger.

The ledger (``Vote``) is append-only and the truth: live tallies kept in
Redis are a cache that ``manage.py reconcile_votes`` recomputes from it.
Each campaign's ledger is hash-chained (``seq``/``prev_hash``/``row_hash``,
sealed by ``dangjian.voting.chain``) so that a published digest lets an
auditor detect any altered or dropped vote.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
)
from wagtail.models import DraftStateMixin, Orderable, RevisionMixin

from dangjian.orgs.models import Organisation, Role
from dangjian.orgs.scope import managed_organisations

# Campaign days and the per-day rule are counted on the city's clock, whatever
# TIME_ZONE the server runs with.
CAMPAIGN_TZ = ZoneInfo("Asia/Shanghai")


def campaign_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(CAMPAIGN_TZ).date()


def next_midnight(moment: dt.datetime) -> dt.datetime:
    day = campaign_day(moment) + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(0), tzinfo=CAMPAIGN_TZ)


class CampaignQuerySet(models.QuerySet):
    def live(self):
        return self.filter(live=True)

    def open_at(self, moment=None):
        moment = moment or timezone.now()
        return self.live().filter(starts_at__lte=moment, ends_at__gt=moment)

    def managed_by(self, person):
        return self.filter(
            organisation__in=managed_organisations(
                person, [Role.UNIT_ADMIN, Role.EDITOR, Role.APPROVER, Role.REVIEWER]
            )
        )


# models.Model is named again after ClusterableModel and Orderable (the MRO
# is unchanged) for the type checker: Wagtail and modelcluster ship no type
# information, and without it django-stubs would not see these as models.
class Campaign(DraftStateMixin, RevisionMixin, ClusterableModel, models.Model):
    """A vote: candidates, a time window, who may vote and the voting rule."""

    title = models.CharField(_("标题"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    cover = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("封面"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("主办单位"),
        on_delete=models.PROTECT,
        related_name="vote_campaigns",
    )
    starts_at = models.DateTimeField(_("投票开始"))
    ends_at = models.DateTimeField(_("投票结束"))
    open_to_public = models.BooleanField(
        _("面向社会公众"),
        default=True,
        help_text=_("公众凭手机号验证码投票；党员凭账号登录投票"),
    )
    eligible_organisations = ParentalManyToManyField(
        Organisation,
        verbose_name=_("可投票组织（含下级）"),
        blank=True,
        related_name="+",
        help_text=_("不面向公众时，仅这些组织及其下级组织的成员可以投票"),
    )
    votes_per_day = models.PositiveIntegerField(_("每人每天票数"), default=1)
    votes_per_candidate_per_day = models.PositiveIntegerField(
        _("每人每天对同一候选人票数"), default=1
    )
    votes_total = models.PositiveIntegerField(
        _("每人总票数"), default=0, help_text=_("0 表示不限")
    )
    results_visible = models.BooleanField(_("投票期间公开实时结果"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    panels = [
        FieldPanel("title"),
        FieldPanel("organisation"),
        FieldPanel("description"),
        FieldPanel("cover"),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
        MultiFieldPanel(
            [FieldPanel("open_to_public"), FieldPanel("eligible_organisations")],
            heading=_("投票资格"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("votes_per_day"),
                FieldPanel("votes_per_candidate_per_day"),
                FieldPanel("votes_total"),
                FieldPanel("results_visible"),
            ],
            heading=_("投票规则"),
        ),
        InlinePanel("candidates", heading=_("候选人"), label=_("候选人")),
    ]

    class Meta:
        verbose_name = _("投票活动")
        verbose_name_plural = _("投票活动")
        ordering = ["-starts_at"]
        permissions = [("void_vote", _("审核并作废投票"))]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("voting:campaign", args=[self.pk])

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("结束时间必须晚于开始时间")})
        if self.votes_per_day < 1:
            raise ValidationError({"votes_per_day": _("每天至少一票")})
        if self.votes_per_candidate_per_day < 1:
            raise ValidationError({"votes_per_candidate_per_day": _("至少一票")})

    def status(self, moment=None) -> str:
        moment = moment or timezone.now()
        if moment < self.starts_at:
            return "upcoming"
        if moment >= self.ends_at:
            return "ended"
        return "open"

    def status_label(self, moment=None) -> str:
        return {"upcoming": "未开始", "open": "投票中", "ended": "已结束"}[
            self.status(moment)
        ]

    def results_public(self, moment=None) -> bool:
        return self.results_visible or self.status(moment) == "ended"


class Candidate(Orderable, models.Model):
    campaign = ParentalKey(
        Campaign, related_name="candidates", on_delete=models.CASCADE
    )
    number = models.PositiveIntegerField(_("编号"))
    name = models.CharField(_("姓名"), max_length=50)
    group = models.CharField(
        _("分组"), max_length=40, blank=True, help_text=_("如：区县组、部门组")
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所在组织"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("职务"), max_length=60, blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("照片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    record = models.TextField(_("事迹"), blank=True)

    panels = [
        FieldRowPanel([FieldPanel("number"), FieldPanel("name"), FieldPanel("group")]),
        FieldRowPanel([FieldPanel("organisation"), FieldPanel("title")]),
        FieldPanel("photo"),
        FieldPanel("record"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("候选人")
        verbose_name_plural = _("候选人")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "number"], name="voting_unique_candidate_number"
            )
        ]

    def __str__(self):
        return f"{self.number:03d} {self.name}"


class Ledger(models.Model):
    """The head of a campaign's hash chain, and the digest published at the end.

    Kept apart from Campaign so that publishing a campaign revision never
    overwrites the chain state, and so the sealer can lock this row alone.
    """

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="ledger", primary_key=True
    )
    length = models.BigIntegerField(_("已封存票数"), default=0)
    head_hash = models.CharField(_("链头哈希"), max_length=64, blank=True)
    sealed_at = models.DateTimeField(null=True, blank=True)
    final_length = models.BigIntegerField(_("最终票数"), null=True, blank=True)
    final_digest = models.CharField(_("最终摘要"), max_length=64, blank=True)
    finalised_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("投票账本")
        verbose_name_plural = _("投票账本")

    def __str__(self):
        return f"{self.campaign} · {self.length}"


class VoteQuerySet(models.QuerySet):
    def counted(self):
        """Votes that count in the tally: every accepted vote not voided."""
        return self.filter(voided_at__isnull=True)

    def voided(self):
        return self.filter(voided_at__isnull=False)

    def unsealed(self):
        return self.filter(seq__isnull=True)

    def flagged(self):
        return self.filter(flags__isnull=False).distinct()


class Vote(models.Model):
    """One accepted vote. Rows are appended, sealed into the chain, maybe voided;
    never deleted and never changed in the fields the chain covers."""

    class UA(models.TextChoices):
        WECHAT = "wechat", _("微信")
        MOBILE = "mobile", _("手机浏览器")
        DESKTOP = "desktop", _("电脑浏览器")
        BOT = "bot", _("程序")
        OTHER = "other", _("其他")

    id = models.BigAutoField(primary_key=True)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="votes", db_index=False
    )
    candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, related_name="votes", db_index=False
    )
    voter_hash = models.CharField(max_length=32)
    day = models.DateField()
    cast_at = models.DateTimeField()
    network_hash = models.CharField(max_length=16)
    device_hash = models.CharField(max_length=16, blank=True)
    ua_class = models.CharField(max_length=8, choices=UA.choices, default=UA.OTHER)
    # NULL (not "") when absent: the partial unique constraint skips NULLs.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    # With an idempotency key: the answer its first request got (JSON,
    # without the vote's id), which every replay of the key answers again.
    answer = models.TextField(blank=True, default="", db_default="")
    # The hash chain, filled in by the sealer in id order.
    seq = models.BigIntegerField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    row_hash = models.CharField(max_length=64, blank=True)
    # Voiding marks a vote; it stays in the ledger and leaves the tally.
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = VoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("选票")
        verbose_name_plural = _("选票")
        indexes = [
            # Counting one voter's votes (the rule without Redis, and reloading
            # a voter's counters into Redis).
            models.Index(
                fields=["campaign", "voter_hash", "day"], name="voting_vote_voter"
            ),
            # The sealer's queue: only unsealed rows, so it stays tiny.
            models.Index(
                fields=["campaign", "id"],
                name="voting_vote_unsealed",
                condition=Q(seq__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "voter_hash", "idempotency_key"],
                name="voting_vote_idempotent",
                condition=Q(idempotency_key__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["campaign", "seq"],
                name="voting_vote_chain_seq",
                condition=Q(seq__isnull=False),
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.campaign_id}/{self.candidate_id}"


class VoterLock(models.Model):
    """One row per voter and campaign, locked while a vote is checked against
    the rule when Redis is absent, so two concurrent votes of one voter
    queue up instead of both passing the limit."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, db_index=False)
    voter_hash = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "voter_hash"], name="voting_unique_voter_lock"
            )
        ]

    def __str__(self):
        return f"{self.campaign_id}/{self.voter_hash[:8]}"


class VoteFlag(models.Model):
    """A suspicion raised by the fraud scan, for a reviewer to act on."""

    class Kind(models.TextChoices):
        BURST = "burst", _("同一网络短时集中投票")
        NEW_VOTERS = "new_voters", _("同一网络大量新投票人")
        REGULAR = "regular", _("机器般规律的投票间隔")

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    detail = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("可疑投票标记")
        verbose_name_plural = _("可疑投票标记")
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "kind"], name="voting_unique_vote_flag"
            )
        ]

    def __str__(self):
        return f"#{self.vote_id} {self.get_kind_display()}"


class OneTimeCode(models.Model):
    """A code sent by SMS to verify a mobile number. Only keyed hashes are kept."""

    phone_hash = models.CharField(max_length=32, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.phone_hash[:8]} {self.created_at:%Y-%m-%d %H:%M}"


class VisitDay(models.Model):
    """Page views and unique visitors of a campaign (candidate blank) or a
    candidate page, per day."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE)
    # 0 for the campaign page itself; a plain id keeps the unique key simple.
    candidate_id = models.BigIntegerField(default=0)
    day = models.DateField()
    views = models.PositiveBigIntegerField(default=0)
    visitors = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "candidate_id", "day"],
                name="voting_unique_visit_day",
            )
        ]

    def __str__(self):
        return f"{self.campaign_id}/{self.candidate_id} {self.day}: {self.views}"


class Visitor(models.Model):
    """Who has been counted already today on a page (without Redis)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE)
    candidate_id = models.BigIntegerField(default=0)
    day = models.DateField()
    visitor_hash = models.CharField(max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "candidate_id", "day", "visitor_hash"],
                name="voting_unique_visitor",
            )
        ]

    def __str__(self):
        return f"{self.campaign_id}/{self.candidate_id} {self.day}"
