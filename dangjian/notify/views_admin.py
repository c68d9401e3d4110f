"""Failed deliveries, for unit admins (their people) and platform admins (all)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from wagtail.admin.menu import MenuItem

from dangjian.notify.actions import do_retry_deliveries
from dangjian.notify.kinds import channel_label
from dangjian.notify.models import Delivery
from dangjian.orgs.models import Role
from dangjian.orgs.scope import managed_organisations, people_in


def deliveries_for(user):
    """Deliveries to the people of the units the person administers."""
    if user.is_superuser:
        return Delivery.objects.all()
    managed = list(
        managed_organisations(user, [Role.UNIT_ADMIN]).values_list("pk", flat=True)
    )
    if not managed:
        raise PermissionDenied
    return Delivery.objects.filter(recipient_id__in=people_in(managed, False))


def may_see_failures(user) -> bool:
    try:
        deliveries_for(user)
    except PermissionDenied:
        return False
    return user.is_authenticated


def failed_deliveries(request):
    deliveries = deliveries_for(request.user)
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("retry") if v.isdigit()]
        n = do_retry_deliveries(
            deliveries.filter(pk__in=ids[:500]), acting_user=request.user
        )
        messages.success(request, _("已重新发送 %(n)d 条") % {"n": n})
        return redirect("notify_failed_deliveries")
    rows = list(
        deliveries.failed()
        .select_related("notification", "recipient")
        .order_by("-due_at", "-pk")[:200]
    )
    for row in rows:
        row.channel_label = channel_label(row.channel)  # type: ignore[attr-defined]
    return render(request, "notify/admin/failed.html", {"rows": rows})


class FailedDeliveriesMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_failures(request.user)
