"""Requests the platform makes to addresses its users typed in (webhooks).

A unit admin who may enter a push address must not be able to make the server
talk to the city's internal network (Redis, PostgreSQL, other government
systems, cloud metadata at 169.254.169.254): server-side request forgery.
So an outbound address must be http(s) and every address its host name
resolves to must be a public one, checked when the address is saved and
again right before each request (a name can be re-pointed later).
Redirects are not followed, for the same reason.

``OUTBOUND_ALLOW_PRIVATE = True`` lifts the address check, for a deployment
whose receivers live on its own intranet (and for the tests' local receiver).
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings


class UnsafeURL(ValueError):
    """An address the platform will not send to; the message says why (Chinese)."""


def check_outbound_url(url: str) -> None:
    """Raises UnsafeURL unless ``url`` is http(s) on a host with only public addresses."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeURL("地址格式不正确。") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL("推送地址须以 http:// 或 https:// 开头并包含主机名。")
    if parts.username or parts.password:
        raise UnsafeURL("推送地址中不能包含用户名或密码，请改用签名密钥。")
    if getattr(settings, "OUTBOUND_ALLOW_PRIVATE", False):
        return
    try:
        infos = socket.getaddrinfo(
            parts.hostname, port or (443 if parts.scheme == "https" else 80)
        )
    except (socket.gaierror, UnicodeError):
        raise UnsafeURL(f"无法解析主机名 {parts.hostname}。") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        mapped = getattr(address, "ipv4_mapped", None)
        if not (mapped or address).is_global:
            raise UnsafeURL(
                f"{parts.hostname} 指向内网或保留地址（{address}），不能作为推送地址。"
            )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx answer itself is returned as an HTTPError


_opener = urllib.request.build_opener(_NoRedirects)


def send(
    url: str,
    *,
    body: bytes,
    headers: dict,
    method: str = "POST",
    timeout: float = 10,
    limit: int = 4096,
) -> tuple[int | None, bytes, str]:
    """Sends one request. Returns (status or None, the first ``limit`` bytes
    of the answer, an error text); never raises for network trouble."""
    try:
        check_outbound_url(url)
    except UnsafeURL as exc:
        return None, b"", f"UnsafeURL: {exc}"
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, response.read(limit), ""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(limit), ""
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, b"", f"{type(exc).__name__}: {reason}"
