"""Who is voting, from where, on what: keyed hashes only, never raw numbers or IPs.

* A member votes as themself (``p:<person id>``); a member of the public as
  their verified mobile number (``m:<number>``). Either is turned into a
  ``voter_hash`` with a keyed HMAC, so the ledger never holds a number.
* The network is the client's /24 (IPv4) or /64 (IPv6), hashed the same way.
  The client's address is the project's one reading of it,
  ``dangjian.lib.clientaddr.client_ip`` (``X-Forwarded-For`` only behind the
  trusted proxy, ``DANGJIAN_TRUST_X_FORWARDED_FOR``).
* A voter session is a signed, time-limited token holding the voter hash; it
  travels in the ``X-Voter-Token`` header (API) or the ``dj_voter`` cookie
  (pages, with CSRF).
* A device is a random id the server issues, signed with a keyed HMAC: the
  ``dj_dev`` cookie (pages and API) or the ``X-Device-Id`` header (API
  clients without cookies, holding the ``device`` of ``POST /api/votes/session``).
  A device id the server did not sign is ignored, so a client cannot dodge
  the per-device limit by making up a new device for each vote.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from dangjian.lib import keyed
from dangjian.lib.clientaddr import client_ip

VOTER_COOKIE = "dj_voter"
DEVICE_COOKIE = "dj_dev"
VOTER_TOKEN_HEADER = "X-Voter-Token"
TOKEN_META_KEY = "HTTP_X_VOTER_TOKEN"
TOKEN_SALT = "dangjian.voting.voter"


def _key() -> str:
    return getattr(settings, "VOTING_HASH_KEY", "") or settings.SECRET_KEY


def keyed_hash(kind: str, value: str, length: int = 32) -> str:
    # Votes' hashes stay stable: the namespace is the one they always had.
    return keyed.keyed_hash(f"dangjian.voting.{kind}", value, length, _key())


def phone_hash(mobile: str) -> str:
    return keyed_hash("voter", "m:" + mobile)


def member_hash(person_id: int) -> str:
    return keyed_hash("voter", f"p:{person_id}")


def issue_voter_token(voter_hash: str) -> str:
    return signing.dumps({"v": voter_hash}, salt=TOKEN_SALT, compress=False)


# Tokens already checked in this process, for a minute: a voter sends the
# same token with every vote, and checking its signature each time costs
# more than the rest of the vote. Only good tokens are kept (so a token may
# outlive its max_age by up to that minute).
_TOKENS_SEEN: dict[str, tuple[float, str]] = {}
TOKEN_MEMORY_SECONDS = 60


def read_voter_token(token: str) -> str | None:
    now = time.monotonic()
    seen = _TOKENS_SEEN.get(token)
    if seen is not None and seen[0] > now:
        return seen[1]
    voter = _check_voter_token(token)
    if voter is not None:
        if len(_TOKENS_SEEN) > 100_000:
            _TOKENS_SEEN.clear()
        _TOKENS_SEEN[token] = (now + TOKEN_MEMORY_SECONDS, voter)
    return voter


def _check_voter_token(token: str) -> str | None:
    max_age = getattr(settings, "VOTING_SESSION_SECONDS", 7 * 24 * 3600)
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    value = data.get("v") if isinstance(data, dict) else None
    return value if isinstance(value, str) and len(value) == 32 else None


def network_of(address: str) -> str:
    """The /24 or /64 the address belongs to, as text."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "invalid"
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def network_hash(address: str) -> str:
    return _network_hash(address, _key())


@functools.lru_cache(maxsize=65536)
def _network_hash(address: str, secret: str) -> str:
    return keyed_hash("network", network_of(address), 16)


UA_PATTERNS = [
    ("bot", re.compile(r"bot|spider|crawl|curl|wget|python|httpclient|okhttp", re.I)),
    ("wechat", re.compile(r"MicroMessenger", re.I)),
    ("mobile", re.compile(r"Mobile|Android|iPhone|iPad", re.I)),
    ("desktop", re.compile(r"Windows|Macintosh|X11|Linux", re.I)),
]


@functools.lru_cache(maxsize=1024)
def ua_class(user_agent: str) -> str:
    for label, pattern in UA_PATTERNS:
        if pattern.search(user_agent or ""):
            return label
    return "other"


DEVICE_NAMESPACE = "dangjian.voting.device-id"


def new_device_id() -> str:
    """A new device token: a random id and its keyed MAC (see `read_device_id`)."""
    return keyed.new_device_token(DEVICE_NAMESPACE, _key())


def read_device_id(token: str | None) -> str | None:
    """The device id in a token the server issued, or None for anything else."""
    return keyed.read_device_token(token, DEVICE_NAMESPACE, _key())


def set_device_cookie(response, token: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE, token, max_age=365 * 86400, httponly=True, samesite="Lax"
    )


@dataclass(frozen=True)
class Voter:
    """The identity a vote is cast with, and where it comes from."""

    voter_hash: str
    person_id: int | None
    network_hash: str
    device_hash: str
    ua_class: str

    @property
    def is_member(self) -> bool:
        return self.person_id is not None


def request_context(request) -> tuple[str, str, str]:
    """Returns (network hash, device hash, user agent class) for a request."""
    ip = client_ip(request)
    net = network_hash(ip)
    ua = request.META.get("HTTP_USER_AGENT", "")
    # META, not request.headers: building the headers mapping costs more than a vote's rules.
    device = read_device_id(request.META.get("HTTP_X_DEVICE_ID")) or read_device_id(
        request.COOKIES.get(DEVICE_COOKIE)
    )
    # Without a device the server issued, the network and browser stand in:
    # leaving the device out never buys a fresh limit.
    device_hash = keyed_hash("device", device or f"{net}|{ua}", 16)
    return net, device_hash, ua_class(ua)


def voter_from_request(request, *, allow_cookie: bool = True) -> Voter | None:
    """The voter behind a request: the signed-in member, else a voter session."""
    net, device, ua = request_context(request)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Voter(member_hash(user.pk), user.pk, net, device, ua)
    token = request.META.get(TOKEN_META_KEY, "")
    if not token and allow_cookie:
        token = request.COOKIES.get(VOTER_COOKIE, "")
    voter = read_voter_token(token) if token else None
    if voter is None:
        return None
    return Voter(voter, None, net, device, ua)
