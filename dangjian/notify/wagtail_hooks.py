from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from dangjian.notify import plugins, views_admin
from dangjian.notify.kinds import KINDS_HOOK

hooks.register(KINDS_HOOK, plugins.notification_kinds)
hooks.register("dangjian_my_page_panels", plugins.my_page_panel)


@hooks.register("register_admin_urls")
def register_notify_admin_urls():
    return [
        path(
            "notifications/failed/",
            views_admin.failed_deliveries,
            name="notify_failed_deliveries",
        )
    ]


@hooks.register("register_admin_menu_item")
def register_failed_deliveries_menu_item():
    return views_admin.FailedDeliveriesMenuItem(
        _("发送失败的通知"),
        reverse("notify_failed_deliveries"),
        icon_name="warning",
        order=9000,
    )
