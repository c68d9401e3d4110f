"""WSGI layers in front of Django for the few public endpoints under heavy load.

Measured with the benchmarks (``bench/votes.py``, ``bench/kb_search.py``),
Django's request cycle (middleware, URL resolving, signals) and
django-ninja's dispatch cost a third of the CPU of a vote or a search. A
fast path answers exactly the requests it knows, with the same business
function the API view calls, and leaves everything else to Django. It holds
to the API's own contract:

* its address is the operation's, read from the URL map (`url_name`) at the
  first request, so moving the API moves the fast path with it;
* it reads the request with the API's parser (``api_errors.CleanParser``)
  and validates it with the operation's own schema (`schema`); whatever
  the schema refuses goes to Django, so that ninja gives the one error
  answer (``{"code", "detail", "errors"}``) — a fast path never writes one.

What it keeps of Django's cycle (`MIDDLEWARE_REVIEW` says, for each
middleware of ``settings.MIDDLEWARE``, what a fast path does about it, and
the system check ``dangjian.W001`` (`dangjian.lib.checks`) warns about any
middleware nobody reviewed):

* host validation (``ALLOWED_HOSTS``) and ``SECURE_SSL_REDIRECT``: a request
  Django would refuse or redirect goes to Django, which does so;
* the API's bearer-token authentication: a fast path that takes requests
  with an ``Authorization`` header sets `authenticate`, and the same function
  as Django's middleware (``dangjian.orgs.middleware.authenticate_bearer``)
  refuses a bad or revoked token with the same 401; a fast path without it
  leaves every such request to Django;
* the headers: the middleware of ``HEADER_MIDDLEWARE`` that
  ``settings.MIDDLEWARE`` lists (SecurityMiddleware, the private cache
  control, the CSP, XFrameOptionsMiddleware) are applied to the answer, in
  Django's order;
* database connections released as Django releases them;
* an error is logged like Django's and answered with the API's 500 body.

Subclasses say which requests they take (`takes`), read what the request
asks (`parse`: None when the API would refuse it or it is not plainly well
formed, so that Django answers), build the answer (`answer`) and may do
work once it has been sent (`after_response`). Django's ``request_finished``
is not sent: its receivers cost a vote a tenth of its throughput, and each
fast path does what its requests need instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar, TypeVar
from urllib.parse import unquote
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.security import SecurityMiddleware
from django.urls import NoReverseMatch, get_script_prefix, reverse, set_script_prefix
from django.utils.module_loading import import_string
from ninja import Schema
from pydantic import BaseModel, ValidationError
from pydantic_core import SchemaValidator

from dangjian.lib.api_errors import CleanParser, server_error_response

logger = logging.getLogger("django.request")

SchemaT = TypeVar("SchemaT", bound=BaseModel)

#: Middleware that only add headers to an answer: a fast path applies those
#: that ``settings.MIDDLEWARE`` lists, so that its answers carry the same.
HEADER_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "dangjian.lib.headers.PrivateCacheMiddleware",
    "dangjian.lib.headers.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
)

#: Every middleware the fast paths were reviewed against: those a fast path
#: replicates, and those it knowingly skips, each with the reason. A
#: middleware added to ``settings.MIDDLEWARE`` and missing here gets the
#: warning ``dangjian.W001``: review it, then say here what a fast path
#: does about it (or turn the fast paths off).
MIDDLEWARE_REVIEW = {
    # Replicated.
    "django.middleware.security.SecurityMiddleware": "replicated: a request it "
    "would redirect (SECURE_SSL_REDIRECT) goes to Django; its headers are applied",
    "dangjian.lib.headers.PrivateCacheMiddleware": "replicated: applied to the "
    "answer (a bearer token's makes it private, as through Django)",
    "dangjian.lib.headers.ContentSecurityPolicyMiddleware": "replicated: its "
    "header is applied to the answer",
    "django.middleware.clickjacking.XFrameOptionsMiddleware": "replicated: its "
    "header is applied to the answer",
    "dangjian.orgs.middleware.BearerTokenMiddleware": "replicated: `authenticate` "
    "calls the same authenticate_bearer; without it, Authorization goes to Django",
    # Skipped.
    "whitenoise.middleware.WhiteNoiseMiddleware": "skipped: it serves files under "
    "STATIC_URL only, never an API operation's address",
    "dangjian.lib.site.SiteMiddleware": "skipped: it hands Wagtail's page view "
    "the request's Site; no API operation is a Wagtail page",
    "dangjian.lib.pagecache.PageCacheMiddleware": "skipped: it serves and stores "
    "pages views marked public; no API operation is marked, so it passes them by",
    "django.contrib.sessions.middleware.SessionMiddleware": "skipped: a vote with "
    "the session cookie goes to Django; a search answers everyone alike",
    "django.middleware.common.CommonMiddleware": "skipped: APPEND_SLASH acts on "
    "404s only; PREPEND_WWW and DISALLOWED_USER_AGENTS are off (else W002)",
    "dangjian.lib.middleware.EdgeInputMiddleware": "skipped: it leaves /api/ to "
    "the API's parser, which the fast paths read requests with",
    "django.middleware.csrf.CsrfViewMiddleware": "skipped: API views are "
    "csrf_exempt; the vote's own check guards cookies its fast path never reads",
    "django.contrib.auth.middleware.AuthenticationMiddleware": "skipped: it reads "
    "the session, which the fast paths never take (tokens: see above)",
    "django.contrib.messages.middleware.MessageMiddleware": "skipped: API answers "
    "neither add nor show messages",
    "dangjian.orgs.admin_guard.AdminReachMiddleware": "skipped: it guards the "
    "Wagtail admin's views (by URL name); an API operation is none of them",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware": "skipped: it "
    "redirects pages editors moved; an API operation's address is not a page",
    "axes.middleware.AxesMiddleware": "skipped: it answers refused logins; the "
    "fast paths log nobody in",
}


def _no_view(request: HttpRequest) -> HttpResponseBase:
    """The view behind the middleware a fast path applies: never called (only
    their request and response steps are)."""
    raise NotImplementedError


def release_connections() -> None:
    """Django's ``close_old_connections`` (run when a request starts and ends),
    leaving alone a connection inside a caller's transaction (a test's)."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


def operation_path(url_name: str) -> str:
    """The ``PATH_INFO`` at which Django serves the URL named `url_name`.

    Django resolves ``PATH_INFO`` below the script name (the server's
    ``SCRIPT_NAME``, or ``FORCE_SCRIPT_NAME``), so the address is reversed
    without the script prefix; it is given as a WSGI server gives
    ``PATH_INFO``: unquoted, its UTF-8 bytes as latin-1."""
    prefix = get_script_prefix()
    set_script_prefix("/")
    try:
        path = reverse(url_name)
    finally:
        set_script_prefix(prefix)
    return unquote(path).encode().decode("latin-1")


def dict_validator(schema: type[SchemaT]) -> Callable[[dict[str, Any]], SchemaT]:
    """The function validating a dict as `schema` (a ninja Schema) validates
    it, built once.

    A ninja Schema wraps its model's validation in a step that reads the
    input through ninja's ``DjangoGetter`` (for ORM objects): for a dict of
    query strings or JSON values it changes nothing, and it costs ten times
    the validation itself (6 µs against 0.5 µs a request). The model's own
    validation (fields, constraints, strictness, its validators) then runs
    alone. Any other outer step (a validator of the schema's own) keeps the
    whole validation."""
    core = schema.__pydantic_core_schema__
    outer = (
        core.get("function", {}).get("function")
        if core["type"] == "function-wrap"
        else None
    )
    if (
        getattr(outer, "__func__", None) is Schema._run_root_validator.__func__
        and core["schema"]["type"] == "model"
        and core["schema"]["cls"] is schema
    ):
        return SchemaValidator(core["schema"]).validate_python
    return schema.model_validate


class FastPath:
    #: The URL name of the one API operation this layer answers
    #: (``"api:cast_vote"``): its path, taken from the URL map at the first
    #: request, is matched against PATH_INFO exactly.
    url_name = ""
    method = "GET"
    #: The setting that turns the layer off (True when unset).
    setting = ""
    #: A method ``authenticate(request)`` applying the API's authentication:
    #: it returns the refusal to send, or None (the person, if any, is then
    #: on the request). None here: requests with an ``Authorization`` header
    #: go to Django, which authenticates them.
    authenticate: Callable[[HttpRequest], HttpResponse | None] | None = None
    #: The API's parser: the fast paths read the query and the body as the
    #: API's operations do (control characters are refused by it).
    parser: ClassVar[CleanParser] = CleanParser()

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self.enabled = bool(getattr(settings, self.setting, True))
        self.path: str | None = None  # from the URL map, at the first request
        self._validate: Callable[[dict[str, Any]], Any] | None = None
        self._security = SecurityMiddleware(_no_view)
        self._headers: list[Any] = [
            import_string(name)(_no_view)
            for name in settings.MIDDLEWARE
            if name in HEADER_MIDDLEWARE
        ]

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        if not (
            self.enabled
            and environ.get("REQUEST_METHOD") == self.method
            and environ.get("PATH_INFO") == (self.path or self.resolve_path())
            and (self.authenticate is not None or "HTTP_AUTHORIZATION" not in environ)
            and self.takes(environ)
        ):
            return self.app(environ, start_response)
        request = WSGIRequest(environ)
        data = self.parse(request)
        if data is None or not self.host_ok(request):
            return self.app(environ, start_response)
        return self.respond(request, data, start_response)

    def resolve_path(self) -> str | None:
        """The operation's path, from the URL map; None (every request then
        goes to Django) when the URL map no longer has it."""
        try:
            self.path = operation_path(self.url_name)
        except NoReverseMatch:
            logger.error("Fast path: no URL named %r; turned off", self.url_name)
            self.enabled = False
        return self.path

    def takes(self, environ: WSGIEnvironment) -> bool:
        """Whether to try this request (after path and method matched)."""
        return True

    def parse(self, request: HttpRequest) -> object | None:
        """What the request asks, validated by the operation's schema, or
        None to let Django answer it.

        A subclass that reads the body must leave ``wsgi.input`` readable
        again for Django."""
        raise NotImplementedError

    def schema(self) -> type[BaseModel]:
        """The schema the operation validates what `parse` reads with."""
        raise NotImplementedError

    def validated(self, data: dict[str, Any]) -> Any | None:
        """``data`` validated by the operation's `schema`, as ninja validates
        it, or None when the schema refuses it (Django then answers with the
        API's validation error)."""
        if self._validate is None:
            self._validate = dict_validator(self.schema())
        try:
            return self._validate(data)
        except ValidationError:
            return None

    def answer(self, request: HttpRequest, data: Any) -> HttpResponse:
        raise NotImplementedError

    def host_ok(self, request: HttpRequest) -> bool:
        try:
            request.get_host()
        except DisallowedHost:
            return False
        return self._security.process_request(request) is None

    def respond(
        self, request: HttpRequest, data: object, start_response: StartResponse
    ) -> Iterable[bytes]:
        release_connections()  # as Django does when a request starts
        for middleware in self._headers:
            # SecurityMiddleware's request step ran in host_ok.
            if not isinstance(middleware, SecurityMiddleware) and hasattr(
                middleware, "process_request"
            ):
                middleware.process_request(request)
        try:
            response: HttpResponse | None = None
            if self.authenticate is not None:
                response = self.authenticate(request)
            if response is None:
                response = self.answer(request, data)
        except Exception:
            logger.exception("Fast path: %s", request.path, extra={"request": request})
            response = server_error_response()
        finally:
            release_connections()  # and when it ends
        for middleware in reversed(self._headers):
            response = middleware.process_response(request, response)
        status = f"{response.status_code} {response.reason_phrase}"
        headers = [*response.items()]
        headers += [
            ("Set-Cookie", c.output(header="")) for c in response.cookies.values()
        ]
        start_response(status, headers)
        if type(self).after_response is FastPath.after_response:
            return [response.content]
        return _Sent(response.content, self.after_response)

    def after_response(self) -> None:
        """Work for after the answer has been sent (a subclass's): what
        Django's ``request_finished`` receivers would do for this request."""


class _Sent:
    """An answer's body; the server calls `close` once it has sent it."""

    __slots__ = ("body", "after")

    def __init__(self, body: bytes, after: Callable[[], None]) -> None:
        self.body = body
        self.after = after

    def __iter__(self) -> Iterator[bytes]:
        return iter((self.body,))

    def close(self) -> None:
        try:
            self.after()
        except Exception:  # the answer is out: log, never raise into the server
            logger.exception("Fast path: after the response")
