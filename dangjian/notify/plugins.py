"""What notify registers through hooks: its own kind and the my-page panel."""

from __future__ import annotations

from django.template.loader import render_to_string

from dangjian.notify.kinds import INBOX, NotificationKind
from dangjian.notify.models import Notification


def notification_kinds() -> list[NotificationKind]:
    return [
        NotificationKind(
            key="notify.announcement",
            label="平台通知",
            title="%(title)s",
            body="%(body)s",
            channels=(INBOX,),
            link=lambda context: str(context.get("url") or ""),
        )
    ]


def my_page_panel(request) -> dict[str, str] | None:
    if not request.user.is_authenticated:
        return None
    mine = Notification.objects.for_person(request.user)
    html = render_to_string(
        "notify/_my_page.html",
        {"unread": mine.unread().count(), "latest": list(mine[:3])},
        request=request,
    )
    return {"title": "通知", "html": html}
