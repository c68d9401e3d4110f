"""What the publicity matrix registers with Wagtail: the unit policies of
channels and deliveries, their admin views (viewsets.py), the retry page and
its log action."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from dangjian.orgs.models import Role
from dangjian.orgs.permissions import register_unit_policy
from dangjian.publicity.admin_views import retry_delivery_view
from dangjian.publicity.models import Channel, Delivery
from dangjian.publicity.viewsets import PublicityViewSetGroup

register_unit_policy(Channel, unit_field="organisation", roles=[Role.UNIT_ADMIN])
register_unit_policy(Delivery, unit_field="organisation", roles=[Role.UNIT_ADMIN])


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
