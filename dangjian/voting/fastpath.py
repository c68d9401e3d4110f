"""The fast path for the public's votes: a WSGI layer in front of Django.

A shared link brings a burst of votes, nearly all from the public with a
voter session in the ``X-Voter-Token`` header. Measured with
``bench/votes.py``, Django's request cycle (middleware, URL resolving,
signals) and django-ninja's parameter parsing took about a third of the CPU
of such a request. This layer answers exactly those requests itself, with the
same business function the API view calls (``api.vote_answer`` →
``actions.check_cast_vote``), the same security headers (Django's own
SecurityMiddleware and XFrameOptionsMiddleware applied to the answer) and
the same host validation. Everything else goes to Django untouched:

* any other path or method;
* requests that carry a session cookie or an ``Authorization`` header
  (members: their identity and CSRF check live in Django's middleware);
* a body that is not a well-formed vote (Django answers with the API's
  usual validation error);
* a host not in ``ALLOWED_HOSTS``, or plain HTTP when ``SECURE_SSL_REDIRECT``.

``VOTING_FAST_PATH = False`` turns it off.
"""

from __future__ import annotations

import io
import json
import logging
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import connections
from django.http import JsonResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware

from dangjian.voting.identity import TOKEN_META_KEY

logger = logging.getLogger("django.request")

PATH = "/api/votes"
MAX_BODY = 4096
_FIELDS = {
    "campaign",
    "candidate",
    "idempotency_key",
    "captcha_token",
    "captcha_answer",
}


def release_connections() -> None:
    """Django's ``close_old_connections`` (run when a request starts and ends),
    leaving alone a connection inside a caller's transaction (a test's)."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


class VoteFastPath:
    def __init__(self, app):
        self.app = app
        self.enabled = getattr(settings, "VOTING_FAST_PATH", True)
        self._security = SecurityMiddleware(lambda request: None)
        self._frames = XFrameOptionsMiddleware(lambda request: None)
        self._session_cookie = settings.SESSION_COOKIE_NAME + "="

    def __call__(self, environ, start_response):
        if not self._takes(environ):
            return self.app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return self.app(environ, start_response)
        if not 0 < length <= MAX_BODY:
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(length)
        payload = self._payload(body)
        request = WSGIRequest(environ)
        if payload is None or not self._host_ok(request):
            # Django answers, as it would have: give it the body back.
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            return self.app(environ, start_response)
        return self._answer(request, payload, start_response)

    def _takes(self, environ) -> bool:
        return (
            self.enabled
            and environ.get("PATH_INFO") == PATH
            and environ.get("REQUEST_METHOD") == "POST"
            and environ.get(TOKEN_META_KEY)
            and "HTTP_AUTHORIZATION" not in environ
            and self._session_cookie not in environ.get("HTTP_COOKIE", "")
        )

    @staticmethod
    def _payload(body: bytes):
        """The vote in ``body`` when it is plainly well formed, else None
        (Django then gives the API's own validation answer)."""
        try:
            data = json.loads(body)
        except ValueError:
            return None
        if not isinstance(data, dict) or not _FIELDS.issuperset(data):
            return None
        campaign = data.get("campaign")
        candidate = data.get("candidate")
        key = data.get("idempotency_key")
        token = data.get("captcha_token", "")
        answer = data.get("captcha_answer", "")
        if (
            type(campaign) is not int
            or not (candidate is None or type(candidate) in (int, str))
            or not (key is None or type(key) is str)
            or type(token) is not str
            or type(answer) is not str
        ):
            return None
        return SimpleNamespace(
            campaign=campaign,
            candidate=candidate,
            idempotency_key=key,
            captcha_token=token,
            captcha_answer=answer,
        )

    def _host_ok(self, request) -> bool:
        try:
            request.get_host()
        except DisallowedHost:
            return False
        return self._security.process_request(request) is None

    def _answer(self, request, payload, start_response):
        from dangjian.voting.api import vote_answer

        release_connections()  # as Django does when a request starts
        try:
            response = vote_answer(request, payload)
        except Exception:
            logger.exception("Vote fast path: %s", PATH, extra={"request": request})
            response = JsonResponse(
                {"code": "server_error", "detail": "服务器错误，请稍后再试"},
                status=500,
                json_dumps_params={"ensure_ascii": False},
            )
        finally:
            release_connections()  # and when it ends
        response = self._security.process_response(request, response)
        response = self._frames.process_response(request, response)
        status = f"{response.status_code} {response.reason_phrase}"
        headers = [*response.items()]
        headers += [
            ("Set-Cookie", c.output(header="")) for c in response.cookies.values()
        ]
        start_response(status, headers)
        return [response.content]
