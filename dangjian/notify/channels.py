"""Adapters of the channels that leave the platform: SMS, e-mail, WeChat.

Each adapter sends one message to one person and raises ``ChannelError``
with a short reason when it could not; the delivery log keeps the reason and
the retry schedule (``delivery.py``).

WeChat: the official account's template messages, in the documented HTTP
API shape. Off unless ``DANGJIAN_WECHAT_ENABLED``; settings (from the
environment, see .env.example):

``DANGJIAN_WECHAT_BASE_URL``     default https://api.weixin.qq.com
``DANGJIAN_WECHAT_APPID`` / ``DANGJIAN_WECHAT_SECRET``
``DANGJIAN_WECHAT_TEMPLATE_ID``  the template used when a kind names none

``GET /cgi-bin/token?grant_type=client_credential&appid=…&secret=…`` gives
``{"access_token", "expires_in"}``, kept in the cache until shortly before it
expires; ``POST /cgi-bin/message/template/send?access_token=…`` with
``{"touser", "template_id", "url", "data"}`` answers ``{"errcode", "errmsg"}``.
An expired or invalid token (errcode 40001, 40014, 42001) is refreshed and
the message sent once more; any other errcode is the delivery's error.
Requests go through ``lib.outbound`` (public addresses only, no redirects).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail

from dangjian.lib import outbound, sms
from dangjian.lib.plugins import absolute
from dangjian.notify.kinds import EMAIL, SMS, WECHAT

TOKEN_ERRORS = {40001, 40014, 42001}


class ChannelError(Exception):
    pass


@dataclass(frozen=True)
class Message:
    """What one delivery says: the notification's text and absolute link."""

    title: str
    body: str
    url: str
    label: str
    created: str
    wechat_template: str = ""


def wechat_enabled() -> bool:
    return bool(getattr(settings, "DANGJIAN_WECHAT_ENABLED", False))


def address(channel: str, person: Any) -> str:
    """The person's address on the channel ("" when they have none)."""
    if channel == SMS:
        return person.mobile or ""
    if channel == EMAIL:
        return person.email or ""
    if channel == WECHAT:
        if not wechat_enabled():
            return ""
        binding = getattr(person, "wechat_binding", None)
        return binding.openid if binding is not None else ""
    return ""


def send(channel: str, to: str, message: Message) -> None:
    if channel == SMS:
        text = message.title + (f" {message.url}" if message.url else "")
        try:
            sms.send_sms(to, text)
        except sms.SmsError as exc:
            raise ChannelError(str(exc)) from exc
    elif channel == EMAIL:
        text = "\n\n".join(p for p in (message.body, message.url) if p)
        try:
            send_mail(message.title, text or message.title, None, [to])
        except OSError as exc:
            raise ChannelError(f"{type(exc).__name__}: {exc}") from exc
    elif channel == WECHAT:
        WechatClient.from_settings().send_template(
            to,
            message.wechat_template,
            message.url,
            {
                "first": {"value": message.title},
                "keyword1": {"value": message.label},
                "keyword2": {"value": message.created},
                "remark": {"value": message.body[:180]},
            },
        )
    else:
        raise ChannelError(f"unknown channel {channel}")


def link(path: str) -> str:
    return absolute(path) if path else ""


class WechatClient:
    def __init__(self, base_url: str, appid: str, secret: str, template: str = ""):
        self.base_url = base_url.rstrip("/")
        self.appid = appid
        self.secret = secret
        self.template = template

    @classmethod
    def from_settings(cls) -> WechatClient:
        if not wechat_enabled():
            raise ChannelError("WeChat channel is off (DANGJIAN_WECHAT_ENABLED)")
        return cls(
            getattr(settings, "DANGJIAN_WECHAT_BASE_URL", "https://api.weixin.qq.com"),
            getattr(settings, "DANGJIAN_WECHAT_APPID", ""),
            getattr(settings, "DANGJIAN_WECHAT_SECRET", ""),
            getattr(settings, "DANGJIAN_WECHAT_TEMPLATE_ID", ""),
        )

    @property
    def cache_key(self) -> str:
        return f"notify:wechat:token:{self.appid}"

    def _call(self, method: str, path: str, query: dict, payload=None) -> dict:
        url = f"{self.base_url}{path}?{urlencode(query)}"
        body = b"" if payload is None else json.dumps(payload).encode()
        status, raw, error = outbound.send(
            url,
            body=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
            method=method,
            timeout=10,
        )
        if status is None:
            raise ChannelError(error)
        if not 200 <= status < 300:
            raise ChannelError(f"HTTP {status}")
        try:
            answer = json.loads(raw)
        except ValueError:
            raise ChannelError("WeChat answered something that is not JSON") from None
        return answer if isinstance(answer, dict) else {}

    def access_token(self, refresh: bool = False) -> str:
        token = None if refresh else cache.get(self.cache_key)
        if token:
            return token
        answer = self._call(
            "GET",
            "/cgi-bin/token",
            {
                "grant_type": "client_credential",
                "appid": self.appid,
                "secret": self.secret,
            },
        )
        token = answer.get("access_token")
        if not token:
            raise ChannelError(
                f"token: errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"
            )
        expires = int(answer.get("expires_in") or 7200)
        # Refreshed five minutes early, so that a token never dies in flight.
        cache.set(self.cache_key, token, max(expires - 300, 60))
        return token

    def send_template(self, openid: str, template: str, url: str, data: dict) -> None:
        payload = {
            "touser": openid,
            "template_id": template or self.template,
            "url": url,
            "data": data,
        }
        path = "/cgi-bin/message/template/send"
        answer = self._call(
            "POST", path, {"access_token": self.access_token()}, payload
        )
        code = int(answer.get("errcode") or 0)
        if code in TOKEN_ERRORS:
            cache.delete(self.cache_key)
            token = self.access_token(refresh=True)
            answer = self._call("POST", path, {"access_token": token}, payload)
            code = int(answer.get("errcode") or 0)
        if code:
            raise ChannelError(f"errcode {code}: {answer.get('errmsg', '')}"[:400])
