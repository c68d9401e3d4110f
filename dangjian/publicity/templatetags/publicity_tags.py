"""Share cards (Open Graph / Twitter), feed links and the 分享 block."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils.html import escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from dangjian.publicity.actions import share_url
from dangjian.publicity.sources import absolute, is_public, summary_of

register = template.Library()


def _page(context):
    return context.get("page") or context.get("self")


def is_shareable(context) -> bool:
    """Whether the page in the context may be shared publicly.

    Items with a scope (党内公开, members-only materials) are never turned
    into share cards, whoever is looking at them.
    """
    if context.get("share_private"):
        return False
    page = _page(context)
    if page is not None and hasattr(page, "pk") and is_public(page) is False:
        return False
    return True


@lru_cache(maxsize=1)
def _default_image() -> str:
    return static("publicity/share-card.png")


def _card(context) -> dict:
    request = context.get("request")
    page = _page(context)
    site_name = getattr(settings, "SITE_NAME", "党建云")
    title = context.get("share_title")
    description = context.get("share_description")
    if page is not None and hasattr(page, "pk"):
        title = title or getattr(page, "seo_title", "") or getattr(page, "title", "")
        description = description or summary_of(page)
    path = request.path if request is not None else "/"
    image = context.get("share_image") or _default_image()
    return {
        "title": title or site_name,
        "description": description or f"{site_name}：智慧党建与政务公开平台",
        "url": absolute(path, request),
        "image": absolute(image, request),
        "site_name": site_name,
        "path": path,
    }


@lru_cache(maxsize=8)
def _feed_link(script_prefix: str) -> str:
    # Rendered on every page: the URL only changes with the script prefix.
    return format_html(
        '<link rel="alternate" type="application/atom+xml" title="{}" href="{}">',
        "最新发布",
        reverse("publicity:feed"),
    )


@register.simple_tag(takes_context=True)
def share_meta(context):
    """Open Graph and Twitter card tags, and the site feed link, for <head>."""
    feed = _feed_link(get_script_prefix())
    if not is_shareable(context):
        return feed
    card = {k: escape(v) for k, v in _card(context).items()}
    kind = "article" if hasattr(_page(context), "pk") else "website"
    # One escaped f-string: this runs on every public page view.
    return mark_safe(
        f"""{feed}
  <meta property="og:type" content="{kind}">
  <meta property="og:site_name" content="{card["site_name"]}">
  <meta property="og:title" content="{card["title"]}">
  <meta property="og:description" content="{card["description"]}">
  <meta property="og:url" content="{card["url"]}">
  <meta property="og:image" content="{card["image"]}">
  <meta name="twitter:card" content="summary_large_image">
  <meta name="twitter:title" content="{card["title"]}">
  <meta name="twitter:description" content="{card["description"]}">
  <meta name="twitter:image" content="{card["image"]}">"""
    )


@register.inclusion_tag("publicity/share_block.html", takes_context=True)
def share_block(context):
    if not is_shareable(context):
        return {"show": False}
    card = _card(context)
    qr = reverse("publicity:qr") + "?" + urlencode({"path": card["path"]})
    return {
        "show": True,
        "url": share_url(card["url"], "share"),
        "qr_url": qr,
        "title": card["title"],
    }
