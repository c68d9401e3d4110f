"""The inbox: a person's notifications, read and unread, and their preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.notify import actions
from dangjian.notify.kinds import OUTBOUND, channel_label, registered_kinds
from dangjian.notify.models import Notification


@login_required
def inbox(request):
    notifications = Notification.objects.for_person(request.user)
    show = request.GET.get("show", "")
    if show == "unread":
        notifications = notifications.unread()
    page = Paginator(notifications, 20).get_page(request.GET.get("page"))
    unread = Notification.objects.for_person(request.user).unread().count()
    return render(
        request,
        "notify/inbox.html",
        {"page": page, "show": show, "unread": unread},
    )


@login_required
@require_POST
def mark_all_read(request):
    n = actions.do_mark_all_read(acting_user=request.user)
    if n:
        messages.success(request, _("已将 %(n)d 条通知标为已读") % {"n": n})
    return redirect("notify:inbox")


@login_required
def open_notification(request, pk: int):
    """Follows the notification's link, marking it read on the way."""
    notification = get_object_or_404(
        Notification.objects.for_person(request.user), pk=pk
    )
    actions.do_mark_read(notification, acting_user=request.user)
    url = notification.url
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(url)
    return redirect("notify:inbox")


@login_required
def preferences(request):
    kinds = registered_kinds()
    if request.method == "POST":
        chosen = set()
        for key in kinds:
            for channel in OUTBOUND:
                if request.POST.get(f"{key}:{channel}"):
                    chosen.add((key, channel))
        actions.do_set_preferences(request.user, chosen)
        messages.success(request, _("通知设置已保存"))
        return redirect("notify:preferences")
    current = actions.preferences_of(request.user)
    rows = [
        {
            "key": key,
            "label": kind.label,
            "emergency": kind.is_emergency,
            "channels": [
                {
                    "name": f"{key}:{channel}",
                    "label": channel_label(channel),
                    "on": current[key][channel],
                }
                for channel in OUTBOUND
            ],
        }
        for key, kind in sorted(kinds.items(), key=lambda kv: kv[1].label)
    ]
    return render(request, "notify/preferences.html", {"rows": rows})
