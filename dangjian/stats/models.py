"""Daily view counts per object and channel, flushed in batches from Redis or
an in-process buffer (see counting.py)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WECHAT = "wechat", _("微信")
    WEIBO = "weibo", _("微博")
    SEARCH = "search", _("搜索引擎")
    INTERNAL = "internal", _("站内")
    DIRECT = "direct", _("直接访问")
    OTHER = "other", _("其他")


class DailyViewsQuerySet(models.QuerySet):
    def between(self, start, end):
        """Rows of days from start to end, both included."""
        return self.filter(day__gte=start, day__lte=end)

    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(
                obj, for_concrete_model=False
            ),
            object_id=obj.pk,
        )


class DailyViews(models.Model):
    """Views and unique visitors of one object, from one channel, on one day.

    ``visitors`` counts distinct visitors of the object through this channel
    that day; a visitor who came by two channels counts in both rows.
    """

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField()
    day = models.DateField(_("日期"))
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    views = models.PositiveBigIntegerField(_("浏览量"), default=0)
    visitors = models.PositiveBigIntegerField(_("访客数"), default=0)

    objects = DailyViewsQuerySet.as_manager()

    class Meta:
        verbose_name = _("每日浏览")
        verbose_name_plural = _("每日浏览")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "day", "channel"],
                name="stats_daily_views_once",
            )
        ]
        indexes = [models.Index(fields=["day"], name="stats_daily_views_day")]

    def __str__(self):
        return f"{self.content_type_id}:{self.object_id} {self.day} {self.channel}"


class DailyVisitor(models.Model):
    """One visitor hash seen for one DailyViews row: the table makes unique
    visitors exact across worker processes and flushes. Rows older than a few days are pruned at flush."""

    content_type_id = models.PositiveIntegerField()
    object_id = models.PositiveBigIntegerField()
    day = models.DateField()
    channel = models.CharField(max_length=10)
    visitor = models.CharField(max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type_id", "object_id", "day", "channel", "visitor"],
                name="stats_daily_visitor_once",
            )
        ]
        indexes = [models.Index(fields=["day"], name="stats_daily_visitor_day")]

    def __str__(self):
        return self.visitor
