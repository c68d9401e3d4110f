"""The public site's shell: the home page and one page per unit."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from dangjian.lib.pagecache import DirectRoute, PublicPage
from dangjian.lib.plugins import HOME_SECTIONS, UNIT_PAGE_SECTIONS, sections
from dangjian.orgs.models import Organisation
from dangjian.portal.capabilities import capability_links
from dangjian.portal.navigation import city_name


class HomePage(DirectRoute, PublicPage, Page):
    """The site's root: a portal with the latest of every capability.

    The sections come from the ``dangjian_home_sections`` hook: each
    capability lists its own public items, the portal imports none of them.
    """

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
        context["sections"] = sections(HOME_SECTIONS)
        context["city_name"] = city_name()
        return context


class UnitIndexPage(PublicPage, Page):
    """Lists the units of the city; each unit's own page sits below it."""

    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.UnitPage"]
    max_count = 1

    class Meta:
        verbose_name = _("单位目录")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        units = list(
            UnitPage.objects.child_of(self).live().select_related("organisation")
        )
        context["units"] = units
        # Grouped by kind (党委部门, 政府部门, 群团组织 …), in the kinds' order.
        order = {value: n for n, value in enumerate(Organisation.Kind.values)}
        groups: dict[str, list[UnitPage]] = {}
        for unit in sorted(units, key=lambda u: order.get(u.organisation.kind, 99)):
            groups.setdefault(unit.organisation.get_kind_display(), []).append(unit)
        context["groups"] = groups
        return context


class UnitPage(PublicPage, Page):
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

    def get_context(self, request, *args, **kwargs):
        """The unit's public items, from the ``dangjian_unit_page_sections``
        hook (disclosure items, knowledge entries, experts, campaigns)."""
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = sections(UNIT_PAGE_SECTIONS, self.organisation)
        return context
