"""Notification kinds: what a capability may send, registered through a hook.

A capability lists its kinds in its own ``wagtail_hooks.py``::

    hooks.register("dangjian_notification_kinds", plugins.notification_kinds)

where the function returns a list of ``NotificationKind``. The service looks
kinds up by key when it fans out; an unregistered key is an error, so a
typo fails in tests rather than sending nothing.

The templates are ``%``-format strings over the context given to
``notify()``: ``"学习计划《%(plan)s》将于 %(deadline)s 截止"``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

KINDS_HOOK = "dangjian_notification_kinds"
REMINDERS_HOOK = "dangjian_notification_reminders"

INBOX = "inbox"
SMS = "sms"
EMAIL = "email"
WECHAT = "wechat"
CHANNELS = (INBOX, SMS, EMAIL, WECHAT)
# Channels that leave the platform: they have a delivery log and retries.
OUTBOUND = (SMS, EMAIL, WECHAT)


def channel_label(channel: str) -> str:
    return {
        INBOX: _("站内信"),
        SMS: _("短信"),
        EMAIL: _("电子邮件"),
        WECHAT: _("微信模板消息"),
    }.get(channel, channel)


Context = Mapping[str, Any]


@dataclass(frozen=True)
class NotificationKind:
    """One kind of notification.

    ``channels``: the channels a person gets unless they chose otherwise
    (the inbox is always kept). ``title``/``body``: ``%``-format templates
    over the context. ``link(context)``: the path of the object, or "".
    ``is_emergency``: sent at once, in quiet hours too, and never folded
    into a digest. ``wechat_template``: the official account's template id
    (or the name of a setting holding it), for the WeChat channel.
    """

    key: str
    label: str
    title: str
    body: str = ""
    channels: tuple[str, ...] = (INBOX,)
    link: Callable[[Context], str] | None = None
    is_emergency: bool = False
    wechat_template: str = ""

    def render(self, context: Context) -> tuple[str, str, str]:
        """(title, body, link) for this context."""
        values = _Lenient(context)
        title = (self.title % values)[:200]
        body = self.body % values if self.body else ""
        url = self.link(context) if self.link is not None else ""
        return title, body, url or ""


class _Lenient(dict):
    """A context that renders a missing name as empty, not a KeyError."""

    def __init__(self, context: Context) -> None:
        super().__init__(context)

    def __missing__(self, key: str) -> str:
        return ""


def registered_kinds() -> dict[str, NotificationKind]:
    from dangjian.lib.plugins import registered

    return {kind.key: kind for kind in registered(KINDS_HOOK)}


def get_kind(key: str) -> NotificationKind:
    kind = registered_kinds().get(key)
    if kind is None:
        raise LookupError(f"notification kind {key!r} is not registered")
    return kind
