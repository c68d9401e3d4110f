"""The fast path for the public's votes: a WSGI layer in front of Django.

A shared link brings a burst of votes, nearly all from the public with a
voter session in the ``X-Voter-Token`` header. Measured with
``bench/votes.py``, Django's request cycle and django-ninja's dispatch took
about a third of the CPU of such a request. This layer
(`dangjian.lib.fastpath`) answers exactly those requests, at the address of
the API operation (``api:cast_vote``), with the same business function the
API view calls (``api.vote_answer`` → ``actions.check_cast_vote``). It reads
the body with the API's parser and validates it with the operation's own
schema (``api.VoteIn``). Everything else goes to Django untouched:

* any other path or method;
* requests that carry a session cookie or an ``Authorization`` header
  (members: their identity and CSRF check live in Django's middleware); the
  voters it does take are identified by the ``X-Voter-Token`` header alone
  (a junk one gets 401, never a fall-back to a cookie);
* a body the schema refuses, that is not JSON or holds a control character
  (Django answers with the API's usual validation error);
* a host not in ``ALLOWED_HOSTS``, or plain HTTP when ``SECURE_SSL_REDIRECT``.

``VOTING_FAST_PATH = False`` turns it off.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING
from wsgiref.types import WSGIApplication, WSGIEnvironment

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from dangjian.lib.api_errors import ControlCharacters
from dangjian.lib.fastpath import FastPath
from dangjian.voting.identity import TOKEN_META_KEY

if TYPE_CHECKING:
    from dangjian.voting.api import VoteIn

MAX_BODY = 4096


class VoteFastPath(FastPath):
    url_name = "api:cast_vote"
    method = "POST"
    setting = "VOTING_FAST_PATH"

    def __init__(self, app: WSGIApplication) -> None:
        super().__init__(app)
        self._session_cookie = settings.SESSION_COOKIE_NAME + "="

    def takes(self, environ: WSGIEnvironment) -> bool:
        return bool(
            environ.get(TOKEN_META_KEY)
            and "HTTP_AUTHORIZATION" not in environ
            and self._session_cookie not in environ.get("HTTP_COOKIE", "")
        )

    def schema(self) -> type[VoteIn]:
        from dangjian.voting.api import VoteIn

        return VoteIn

    def parse(self, request: HttpRequest) -> VoteIn | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if not 0 < length <= MAX_BODY:
            return None
        body = request.body
        # Django may still answer (a refused vote, a foreign host): it reads
        # the body again.
        environ = request.environ  # type: ignore[attr-defined]  # a WSGIRequest
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        try:
            data = self.parser.parse_body(request)
        except (ControlCharacters, ValueError):  # NUL: 422; not JSON: 400
            return None
        if not isinstance(data, dict):
            return None
        return self.validated(data)

    def answer(self, request: HttpRequest, data: VoteIn) -> HttpResponse:
        from dangjian.voting.api import vote_answer

        return vote_answer(request, data)
