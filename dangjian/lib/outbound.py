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
from collections.abc import Mapping
from email.message import Message
from typing import IO
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

# IPv6 ranges that carry an IPv4 address or tunnel to one: a receiver there
# could be relayed to any IPv4 host, including the city's internal ones, so
# none of them is ever a push address (NAT64 and IPv4-mapped addresses are
# judged by the IPv4 address they embed, see is_public_address).
_IPV6_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
_IPV6_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV6_REFUSED = tuple(
    ipaddress.ip_network(n)
    for n in (
        "2002::/16",  # 6to4: 2002:AABB:CCDD::/48 embeds the IPv4 AA.BB.CC.DD
        "2001::/32",  # Teredo
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation (RFC 9637)
    )
)


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Returns True only for a global unicast address the platform may send to.

    IPv4 must be global and not multicast. IPv6 must be global unicast
    (2000::/3), outside the tunnel and documentation ranges above; an
    IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) address counts as
    the IPv4 address it embeds. Everything else (IPv4-compatible ::a.b.c.d,
    local-use NAT64 64:ff9b:1::/48, unique-local, link-local, site-local,
    multicast, loopback, unspecified) is refused.
    """
    if address.version == 4:
        return address.is_global and not address.is_multicast
    if address.ipv4_mapped is not None:
        return is_public_address(address.ipv4_mapped)
    if address in _IPV6_NAT64:
        return is_public_address(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address not in _IPV6_GLOBAL_UNICAST:
        return False
    if any(address in network for network in _IPV6_REFUSED):
        return False
    return address.is_global and not address.is_multicast


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
        raise UnsafeURL(
            _("无法解析主机名 %(host)s。") % {"host": parts.hostname}
        ) from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not is_public_address(address):
            raise UnsafeURL(
                _("%(host)s 指向内网或保留地址（%(address)s），不能作为推送地址。")
                % {"host": parts.hostname, "address": address}
            )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None  # the 3xx answer itself is returned as an HTTPError


_opener = urllib.request.build_opener(_NoRedirects)


def send(
    url: str,
    *,
    body: bytes,
    headers: Mapping[str, str],
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
    request = urllib.request.Request(
        url, data=body, headers=dict(headers), method=method
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, response.read(limit), ""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(limit), ""
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, b"", f"{type(exc).__name__}: {reason}"
