"""Sending one-time codes by SMS, behind a small interface.

``VOTING_SMS_BACKEND`` names the class (default: the console backend).

* ``ConsoleSMSBackend`` writes the message to the ``dangjian.voting.sms`` log
  and keeps it in ``outbox`` (for development and tests).
* ``HttpSMSBackend`` posts to an SMS provider's HTTP gateway. Most Chinese
  providers (Aliyun, Tencent Cloud, or a city's own SMS platform behind a
  gateway) take a JSON request with the number, a template id and its
  parameters. Configure::

      VOTING_SMS_HTTP_URL = "https://sms-gateway.example.gov.cn/send"
      VOTING_SMS_HTTP_TOKEN = "…"          # sent as "Authorization: Bearer …"
      VOTING_SMS_TEMPLATE = "SMS_123456"   # the provider's approved template
      VOTING_SMS_SIGN = "党建云"             # the registered signature

  The request body is ``{"phone": …, "sign": …, "template": …,
  "params": {"code": …, "minutes": …}}``; any 2xx answer counts as sent.
  A provider with another shape gets a subclass overriding ``payload``.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Messages the console backend "sent", newest last (development and tests).
outbox: list[dict] = []


class SMSError(Exception):
    pass


class BaseSMSBackend:
    def send_code(self, phone: str, code: str, minutes: int) -> None:
        raise NotImplementedError


class ConsoleSMSBackend(BaseSMSBackend):
    def send_code(self, phone: str, code: str, minutes: int) -> None:
        message = {"phone": phone, "code": code, "minutes": minutes}
        outbox.append(message)
        del outbox[:-100]
        logger.warning("SMS to %s: 验证码 %s，%s 分钟内有效", phone, code, minutes)


class HttpSMSBackend(BaseSMSBackend):
    timeout = 5

    def payload(self, phone: str, code: str, minutes: int) -> dict:
        return {
            "phone": phone,
            "sign": getattr(settings, "VOTING_SMS_SIGN", "党建云"),
            "template": getattr(settings, "VOTING_SMS_TEMPLATE", ""),
            "params": {"code": code, "minutes": minutes},
        }

    def send_code(self, phone: str, code: str, minutes: int) -> None:
        import requests

        url = getattr(settings, "VOTING_SMS_HTTP_URL", "")
        if not url:
            raise SMSError("VOTING_SMS_HTTP_URL is not set")
        token = getattr(settings, "VOTING_SMS_HTTP_TOKEN", "")
        try:
            response = requests.post(
                url,
                json=self.payload(phone, code, minutes),
                headers={"Authorization": f"Bearer {token}"} if token else {},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise SMSError(str(exc)) from exc
        if not 200 <= response.status_code < 300:
            raise SMSError(f"provider answered {response.status_code}")


def get_backend() -> BaseSMSBackend:
    path = getattr(
        settings, "VOTING_SMS_BACKEND", "dangjian.voting.sms.ConsoleSMSBackend"
    )
    return import_string(path)()
