"""The fast path for the public's votes: a WSGI layer in front of Django.

A shared link brings a burst of votes, nearly all from the public with a
voter session in the ``X-Voter-Token`` header. Measured with
``bench/votes.py``, Django's request cycle and django-ninja's parameter
parsing took about a third of the CPU of such a request. This layer
(`dangjian.lib.fastpath`) answers exactly those requests with the same
business function the API view calls (``api.vote_answer`` →
``actions.check_cast_vote``). Everything else goes to Django untouched:

* any other path or method;
* requests that carry a session cookie or an ``Authorization`` header
  (members: their identity and CSRF check live in Django's middleware); the
  voters it does take are identified by the ``X-Voter-Token`` header alone
  (a junk one gets 401, never a fall-back to a cookie);
* a body that is not a well-formed vote (Django answers with the API's
  usual validation error);
* a host not in ``ALLOWED_HOSTS``, or plain HTTP when ``SECURE_SSL_REDIRECT``.

``VOTING_FAST_PATH = False`` turns it off.
"""

from __future__ import annotations

import io
import json
from types import SimpleNamespace

from django.conf import settings

from dangjian.lib.api_types import MAX_ID
from dangjian.lib.fastpath import FastPath
from dangjian.lib.text import find_control_chars
from dangjian.voting.identity import TOKEN_META_KEY

PATH = "/api/votes"
MAX_BODY = 4096
_FIELDS = {
    "campaign",
    "candidate",
    "idempotency_key",
    "captcha_token",
    "captcha_answer",
}


class VoteFastPath(FastPath):
    path = PATH
    method = "POST"
    setting = "VOTING_FAST_PATH"

    def __init__(self, app):
        super().__init__(app)
        self._session_cookie = settings.SESSION_COOKIE_NAME + "="

    def takes(self, environ) -> bool:
        return bool(
            environ.get(TOKEN_META_KEY)
            and "HTTP_AUTHORIZATION" not in environ
            and self._session_cookie not in environ.get("HTTP_COOKIE", "")
        )

    def parse(self, environ):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if not 0 < length <= MAX_BODY:
            return None
        body = environ["wsgi.input"].read(length)
        # Django may still answer (a malformed vote, a foreign host): it
        # reads the body again.
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self._payload(body)

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
        # Exact types, as the API's strict schema: JSON true is not 1.
        if (
            type(campaign) is not int
            or not 1 <= campaign <= MAX_ID
            or not (candidate is None or type(candidate) in (int, str))
            or not (key is None or type(key) is str)
            or type(token) is not str
            or type(answer) is not str
        ):
            return None
        if find_control_chars(data) is not None:  # NUL: Django's 422
            return None
        return SimpleNamespace(
            campaign=campaign,
            candidate=candidate,
            idempotency_key=key,
            captcha_token=token,
            captcha_answer=answer,
        )

    def answer(self, request, data):
        from dangjian.voting.api import vote_answer

        return vote_answer(request, data)
