"""Demo channels: the city-wide Atom feed and a (disabled) webhook to a
harmless address; releases of the demo content that is already public."""

from __future__ import annotations

from dangjian.lib.demo import DemoContext
from dangjian.publicity.actions import do_backfill_releases
from dangjian.publicity.models import Channel

ATOM_NAME = "全市最新发布（Atom）"
WEBHOOK_NAME = "示例 Webhook（已停用）"


def load(ctx: DemoContext) -> str:
    Channel.objects.get_or_create(
        name=ATOM_NAME,
        organisation=None,
        defaults={"kind": Channel.Kind.ATOM, "is_active": True},
    )
    Channel.objects.get_or_create(
        name=WEBHOOK_NAME,
        organisation=None,
        defaults={
            "kind": Channel.Kind.WEBHOOK,
            "platform": "generic",
            # example.invalid never resolves (RFC 2606); the channel is off anyway.
            "url": "https://example.invalid/dangjian-webhook",
            "is_active": False,
        },
    )
    backfilled = do_backfill_releases()
    return f"2 个示例渠道，补建 {backfilled} 条发布记录"
