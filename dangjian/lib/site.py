"""The site's home page and public address, found without importing the portal app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache

if TYPE_CHECKING:
    from django.http import HttpRequest
    from wagtail.models import Page

_LOOPBACK = frozenset({"localhost", "127.0.0.1", "[::1]", "::1", ""})
_SITE_URL_KEY = "dangjian:default-site-url"


def home_page() -> Page | None:
    """The root page of Wagtail's default Site (the portal's home page), or
    None when there is no default site or its root is still Wagtail's bare
    placeholder page (no home page has been made yet)."""
    from wagtail.models import Page, Site

    site = Site.objects.filter(is_default_site=True).select_related("root_page")
    site = site.first()
    if site is None:
        return None
    root = site.root_page.specific
    if type(root) is Page:
        return None
    return root


def site_url(request: HttpRequest | None = None) -> str:
    """The site's public address (scheme and host, no trailing slash).

    ``SITE_URL`` when the operator set it; otherwise the address the request
    came to (its host passed ``ALLOWED_HOSTS``); without a request, the
    default Wagtail Site's address unless that is a loopback placeholder;
    last, the development default.
    """
    if getattr(settings, "SITE_URL_CONFIGURED", False):
        return str(settings.SITE_URL).rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    # Feeds, digests and webhooks describe objects one by one: the Site is
    # read once and kept in the shared cache until a Site changes.
    return str(cache.get_or_set(_SITE_URL_KEY, _default_site_url, None))


def forget_site_url(**kwargs: object) -> None:
    """Drops the cached address (connected to a Site's save and delete)."""
    cache.delete(_SITE_URL_KEY)


def _default_site_url() -> str:
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).first()
    if site is not None and site.hostname not in _LOOPBACK:
        return str(site.root_url).rstrip("/")
    return str(settings.SITE_URL).rstrip("/")
