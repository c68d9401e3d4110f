"""Admin: channels (unit admins: their units; platform admins: all) and the
delivery log with a "retry now" action."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from dangjian.orgs.models import Role
from dangjian.orgs.permissions import UnitScopedViewSetMixin, register_unit_policy
from dangjian.publicity import actions
from dangjian.publicity.forms import ChannelForm
from dangjian.publicity.models import Channel, Delivery

channel_policy = register_unit_policy(
    Channel, unit_field="organisation", roles=[Role.UNIT_ADMIN]
)
delivery_policy = register_unit_policy(
    Delivery, unit_field="organisation", roles=[Role.UNIT_ADMIN]
)


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

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["can_retry"] = instance.status in (
            Delivery.Status.RETRYING,
            Delivery.Status.FAILED,
        )
        context["retry_url"] = reverse("publicity_retry_delivery", args=[instance.pk])
        return context


class DeliveryInspectView(ModelViewSet.inspect_view_class):
    # The log has no edit or delete views.
    def get_edit_url(self):
        return None

    def get_delete_url(self):
        return None


class DeliveryIndexView(ModelViewSet.index_view_class):
    # The log is read-only: rows open the inspect view, and nothing is added.
    def get_add_url(self):
        return None

    def get_edit_url(self, instance):
        return None

    def get_delete_url(self, instance):
        return None

    def get_copy_url(self, instance):
        return None

    def get_base_queryset(self):
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

    def get_urlpatterns(self):
        # The log is read-only: no edit or delete views, only inspect and retry.
        return [
            p
            for p in super().get_urlpatterns()
            if getattr(p, "name", "") in ("index", "index_results", "inspect")
        ]


def retry_delivery_view(request, pk: int):
    delivery = get_object_or_404(Delivery.objects.select_related("channel"), pk=pk)
    if not delivery_policy.user_has_permission_for_instance(
        request.user, "change", delivery
    ):
        raise PermissionDenied
    if request.method == "POST":
        try:
            actions.do_retry_delivery(delivery, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, "已重新发送，请稍后查看结果。")
        return redirect("publicity_deliveries:index")
    return TemplateResponse(
        request, "publicity/admin/retry_confirm.html", {"delivery": delivery}
    )


class PublicityViewSetGroup(ViewSetGroup):
    menu_label = _("宣传矩阵")
    menu_icon = "link-external"
    menu_order = 700
    items = (
        ChannelViewSet("publicity_channels"),
        DeliveryViewSet("publicity_deliveries"),
    )


@hooks.register("register_admin_viewset")
def register_viewsets():
    return PublicityViewSetGroup()


@hooks.register("register_admin_urls")
def register_retry_url():
    return [
        path(
            "publicity/deliveries/<int:pk>/retry/",
            retry_delivery_view,
            name="publicity_retry_delivery",
        )
    ]


@hooks.register("register_log_actions")
def register_publicity_log_actions(log_actions):
    log_actions.register_action(
        "dangjian.publicity.retry", _("重试推送"), _("重试推送")
    )
