"""Anonymous public pages served from the shared cache (issue 21).

Nothing is cached by default. A view opts in (`public_page`, `mark_public`,
or `PublicPage` for a Wagtail page type); the middleware
(`PageCacheMiddleware`) then stores its answer only when every rule below
holds, and serves it to later anonymous visitors without running the view:

* the request is an anonymous GET (HEAD is answered from the stored GET):
  no ``Authorization`` header and no cookie other than the impersonal ones
  (the CSRF cookie, ``PAGE_CACHE_IGNORED_COOKIES``, ``PAGE_CACHE_KEY_COOKIES``)
  — a session, a voter's or a message cookie means the page is not looked up
  and not stored;
* the answer is a 200 without ``Set-Cookie`` (a page that rendered a CSRF
  token sets the cookie, so a page with a POST form is never stored), not
  ``private``/``no-store``/``no-cache``, for nobody signed in, with no
  non-empty session read, and with ``Vary`` on nothing outside the key;
* for a Wagtail page: live, without view restrictions (its own or an
  ancestor's), not a preview, and public by its own rule (``is_public``)
  where it has one — the view decides, the middleware checks again.

The key is scheme, host, path, the sorted query string and the cookies of
``PAGE_CACHE_KEY_COOKIES`` (settings that change the page, such as a display
mode): nothing personal. A stored page is sent with ``Cache-Control: public,
max-age=<PAGE_CACHE_BROWSER_SECONDS>, s-maxage=<its time to live>`` without
``Vary: Cookie``, so nginx or a CDN may keep it too; a marked page served to
someone with a personal cookie is sent ``private, no-store``.

Purge: every stored page carries the generation it was made in; `purge`
moves the generation on (after the transaction commits), and a page of an
older generation is never served again. The generation lives in the shared
cache (Redis) when there is one, else in a stamp file that every process of
the node reads. Publishing, unpublishing or deleting any page or snippet with
draft state, saving any publicity source, and the models of
``PAGE_CACHE_CONTENT_MODELS`` purge (`connect`); an action that changes a
row with ``update()`` (a withdrawal) calls `purge_on_commit` itself. A purge
also asks the frontend cache (``WAGTAILFRONTENDCACHE``, from
``FRONTEND_CACHE_PURGE_URL``) to drop the changed object's address and the
listing pages (``PAGE_CACHE_PURGE_PATHS``).

Work a page does on every view (counting a view, a campaign's visitor) is
replayed on every hit: `repeat_on_hit` (the view did it already) and
`each_serve` (done now and on every hit; a cookie it sets is issued to each
visitor, never stored).
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

GENERATION_KEY = "dj:pc:gen"
KEY_PREFIX = "dj:pc:p:"
#: Live figures (tallies, leaderboards) are at most this old in a stored page.
LIVE_SECONDS = 5
#: A page larger than this is not stored (it would crowd out the others).
MAX_BYTES = 2_000_000
HIT_HEADER = "X-Page-Cache"

_MARK = "_dangjian_page_cache"
_HITS = "_dangjian_page_cache_hits"
_SAFE_VARY = frozenset({"cookie", "authorization", "accept-encoding"})
_REFUSING = frozenset({"private", "no-store", "no-cache"})

ViewT = TypeVar("ViewT", bound=Callable[..., HttpResponseBase])
ResponseT = TypeVar("ResponseT", bound=HttpResponseBase)


# --- Settings (read when used, never at import) -------------------------------


def enabled() -> bool:
    return bool(getattr(settings, "PAGE_CACHE", True))


def default_seconds() -> int:
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 60))


def browser_seconds() -> int:
    return int(getattr(settings, "PAGE_CACHE_BROWSER_SECONDS", 10))


def _deployed() -> tuple[Any, ...]:
    """What a deployment configures that shows on every page (the city's and
    site's names, the language): a page stored before a change of these is
    never served after it, even from a cache that outlived the restart."""
    names = getattr(
        settings,
        "PAGE_CACHE_KEY_SETTINGS",
        ("DANGJIAN_CITY_NAME", "WAGTAIL_SITE_NAME", "SITE_URL", "LANGUAGE_CODE"),
    )
    return tuple(getattr(settings, name, None) for name in names)


def _key_cookies() -> tuple[str, ...]:
    return tuple(getattr(settings, "PAGE_CACHE_KEY_COOKIES", ()))


def _impersonal_cookies() -> frozenset[str]:
    return frozenset(
        (
            settings.CSRF_COOKIE_NAME,
            *getattr(settings, "PAGE_CACHE_IGNORED_COOKIES", ()),
            *_key_cookies(),
        )
    )


# --- Opting in ---------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """A view's consent to share its answer: for how long, and the Wagtail
    page it served (checked again before storing)."""

    seconds: int | None = None
    page: Any = None


def mark_public(
    response: ResponseT, *, seconds: int | None = None, page: Any = None
) -> ResponseT:
    """Marks the answer as the same for every anonymous visitor, to be kept
    for `seconds` (``PAGE_CACHE_SECONDS`` by default; `LIVE_SECONDS` for live
    figures). The middleware still refuses it if any rule fails."""
    setattr(response, _MARK, Mark(seconds, page))
    return response


def public_page(
    view: ViewT | None = None,
    *,
    seconds: int | None = None,
    when: Callable[[HttpRequest], bool] | None = None,
) -> Any:
    """Decorator: the view's answers are public pages (`mark_public`);
    `when(request)` may limit it (e.g. not for a search that is logged)."""

    def decorate(fn: ViewT) -> ViewT:
        @wraps(fn)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            response = fn(request, *args, **kwargs)
            if when is None or when(request):
                mark_public(response, seconds=seconds)
            return response

        return wrapper  # type: ignore[return-value]

    return decorate(view) if view is not None else decorate


class OneQueryRestrictions:
    """Mixin for a Wagtail page type: its view restrictions (its own, its
    ancestors', and those of the pages its ancestors are aliases of) read in
    one query, once per page object, instead of two per check; Wagtail's
    ``check_view_restrictions`` and the page cache's own check share it."""

    def get_view_restrictions(self) -> Any:
        memo = self.__dict__.get("_dj_view_restrictions")
        if memo is not None:
            return memo
        from django.db.models import Q
        from wagtail.models import Page, PageViewRestriction

        page: Any = self
        step = Page.steplen
        paths = [page.path[:i] for i in range(step, len(page.path) + 1, step)]
        memo = PageViewRestriction.objects.filter(
            Q(page__path__in=paths) | Q(page__aliases__path__in=paths)
        ).distinct()
        self.__dict__["_dj_view_restrictions"] = memo
        return memo


class DirectRoute:
    """Mixin for a site's root page: a URL several levels deep is found by
    its ``url_path`` in two queries (the page, then its specific row with
    the type's ``route_select_related``), not two per level. A path no page
    has (a page's own sub-routes) is walked as Wagtail walks it."""

    def route(self, request: HttpRequest, path_components: list[str]) -> Any:
        if len(path_components) > 1:
            from django.contrib.contenttypes.models import ContentType
            from wagtail.models import Page

            root: Any = self
            url_path = root.url_path + "/".join(path_components) + "/"
            found = (
                Page.objects.filter(url_path=url_path, path__startswith=root.path)
                .values_list("pk", "content_type_id")
                .first()
            )
            if found is not None:
                model = ContentType.objects.get_for_id(found[1]).model_class()
                if model is not None:
                    related = getattr(model, "route_select_related", ())
                    page: Any = model._default_manager.select_related(*related).get(
                        pk=found[0]
                    )
                    return page.route(request, [])
        return super().route(request, path_components)  # type: ignore[misc]


class PublicPage(OneQueryRestrictions):
    """Mixin for a Wagtail page type whose live pages are public pages.

    ``page_cache_seconds``: how long one is kept (None: the default). The
    page's own ``serve`` still decides who may see it; the middleware stores
    only what it then serves to an anonymous visitor under the rules above.
    """

    page_cache_seconds: int | None = None

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = super().serve(request, *args, **kwargs)  # type: ignore[misc]
        return mark_public(response, seconds=self.page_cache_seconds, page=self)


def _qualname(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def repeat_on_hit(request: HttpRequest, fn: Callable[..., Any], *args: Any) -> None:
    """Has ``fn(request, response, *args)`` run for every later visitor the
    stored page is served to (the view already did the same work for this
    one). `fn` is a module-level function; `args` are plain values."""
    hits = request.__dict__.setdefault(_HITS, [])
    hits.append((_qualname(fn), args, ()))


def each_serve(
    request: HttpRequest, response: ResponseT, fn: Callable[..., Any], *args: Any
) -> ResponseT:
    """Runs ``fn(request, response, *args)`` now and for every visitor the
    stored page is served to. A cookie it sets is that visitor's: the stored
    page never holds it."""
    before = set(response.cookies)
    fn(request, response, *args)
    added = tuple(sorted(set(response.cookies) - before))
    request.__dict__.setdefault(_HITS, []).append((_qualname(fn), args, added))
    return response


# --- Generation ----------------------------------------------------------------------


def _stamp_file() -> Path:
    default = Path(settings.BASE_DIR) / "var" / "pagecache.stamp"
    return Path(getattr(settings, "PAGE_CACHE_STAMP_FILE", default))


def _shared() -> bool:
    """Whether the cache is shared between processes (Redis): else each
    process has its own, and the generation is the node's stamp file."""
    return not isinstance(cache, LocMemCache)


def _file_generation() -> str:
    try:
        st = os.stat(_stamp_file())
    except FileNotFoundError:
        return "0"
    return f"{st.st_ino}.{st.st_mtime_ns}.{st.st_size}"


def generation() -> str:
    """The generation pages are stored in now."""
    if not _shared():
        return _file_generation()
    value = cache.get(GENERATION_KEY)
    return "0" if value is None else str(value)


def _bump() -> None:
    if _shared():
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.set(GENERATION_KEY, time.time_ns(), None)
        return
    path = _stamp_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    # A new file replaces the old one: its inode and time change together,
    # and a reader never sees it half written.
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(str(time.time_ns()))
    os.replace(tmp, path)


def purge(urls: Iterable[str] = ()) -> None:
    """Every stored page is stale from now on; the frontend cache is asked
    to drop `urls` (paths or addresses) and the listing pages."""
    _bump()
    purge_frontend(urls)


def purge_on_commit(urls: Iterable[str] = ()) -> None:
    """`purge`, once the current transaction commits (at once outside one)."""
    urls = list(urls)
    transaction.on_commit(lambda: purge(urls))


def purge_frontend(urls: Iterable[str] = ()) -> None:
    """Asks the configured frontend caches (nginx, Varnish, a CDN through
    Wagtail's ``WAGTAILFRONTENDCACHE``) to drop these addresses; a django
    task does it, never the request."""
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

    from dangjian.lib.site import site_url

    base = site_url()
    paths = [*urls, *getattr(settings, "PAGE_CACHE_PURGE_PATHS", ("/",))]
    full = [p if p.startswith(("http://", "https://")) else base + p for p in paths]
    try:
        purge_urls_from_cache(list(dict.fromkeys(full)))
    except Exception:  # a purge must never undo a publication
        logger.exception("Frontend cache purge failed")


# --- Purge on change -------------------------------------------------------------------


def _url_of(instance: Any) -> str | None:
    try:
        url = getattr(instance, "url", None)
        if url is None and hasattr(instance, "get_absolute_url"):
            url = instance.get_absolute_url()
    except Exception:
        return None
    return url if isinstance(url, str) and url else None


_content_models: dict[tuple[type, tuple[str, ...]], bool] = {}


def _content_model(sender: type) -> bool:
    """Whether rows of `sender` show on public pages: pages, snippets with
    draft state, their inline rows, publicity sources and the models of
    ``PAGE_CACHE_CONTENT_MODELS``. Asked on every save, so remembered."""
    labels = tuple(getattr(settings, "PAGE_CACHE_CONTENT_MODELS", ()))
    known = _content_models.get((sender, labels))
    if known is not None:
        return known
    from wagtail.models import DraftStateMixin, Orderable, Page

    from dangjian.lib import plugins

    found = (
        issubclass(sender, (Page, DraftStateMixin, Orderable))
        or cast(Any, sender)._meta.label in labels
        or any(s.model is sender for s in plugins.registered(plugins.PUBLICITY_SOURCES))
    )
    _content_models[(sender, labels)] = found
    return found


def _on_release(sender: type, instance: Any = None, **kwargs: Any) -> None:
    url = _url_of(instance) if instance is not None else None
    purge_on_commit([url] if url else [])


def _on_change(sender: type, instance: Any = None, **kwargs: Any) -> None:
    if kwargs.get("raw") or not _content_model(sender):
        return
    url = _url_of(instance) if instance is not None else None
    purge_on_commit([url] if url else [])


def connect() -> None:
    """Purges on Wagtail's release signals of every page and snippet and on
    saves and deletes of content models (called by the foundation's app)."""
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import (
        page_published,
        page_unpublished,
        published,
        unpublished,
    )

    page_published.connect(_on_release, dispatch_uid="pagecache-page-published")
    page_unpublished.connect(_on_release, dispatch_uid="pagecache-page-unpublished")
    published.connect(_on_release, dispatch_uid="pagecache-published")
    unpublished.connect(_on_release, dispatch_uid="pagecache-unpublished")
    post_save.connect(_on_change, dispatch_uid="pagecache-saved")
    post_delete.connect(_on_change, dispatch_uid="pagecache-deleted")


# --- The middleware ----------------------------------------------------------------------


_resolved: dict[str, Callable[..., Any]] = {}


def _run_hits(
    request: HttpRequest, response: HttpResponseBase, hits: Iterable[Any]
) -> None:
    for name, args, _cookies in hits:
        try:
            fn = _resolved.get(name)
            if fn is None:
                fn = _resolved[name] = import_string(name)
            fn(request, response, *args)
        except Exception:  # the page is answered whatever a counter does
            logger.exception("Page cache: %s failed on a hit", name)


class PageCacheMiddleware:
    """Serves and stores the public pages (see the module's docstring).

    Placed after WhiteNoise (static files never reach it) and before the
    session, CSRF and authentication middleware: a hit costs none of them,
    and on a miss it sees every cookie they set and every header they add.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        lookup = (
            enabled() and request.method in ("GET", "HEAD") and self.anonymous(request)
        )
        key = self.key(request) if lookup else None
        if key is None:
            response = self.get_response(request)
            if getattr(response, _MARK, None) is not None and not response.has_header(
                "Cache-Control"
            ):
                # A public page seen with a personal cookie may hold that
                # person's messages or name: no cache keeps it.
                patch_cache_control(response, private=True, no_store=True)
            return response
        current, entry = self.read(key)
        if entry is not None and entry["g"] == current:
            return self.replay(request, entry)
        response = self.get_response(request)
        if request.method == "GET" and self.storable(request, response):
            self.store(request, response, key, current)
        return response

    # Reading ---------------------------------------------------------------

    @staticmethod
    def anonymous(request: HttpRequest) -> bool:
        if "HTTP_AUTHORIZATION" in request.META:
            return False
        return set(request.COOKIES) <= _impersonal_cookies()

    @staticmethod
    def key(request: HttpRequest) -> str | None:
        try:
            host = request.get_host()
        except DisallowedHost:
            return None  # Django answers it
        query = sorted(request.GET.lists())
        cookies = [(n, request.COOKIES.get(n, "")) for n in _key_cookies()]
        raw = repr((request.scheme, host, request.path, query, cookies, _deployed()))
        return KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def read(key: str) -> tuple[str, dict[str, Any] | None]:
        try:
            if _shared():
                # One round trip: the generation and the page together.
                found = cache.get_many([GENERATION_KEY, key])
                gen = found.get(GENERATION_KEY)
                return ("0" if gen is None else str(gen)), found.get(key)
            return generation(), cache.get(key)
        except Exception:  # a cache outage serves pages uncached
            logger.exception("Page cache: read failed")
            return "unreadable", None

    @staticmethod
    def replay(request: HttpRequest, entry: dict[str, Any]) -> HttpResponse:
        response = HttpResponse(entry["c"], status=entry["s"])
        for name, value in entry["h"]:
            response[name] = value
        response[HIT_HEADER] = "hit"
        _run_hits(request, response, entry["r"])
        return response

    # Storing -----------------------------------------------------------------

    def storable(self, request: HttpRequest, response: HttpResponseBase) -> bool:
        mark = getattr(response, _MARK, None)
        if mark is None or response.status_code != 200 or response.streaming:
            return False
        own_cookies = {c for _n, _a, cs in request.__dict__.get(_HITS, []) for c in cs}
        if set(response.cookies) - own_cookies:
            return False  # a session, a CSRF token, someone's cookie
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return False  # a CSRF token is in the page
        directives = {
            d.split("=")[0].strip().lower()
            for d in response.get("Cache-Control", "").split(",")
        }
        if directives & _REFUSING:
            return False
        vary = {v.strip().lower() for v in response.get("Vary", "").split(",")}
        if vary - _SAFE_VARY - {""}:
            return False
        user = getattr(request, "_cached_user", None)
        if user is not None and user.is_authenticated:
            return False
        session = getattr(request, "session", None)
        if session is not None and session.accessed and not session.is_empty():
            return False
        if getattr(request, "is_preview", False):
            return False
        if mark.page is not None and not self.page_is_public(mark.page):
            return False
        return len(getattr(response, "content", b"")) <= MAX_BYTES

    @staticmethod
    def page_is_public(page: Any) -> bool:
        if not page.live or getattr(page, "is_public", True) is False:
            return False
        # Any restriction at all, whatever this request passed: a page
        # behind a password or a login is never shared.
        return not page.get_view_restrictions().exists()

    def store(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        key: str,
        current: str,
    ) -> None:
        mark: Mark = getattr(response, _MARK)
        seconds = mark.seconds if mark.seconds is not None else default_seconds()
        if "Cache-Control" in response:
            del response["Cache-Control"]
        patch_cache_control(
            response,
            public=True,
            max_age=min(browser_seconds(), seconds),
            s_maxage=seconds,
        )
        vary = [
            v.strip()
            for v in response.get("Vary", "").split(",")
            if v.strip() and v.strip().lower() not in ("cookie", "authorization")
        ]
        if vary:
            response["Vary"] = ", ".join(vary)
        elif "Vary" in response:
            del response["Vary"]
        entry = {
            "g": current,
            "s": response.status_code,
            "h": [(k, v) for k, v in response.items()],
            "c": getattr(response, "content", b""),
            "r": list(request.__dict__.get(_HITS, [])),
        }
        try:
            cache.set(key, entry, seconds)
        except Exception:
            logger.exception("Page cache: store failed")
        response[HIT_HEADER] = "miss"
