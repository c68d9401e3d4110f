"""Reading records: one row per opening (``Reading``, kept alive by
heartbeats) and one per person and material (``Progress``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Reading(models.Model):
    """One opening of a material by a person, kept alive by heartbeats."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    material = models.ForeignKey(
        "study.MaterialPage", on_delete=models.CASCADE, related_name="readings"
    )
    opened_at = models.DateTimeField(_("打开时间"), default=timezone.now)
    last_beat_at = models.DateTimeField(_("最近心跳"), default=timezone.now)
    seconds = models.FloatField(_("计入时长（秒）"), default=0)
    # The furthest video position credited so far (seconds), after the
    # plausibility check against wall time.
    position = models.FloatField(_("视频进度（秒）"), default=0)
    beats = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("打开记录")
        verbose_name_plural = _("打开记录")
        indexes = [models.Index(fields=["person", "material"], name="study_reading_pm")]

    def __str__(self):
        return (
            f"{self.person_id} · {self.material_id} · {self.opened_at:%Y-%m-%d %H:%M}"
        )


class ProgressQuerySet(models.QuerySet):
    def completed(self):
        return self.filter(completed_at__isnull=False)

    def for_person(self, person):
        return self.filter(person=person)

    def between(self, start: dt.datetime, end: dt.datetime):
        return self.filter(last_seen_at__gte=start, first_opened_at__lt=end)

    def locked(self, person, material, now) -> tuple[Progress, bool]:
        """The person's progress on the material, created if missing and locked
        for update; call inside a transaction. Returns it and whether it was
        created."""
        try:
            with transaction.atomic():
                progress, created = self.get_or_create(
                    person=person,
                    material=material,
                    defaults={"first_opened_at": now, "last_seen_at": now},
                )
        except IntegrityError:
            created = False
        progress = self.select_for_update().get(person=person, material=material)
        return progress, created


class Progress(models.Model):
    """A person's study of one material, summed over all openings."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="study_progress",
        verbose_name=_("人员"),
    )
    material = models.ForeignKey(
        "study.MaterialPage",
        on_delete=models.CASCADE,
        related_name="progress",
        verbose_name=_("学习资料"),
    )
    first_opened_at = models.DateTimeField(_("首次打开"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("最近学习"), default=timezone.now)
    opens = models.PositiveIntegerField(_("打开次数"), default=0)
    seconds = models.FloatField(_("学习时长（秒）"), default=0)
    position = models.FloatField(_("视频进度（秒）"), default=0)
    completed_at = models.DateTimeField(_("学完时间"), null=True, blank=True)

    objects = ProgressQuerySet.as_manager()

    class Meta:
        verbose_name = _("学习进度")
        verbose_name_plural = _("学习进度")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "material"], name="study_progress_once"
            )
        ]

    def __str__(self):
        return f"{self.person} · {self.material}"


@transaction.atomic
def record_opening(material, person) -> Reading:
    """Records that the person opened the material (from the page being served)."""
    now = timezone.now()
    reading = Reading.objects.create(
        person=person, material=material, opened_at=now, last_beat_at=now
    )
    progress, _created = Progress.objects.locked(person, material, now)
    progress.opens += 1
    progress.last_seen_at = now
    progress.save(update_fields=["opens", "last_seen_at"])
    return reading
