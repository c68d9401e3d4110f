"""WSGI layers in front of Django for the few public endpoints under heavy load.

Measured with the benchmarks (``bench/votes.py``, ``bench/kb_search.py``),
Django's request cycle (middleware, URL resolving, signals) and
django-ninja's parameter parsing cost a third of the CPU of a vote or a
search. A fast path answers exactly the requests it knows, with the same
business function the API view calls, and leaves everything else to Django.
What it keeps of Django's cycle:

* host validation (``ALLOWED_HOSTS``) and ``SECURE_SSL_REDIRECT``: a request
  Django would refuse or redirect goes to Django, which does so;
* the API's bearer-token authentication: a fast path that takes requests
  with an ``Authorization`` header sets `authenticate`, and the same function
  as Django's middleware (``dangjian.orgs.middleware.authenticate_bearer``)
  refuses a bad or revoked token with the same 401; a fast path without it
  leaves every such request to Django;
* the security headers: the middleware of ``HEADER_MIDDLEWARE`` that
  ``settings.MIDDLEWARE`` lists (SecurityMiddleware, the CSP,
  XFrameOptionsMiddleware) are applied to the answer, in Django's order;
* database connections released as Django releases them;
* an error is logged like Django's and answered with the API's 500 body.

Subclasses say which requests they take (`takes`), read what the request
asks (`parse`: None when it is not plainly well formed, so that Django gives
the API's own validation answer), build the answer (`answer`) and may do
work once it has been sent (`after_response`). Django's ``request_finished``
is not sent: its receivers cost a vote a tenth of its throughput, and each
fast path does what its requests need instead.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import connections
from django.http import HttpResponse, JsonResponse
from django.middleware.security import SecurityMiddleware
from django.utils.module_loading import import_string

logger = logging.getLogger("django.request")

#: Middleware that only add headers to an answer: a fast path applies those
#: that ``settings.MIDDLEWARE`` lists, so that its answers carry the same.
HEADER_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "dangjian.lib.headers.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
)


def release_connections() -> None:
    """Django's ``close_old_connections`` (run when a request starts and ends),
    leaving alone a connection inside a caller's transaction (a test's)."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


class FastPath:
    #: The one path this layer answers (PATH_INFO, exactly).
    path = ""
    method = "GET"
    #: The setting that turns the layer off (True when unset).
    setting = ""
    #: A method ``authenticate(request)`` applying the API's authentication:
    #: it returns the refusal to send, or None (the person, if any, is then
    #: on the request). None here: requests with an ``Authorization`` header
    #: go to Django, which authenticates them.
    authenticate = None

    def __init__(self, app):
        self.app = app
        self.enabled = bool(getattr(settings, self.setting, True))
        self._security = SecurityMiddleware(lambda request: None)
        self._headers = [
            import_string(name)(lambda request: None)
            for name in settings.MIDDLEWARE
            if name in HEADER_MIDDLEWARE
        ]

    def __call__(self, environ, start_response):
        if not (
            self.enabled
            and environ.get("PATH_INFO") == self.path
            and environ.get("REQUEST_METHOD") == self.method
            and (self.authenticate is not None or "HTTP_AUTHORIZATION" not in environ)
            and self.takes(environ)
        ):
            return self.app(environ, start_response)
        data = self.parse(environ)
        if data is None:
            return self.app(environ, start_response)
        request = WSGIRequest(environ)
        if not self.host_ok(request):
            return self.app(environ, start_response)
        return self.respond(request, data, start_response)

    def takes(self, environ) -> bool:
        """Whether to try this request (after path and method matched)."""
        return True

    def parse(self, environ):
        """What the request asks, or None to let Django answer it.

        A subclass that reads the body must leave ``wsgi.input`` readable
        again for Django."""
        raise NotImplementedError

    def answer(self, request, data) -> HttpResponse:
        raise NotImplementedError

    def host_ok(self, request) -> bool:
        try:
            request.get_host()
        except DisallowedHost:
            return False
        return self._security.process_request(request) is None

    def respond(self, request, data, start_response):
        release_connections()  # as Django does when a request starts
        for middleware in self._headers:
            # SecurityMiddleware's request step ran in host_ok.
            if not isinstance(middleware, SecurityMiddleware) and hasattr(
                middleware, "process_request"
            ):
                middleware.process_request(request)
        try:
            response = None
            if self.authenticate is not None:
                response = self.authenticate(request)
            if response is None:
                response = self.answer(request, data)
        except Exception:
            logger.exception("Fast path: %s", request.path, extra={"request": request})
            response = JsonResponse(
                {"code": "server_error", "detail": "服务器错误，请稍后再试"},
                status=500,
                json_dumps_params={"ensure_ascii": False},
            )
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

    def __init__(self, body: bytes, after):
        self.body = body
        self.after = after

    def __iter__(self):
        return iter((self.body,))

    def close(self) -> None:
        try:
            self.after()
        except Exception:  # the answer is out: log, never raise into the server
            logger.exception("Fast path: after the response")
