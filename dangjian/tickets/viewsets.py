"""Wagtail admin of tickets (registered in wagtail_hooks): the tickets and
their steps (listed and inspected, scoped to the person's units; operators
see all), and the hotline's dispatch rules, deadlines and trained models."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from dangjian.orgs.permissions import UnitScopedViewSetMixin
from dangjian.tickets.models import (
    Deadline,
    DispatchModel,
    DispatchRule,
    Ticket,
    TicketEvent,
)


class TicketViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = Ticket
    icon = "mail"
    menu_label = _("工单")
    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields: list[str] = []
    list_display = ["number", "message_type", "domain", "unit", "status", "reply_due"]
    list_filter = ["status", "message_type", "channel"]
    search_fields = ["number", "text"]
    inspect_view_fields = [
        "number",
        "channel",
        "caller_name",
        "caller_phone",
        "text",
        "domain",
        "message_type",
        "suggested_domain",
        "suggested_type",
        "suggested_unit",
        "confidence",
        "unit",
        "status",
        "sign_due",
        "reply_due",
        "signed_at",
        "replied_at",
        "reply",
        "send_backs",
        "reopens",
        "escalated_at",
        "satisfaction",
        "closed_at",
    ]


class TicketEventViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = TicketEvent
    icon = "history"
    menu_label = _("办理记录")
    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields: list[str] = []
    list_display = ["ticket", "action", "unit", "actor", "created_at"]
    list_filter = ["action"]


class DispatchRuleViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = DispatchRule
    icon = "arrow-right"
    menu_label = _("派单规则")
    copy_view_enabled = False
    list_display = ["domain", "keywords", "unit", "priority", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["domain", "keywords"]
    form_fields = ["domain", "keywords", "unit", "priority", "is_active"]


class DeadlineViewSet(ModelViewSet):
    model = Deadline
    icon = "time"
    menu_label = _("办理时限")
    copy_view_enabled = False
    list_display = ["message_type", "sign_days", "reply_days"]
    form_fields = ["message_type", "sign_days", "reply_days"]


class DispatchModelViewSet(ModelViewSet):
    model = DispatchModel
    icon = "cogs"
    menu_label = _("派单模型")
    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields: list[str] = []
    list_display = ["version", "method", "training_rows", "corrections", "created_at"]
    inspect_view_fields = [
        "version",
        "method",
        "metrics",
        "training_rows",
        "corrections",
        "created_at",
    ]


class TicketsViewSetGroup(ViewSetGroup):
    menu_label = _("12345 工单")
    menu_icon = "mail"
    menu_order = 560
    items = (
        TicketViewSet("tickets_tickets", url_prefix="tickets/tickets"),
        TicketEventViewSet("tickets_events", url_prefix="tickets/events"),
        DispatchRuleViewSet("tickets_rules", url_prefix="tickets/rules"),
        DeadlineViewSet("tickets_deadlines", url_prefix="tickets/deadlines"),
        DispatchModelViewSet("tickets_models", url_prefix="tickets/models"),
    )
