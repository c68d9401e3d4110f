"""Kinds the tests register, and a shortcut that runs the background work."""

from __future__ import annotations

from django.test import override_settings
from wagtail import hooks

from dangjian.notify.kinds import EMAIL, INBOX, KINDS_HOOK, SMS, NotificationKind

NOTICE = NotificationKind(
    key="test.notice",
    label="测试通知",
    title="《%(title)s》开始了",
    body="请于 %(deadline)s 前完成",
    channels=(INBOX, SMS),
    link=lambda context: f"/quiz/contests/{context.get('id', 0)}/",
)
QUIET = NotificationKind(
    key="test.quiet", label="仅站内信", title="%(title)s", channels=(INBOX,)
)
EMERGENCY = NotificationKind(
    key="test.emergency",
    label="紧急发布",
    title="紧急：%(title)s",
    channels=(INBOX, SMS, EMAIL),
    is_emergency=True,
)


def test_kinds():
    return [NOTICE, QUIET, EMERGENCY]


class KindsMixin:
    """Registers the test kinds for each test."""

    def setUp(self):
        super().setUp()  # type: ignore[misc]
        self.enterContext(hooks.register_temporarily(KINDS_HOOK, test_kinds))  # type: ignore[attr-defined]
        # Tests run at any hour: quiet hours only where a test turns them on.
        self.enterContext(override_settings(DANGJIAN_NOTIFY_QUIET_HOURS=None))  # type: ignore[attr-defined]

    def send(self, kind, to, context=None, key="event-1", **kwargs):
        """notify() as an action would call it, with its background work run."""
        from dangjian.notify.service import notify

        with self.captureOnCommitCallbacks(execute=True):  # type: ignore[attr-defined]
            return notify(kind, to, context or {"title": "知识竞赛"}, key, **kwargs)
