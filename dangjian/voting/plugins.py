"""What voting hands to publicity, stats and the portal's "my page" (through
the hooks registered in wagtail_hooks.py; shapes in dangjian/lib/plugins.py)."""

from __future__ import annotations

from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import localdate
from django.utils.translation import gettext as _

from dangjian.lib import plugins
from dangjian.orgs.scope import scope_for
from dangjian.voting.actions import voter_remaining
from dangjian.voting.identity import member_hash, voter_from_request
from dangjian.voting.models import Campaign, Vote


def is_public(campaign) -> bool:
    """Announced to the public: live and open to the public (campaigns only
    for members are never announced). ``public_campaigns`` is its queryset."""
    return bool(campaign.live) and campaign.open_to_public


def public_campaigns():
    return Campaign.objects.filter(live=True, open_to_public=True)


def describe(obj) -> plugins.Publication:
    return plugins.Publication(
        kind="campaign",
        object_id=obj.pk,
        is_public=is_public(obj),
        title=obj.title,
        summary=plugins.excerpt(obj.description),
        url=plugins.absolute(obj.get_absolute_url()),
        unit_id=obj.organisation_id,
    )


def publicity_sources() -> list[plugins.PublicitySource]:
    return [
        plugins.PublicitySource(
            kind="campaign",
            label="投票活动",
            model=Campaign,
            describe=describe,
            public=public_campaigns,
            is_public=is_public,
        )
    ]


def _votes(window: plugins.Window) -> dict[str, dict[int, int]]:
    """Votes cast by members while logged in (their voter hash is derived
    from the person id; votes by mobile number cannot be linked to a member)."""
    by_hash = {member_hash(pk): pk for pk in window.people}
    result: dict[int, int] = {}
    hashes = list(by_hash)
    for i in range(0, len(hashes), 500):
        rows = (
            Vote.objects.counted()
            .filter(
                cast_at__gte=window.start,
                cast_at__lt=window.end,
                voter_hash__in=hashes[i : i + 500],
            )
            .values_list("voter_hash")
            .annotate(n=Count("id"))
        )
        for voter, n in rows:
            result[by_hash[voter]] = n
    return {"votes": result}


def participation_figures() -> list[plugins.ParticipationFigures]:
    return [
        plugins.ParticipationFigures(
            metrics=(plugins.Metric("votes", "党员投票", 60),),
            per="person",
            count=_votes,
        )
    ]


def my_page_panel(request) -> dict | None:
    """Open campaigns the person may vote in, with what they have left today."""
    scope = scope_for(request.user)
    voter = voter_from_request(request)
    rows = []
    for campaign in Campaign.objects.open_at().prefetch_related(
        "eligible_organisations"
    ):
        eligible = campaign.open_to_public or scope.reaches(
            [o.pk for o in campaign.eligible_organisations.all()], True
        )
        if eligible:
            rows.append((campaign, voter_remaining(campaign, voter)))
    if not rows:
        return None
    html = render_to_string("voting/my_panel.html", {"rows": rows}, request=request)
    return {"title": _("投票"), "html": html}


# Portal sections (the home page and unit pages): public campaigns only.

PORTAL_ROWS = 6


def _campaign_rows(campaigns) -> tuple[plugins.SectionItem, ...]:
    return tuple(
        plugins.SectionItem(
            c.title,
            c.get_absolute_url(),
            _("%(status)s · 截止 %(day)s")
            % {"status": c.status_label(), "day": f"{localdate(c.ends_at):%m-%d}"},
        )
        for c in campaigns.order_by("ends_at", "pk")[:PORTAL_ROWS]
    )


def home_sections() -> list[plugins.PortalSection]:
    return [
        plugins.PortalSection(
            "voting",
            _("正在进行的投票"),
            _campaign_rows(public_campaigns().open_at()),
            reverse("voting:index"),
            order=30,
        )
    ]


def unit_sections(organisation) -> list[plugins.PortalSection]:
    campaigns = public_campaigns().filter(
        organisation=organisation, ends_at__gt=timezone.now()
    )
    return [
        plugins.PortalSection(
            "voting",
            _("投票活动"),
            _campaign_rows(campaigns),
            reverse("voting:index"),
            order=40,
        )
    ]
