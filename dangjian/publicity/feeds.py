"""Atom feeds of public releases: whole site, per unit, per column.

Feeds read ``Release`` rows (public items only ever become one) and check
them once more against the owning app, so a withdrawn, expired or 党内 item
never appears.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed

from dangjian.orgs.models import Organisation
from dangjian.publicity.actions import share_url
from dangjian.publicity.models import Release
from dangjian.publicity.sources import filter_still_public

FEED_SIZE = 50


class ReleaseFeed(Feed):
    feed_type = Atom1Feed

    def site_name(self) -> str:
        return getattr(settings, "SITE_NAME", "党建云")

    def releases(self, obj):
        return Release.objects.current().select_related("unit")

    def title(self, obj):
        return f"{self.site_name()} · 最新发布"

    def subtitle(self, obj):
        return "党务公开、学习资料、知识库与投票活动的最新公开内容"

    def link(self, obj):
        return "/"

    def items(self, obj):
        rows = self.releases(obj).order_by("-released_at", "-pk")[: FEED_SIZE * 2]
        return filter_still_public(rows)[:FEED_SIZE]

    def item_title(self, item: Release):
        return item.title

    def item_description(self, item: Release):
        return item.summary

    def item_link(self, item: Release):
        return share_url(item.url, "atom")

    def item_guid(self, item: Release):
        return f"tag:dangjian,{item.released_at:%Y-%m-%d}:{item.public_id}"

    def item_pubdate(self, item: Release):
        return item.released_at

    def item_updateddate(self, item: Release):
        return item.updated_at

    def item_author_name(self, item: Release):
        return item.unit.name if item.unit is not None else self.site_name()

    def item_categories(self, item: Release):
        labels = [item.get_kind_display()]
        if item.column_name:
            labels.append(item.column_name)
        return labels


class SiteFeed(ReleaseFeed):
    pass


class UnitFeed(ReleaseFeed):
    """A unit's releases, including those of its subordinate organisations."""

    def get_object(self, request, unit_id: int):
        unit = Organisation.objects.filter(pk=unit_id, is_active=True).first()
        if unit is None:
            raise Http404
        return unit

    def releases(self, obj):
        return super().releases(obj).filter(unit__path__startswith=obj.path)

    def title(self, obj):
        return f"{obj.name} · 最新发布"

    def link(self, obj):
        return f"/publicity/feeds/unit/{obj.pk}.xml"


class ColumnFeed(ReleaseFeed):
    """One column: a kind (党务公开…) or one category/topic inside it."""

    def get_object(self, request, kind: str, column_id: int | None = None):
        if kind not in Release.Kind.values:
            raise Http404
        return {"kind": kind, "column_id": column_id}

    def releases(self, obj):
        qs = super().releases(obj).filter(kind=obj["kind"])
        if obj["column_id"] is not None:
            qs = qs.filter(column_id=obj["column_id"])
        return qs

    def title(self, obj):
        label = Release.Kind(obj["kind"]).label
        if obj["column_id"] is not None:
            row = (
                Release.objects.filter(kind=obj["kind"], column_id=obj["column_id"])
                .exclude(column_name="")
                .values_list("column_name", flat=True)
                .first()
            )
            if row:
                label = f"{label} · {row}"
        return f"{self.site_name()} · {label}"

    def link(self, obj):
        return "/"
