"""Text messages (notifications to enterprises, one-time codes to voters),
behind one small interface shared by every app.

``send_sms(mobile, message, template="", params=None)`` hands the message to
the backend named by the ``DANGJIAN_SMS_BACKEND`` setting (a dotted path).
``message`` is the full text; ``template`` and ``params`` are for providers
that only send pre-approved templates (the message is then their rendering).

* ``dangjian.lib.sms.LogBackend`` (the default): writes the message to the
  ``dangjian.lib.sms`` logger and keeps the last messages in
  ``dangjian.lib.sms.outbox``, for development and tests.
* ``dangjian.lib.sms.HttpBackend``: an adapter for an SMS gateway that takes
  a JSON POST (most Chinese providers offer one, or a small relay in front of
  their signed APIs). Settings:

  ``DANGJIAN_SMS_HTTP_URL``       the gateway endpoint (required)
  ``DANGJIAN_SMS_HTTP_TOKEN``     sent as ``Authorization: Bearer <token>``
  ``DANGJIAN_SMS_SIGN_NAME``      the registered signature, e.g. 党建云
  ``DANGJIAN_SMS_TIMEOUT``        seconds, default 5

  It posts ``{"mobile", "sign_name", "content", "template", "params"}`` and
  treats any 2xx as
  accepted. Adapt ``payload()``/``accepted()`` in a subclass for a provider
  whose API differs (templates with parameters, signatures on the request).

Settings are read when a message is sent, never at import time.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections import deque
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# The most recent messages of the log backend, newest last.
outbox: deque[dict[str, Any]] = deque(maxlen=200)

Params = Mapping[str, object] | None


class SmsError(Exception):
    pass


class BaseBackend:
    def send(
        self, mobile: str, message: str, template: str = "", params: Params = None
    ) -> None:
        raise NotImplementedError


class LogBackend(BaseBackend):
    def send(
        self, mobile: str, message: str, template: str = "", params: Params = None
    ) -> None:
        outbox.append(
            {
                "mobile": mobile,
                "message": message,
                "template": template,
                "params": dict(params or {}),
            }
        )
        logger.info("SMS to %s: %s", mobile, message)


class HttpBackend(BaseBackend):
    def __init__(self) -> None:
        self.url: str = getattr(settings, "DANGJIAN_SMS_HTTP_URL", "")
        if not self.url:
            raise ImproperlyConfigured(
                "DANGJIAN_SMS_HTTP_URL must be set to use the HTTP SMS backend"
            )
        self.token: str = getattr(settings, "DANGJIAN_SMS_HTTP_TOKEN", "")
        self.sign_name: str = getattr(settings, "DANGJIAN_SMS_SIGN_NAME", "党建云")
        self.timeout: float = getattr(settings, "DANGJIAN_SMS_TIMEOUT", 5)

    def payload(
        self, mobile: str, message: str, template: str, params: Params
    ) -> dict[str, Any]:
        return {
            "mobile": mobile,
            "sign_name": self.sign_name,
            "content": message,
            "template": template,
            "params": dict(params or {}),
        }

    def accepted(self, status: int, body: bytes) -> bool:
        return 200 <= status < 300

    def send(
        self, mobile: str, message: str, template: str = "", params: Params = None
    ) -> None:
        body = self.payload(mobile, message, template, params)
        request = urllib.request.Request(
            self.url,
            data=json.dumps(body, ensure_ascii=False).encode(),
            headers={
                "Content-Type": "application/json",
                **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, body = response.status, response.read()
        except OSError as exc:
            raise SmsError(f"SMS gateway unreachable: {exc}") from exc
        if not self.accepted(status, body):
            raise SmsError(f"SMS gateway refused the message: HTTP {status}")


def get_backend() -> BaseBackend:
    path = getattr(settings, "DANGJIAN_SMS_BACKEND", "dangjian.lib.sms.LogBackend")
    backend: BaseBackend = import_string(path)()
    return backend


def send_sms(
    mobile: str, message: str, template: str = "", params: Params = None
) -> None:
    get_backend().send(mobile, message, template, params)
