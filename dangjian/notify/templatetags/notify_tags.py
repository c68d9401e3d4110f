"""``{% notify_badge %}``: the unread count in the header of every page.

Anonymous pages pay nothing; a signed-in person's page pays one count over
a partial index of unread rows.
"""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string

from dangjian.notify.models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def notify_badge(context) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    unread = Notification.objects.for_person(user).unread().count()
    return render_to_string("notify/_badge.html", {"unread": unread})
