"""Voting's notifications (through notify): a campaign opening, told to the
members of its eligible organisations (else of its own organisation), with
their sub-organisations."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from dangjian.notify.kinds import INBOX, WECHAT, NotificationKind
from dangjian.notify.service import Audience, notify
from dangjian.voting.models import Campaign

CAMPAIGN_OPEN = "voting.campaign_open"
ANNOUNCE_WITHIN = dt.timedelta(days=1)


def notification_kinds() -> list[NotificationKind]:
    return [
        NotificationKind(
            key=CAMPAIGN_OPEN,
            label="投票开始",
            title="投票《%(title)s》开始了",
            body="投票截止 %(ends)s。",
            channels=(INBOX, WECHAT),
            link=lambda context: reverse(
                "voting:campaign", args=[context.get("id", 0)]
            ),
        )
    ]


def remind(now: dt.datetime) -> int:
    sent = 0
    campaigns = Campaign.objects.filter(
        live=True,
        starts_at__lte=now,
        starts_at__gte=now - ANNOUNCE_WITHIN,
        ends_at__gt=now,
    ).prefetch_related("eligible_organisations")
    for campaign in campaigns:
        eligible = [o.pk for o in campaign.eligible_organisations.all()]
        context = {
            "id": campaign.pk,
            "title": campaign.title,
            "ends": timezone.localtime(campaign.ends_at).strftime("%Y-%m-%d %H:%M"),
        }
        audience = Audience.of(eligible or [campaign.organisation_id], True)
        key = f"{CAMPAIGN_OPEN}:{campaign.pk}:{campaign.starts_at.isoformat()}"
        sent += notify(CAMPAIGN_OPEN, audience, context, key) is not None
    return sent
