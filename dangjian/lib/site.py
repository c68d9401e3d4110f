"""The site's home page and public address, found without importing the portal app."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.http.response import HttpResponseBase
    from wagtail.models import Page, Site

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


# The request's Site ---------------------------------------------------------------

# Wagtail finds the Site of every page request with a query (hostname and
# port against the Site table, its root page joined), then reads the root
# page's specific row with another. Sites change a few times in a city's
# life: each process keeps what it found (the Site's fields and its root
# page's type, never the page itself) for a short while, and forgets it at
# once when a Site is saved or deleted in this process (others within the
# TTL). A page request then reads its root page with one query.
SITE_MEMO_SECONDS = 10.0
_Memo = tuple[float, tuple[Any, ...] | None, Any]
_site_memo: dict[tuple[str, int | str], _Memo] = {}
_SITE_FIELDS = (
    "id",
    "hostname",
    "port",
    "site_name",
    "root_page_id",
    "is_default_site",
)


def find_site(request: HttpRequest) -> Site | None:
    """The request's Wagtail Site, as ``Site.find_for_request`` finds it, its
    root page read (as its specific type) with one query, the Site itself
    with none while the memo is fresh. A new instance each time."""
    from django.http.request import split_domain_port
    from wagtail.models import Site

    host = split_domain_port(request._get_raw_host())[0]  # type: ignore[attr-defined]
    key = (host, request.get_port())
    now = time.monotonic()
    memo = _site_memo.get(key)
    if memo is None or memo[0] < now:
        site = Site._find_for_request(request)
        if site is None:
            memo = (now + SITE_MEMO_SECONDS, None, None)
        else:
            memo = (
                now + SITE_MEMO_SECONDS,
                tuple(getattr(site, f) for f in _SITE_FIELDS),
                site.root_page.specific_class,
            )
        if len(_site_memo) > 256:  # the Host header is the client's to choose
            _site_memo.clear()
        _site_memo[key] = memo
    _, values, root_class = memo
    if values is None:
        return None
    site = Site.from_db(None, _SITE_FIELDS, values)
    root = None
    if root_class is not None:
        root = root_class._default_manager.filter(pk=site.root_page_id).first()
    if root is None:  # changed under the memo (another process): ask again
        _site_memo.pop(key, None)
        return Site._find_for_request(request)
    site.root_page = root
    return site


def forget_sites(**kwargs: object) -> None:
    """Drops the memo (connected to a Site's save and delete)."""
    _site_memo.clear()


class SiteMiddleware:
    """Hands Wagtail's page view the request's Site from :func:`find_site`
    (Wagtail reads ``request._wagtail_site`` before it queries). Other
    views find the Site as before, if they need it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], *args: Any
    ) -> None:
        from wagtail import views

        if view is views.serve and not hasattr(request, "_wagtail_site"):
            try:
                request._wagtail_site = find_site(request)  # type: ignore[attr-defined]
            except DisallowedHost:
                pass  # Django's own answer follows, as without the memo
