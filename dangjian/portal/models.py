"""The public site's shell: the home page and one page per unit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from dangjian.portal.capabilities import capability_links

if TYPE_CHECKING:
    from dangjian.orgs.models import Organisation


class HomePage(Page):
    """The site's root: a mobile-first entry to every capability."""

    intro: models.CharField[str, str] = models.CharField(
        _("导语"), max_length=200, blank=True
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("首页")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["capabilities"] = capability_links()
        return context


class UnitIndexPage(Page):
    """Lists the units of the city; each unit's own page sits below it."""

    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.UnitPage"]
    max_count = 1

    class Meta:
        verbose_name = _("单位目录")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["units"] = (
            UnitPage.objects.child_of(self).live().select_related("organisation")
        )
        return context


class UnitPage(Page):
    """A unit's own public page. The unit's role groups hold permissions on it."""

    organisation: models.OneToOneField[Organisation, Organisation] = (
        models.OneToOneField(
            "orgs.Organisation",
            on_delete=models.PROTECT,
            related_name="unit_page",
            verbose_name=_("单位"),
        )
    )
    summary = RichTextField(_("简介"), blank=True)
    address: models.CharField[str, str] = models.CharField(
        _("地址"), max_length=200, blank=True
    )
    phone: models.CharField[str, str] = models.CharField(
        _("电话"), max_length=50, blank=True
    )

    content_panels = Page.content_panels + [
        FieldPanel("organisation"),
        FieldPanel("summary"),
        FieldPanel("address"),
        FieldPanel("phone"),
    ]
    parent_page_types = ["portal.UnitIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("单位主页")
