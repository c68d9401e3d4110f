"""The admin's views of the publicity matrix: channels (unit admins: their
units; platform admins: all) and the delivery log with a "retry now" action
(registered in wagtail_hooks, with the unit policies they rely on)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from dangjian.orgs.permissions import UnitScopedViewSetMixin
from dangjian.publicity.forms import ChannelForm
from dangjian.publicity.models import Channel, Delivery


class ChannelViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = Channel
    icon = "link-external"
    menu_label = _("发布渠道")
    list_display = ["name", "unit_label", "kind", "platform", "is_active"]
    list_filter = ["kind", "platform", "is_active"]
    search_fields = ["name", "url"]
    copy_view_enabled = False
    inspect_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("organisation"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("platform")]),
            FieldPanel("url"),
            FieldPanel("secret"),
            FieldPanel("is_active"),
        ],
        base_form_class=ChannelForm,
    )


class RetryColumn(Column):
    cell_template_name = "publicity/admin/retry_cell.html"

    def get_cell_context_data(
        self, instance: Delivery, parent_context: dict[str, Any]
    ) -> dict[str, Any]:
        context: dict[str, Any] = super().get_cell_context_data(
            instance, parent_context
        )
        context["can_retry"] = instance.status in (
            Delivery.Status.RETRYING,
            Delivery.Status.FAILED,
        )
        context["retry_url"] = reverse("publicity_retry_delivery", args=[instance.pk])
        return context


class DeliveryInspectView(ModelViewSet.inspect_view_class):
    # The log has no edit or delete views.
    def get_edit_url(self) -> None:
        return None

    def get_delete_url(self) -> None:
        return None


class DeliveryIndexView(ModelViewSet.index_view_class):
    # The log is read-only: rows open the inspect view, and nothing is added.
    def get_add_url(self) -> None:
        return None

    def get_edit_url(self, instance: Delivery) -> None:
        return None

    def get_delete_url(self, instance: Delivery) -> None:
        return None

    def get_copy_url(self, instance: Delivery) -> None:
        return None

    def get_base_queryset(self) -> Any:
        return super().get_base_queryset().select_related("channel", "release")


class DeliveryViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = Delivery
    icon = "warning"
    menu_label = _("推送记录")
    list_display = [
        "release",
        "channel",
        "event",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "created_at",
        RetryColumn("retry", label=_("操作")),
    ]
    list_filter = ["status", "event"]
    search_fields = ["release__title", "channel__name"]
    add_view_enabled = False
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "release",
        "channel",
        "event",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "delivered_at",
    ]
    index_view_class = DeliveryIndexView
    inspect_view_class = DeliveryInspectView
    form_fields = ["status"]

    def get_urlpatterns(self) -> list[URLPattern | URLResolver]:
        # The log is read-only: no edit or delete views, only inspect and retry.
        return [
            p
            for p in super().get_urlpatterns()
            if getattr(p, "name", "") in ("index", "index_results", "inspect")
        ]

    @property
    def url_finder_class(self) -> type[ModelAdminURLFinder]:
        # The admin links a delivery (the release's usage view, the log) to
        # its edit view, which this read-only log has not: it links to inspect.
        return type(
            "DeliveryURLFinder",
            (ModelAdminURLFinder,),
            {"edit_url_name": self.get_url_name("inspect")},
        )


class PublicityViewSetGroup(ViewSetGroup):
    menu_label = _("宣传矩阵")
    menu_icon = "link-external"
    menu_order = 700
    items = (
        ChannelViewSet("publicity_channels"),
        DeliveryViewSet("publicity_deliveries"),
    )
