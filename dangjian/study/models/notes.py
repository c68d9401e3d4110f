"""心得体会: what people write about their study."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.study.models.materials import MaterialPage


class Note(models.Model):
    """心得体会: what a person wrote about their study."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="study_notes",
        verbose_name=_("作者"),
    )
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"), max_length=10000)
    material = models.ForeignKey(
        MaterialPage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("学习资料"),
    )
    created_at = models.DateTimeField(_("写于"), default=timezone.now)

    class Meta:
        verbose_name = _("心得体会")
        verbose_name_plural = _("心得体会")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title
