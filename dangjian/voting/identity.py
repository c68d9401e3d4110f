"""Who is voting, from where, on what: keyed hashes only, never raw numbers or IPs.

* A member votes as themself (``p:<person id>``); a member of the public as
  their verified mobile number (``m:<number>``). Either is turned into a
  ``voter_hash`` with a keyed HMAC, so the ledger never holds a number.
* The network is the client's /24 (IPv4) or /64 (IPv6), hashed the same way.
  ``X-Forwarded-For`` is believed only when the request comes from one of
  ``VOTING_TRUSTED_PROXIES``.
* A voter session is a signed, time-limited token holding the voter hash; it
  travels in the ``X-Voter-Token`` header (API) or the ``dj_voter`` cookie
  (pages, with CSRF).
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

VOTER_COOKIE = "dj_voter"
DEVICE_COOKIE = "dj_dev"
VOTER_TOKEN_HEADER = "X-Voter-Token"
TOKEN_SALT = "dangjian.voting.voter"
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def _key() -> str:
    return getattr(settings, "VOTING_HASH_KEY", "") or settings.SECRET_KEY


def keyed_hash(kind: str, value: str, length: int = 32) -> str:
    return salted_hmac(f"dangjian.voting.{kind}", value, secret=_key()).hexdigest()[
        :length
    ]


def normalise_mobile(raw: str) -> str | None:
    """Returns an 11-digit mainland mobile number, or None when it is not one."""
    digits = re.sub(r"[\s-]", "", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits if MOBILE_RE.match(digits) else None


def phone_hash(mobile: str) -> str:
    return keyed_hash("voter", "m:" + mobile)


def member_hash(person_id: int) -> str:
    return keyed_hash("voter", f"p:{person_id}")


def issue_voter_token(voter_hash: str) -> str:
    return signing.dumps({"v": voter_hash}, salt=TOKEN_SALT, compress=False)


def read_voter_token(token: str) -> str | None:
    max_age = getattr(settings, "VOTING_SESSION_SECONDS", 7 * 24 * 3600)
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    value = data.get("v") if isinstance(data, dict) else None
    return value if isinstance(value, str) and len(value) == 32 else None


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"
    trusted = getattr(settings, "VOTING_TRUSTED_PROXIES", [])
    if trusted and _in_networks(remote, trusted):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        # The right-most address not belonging to a trusted proxy is the client.
        for candidate in reversed([p.strip() for p in forwarded.split(",") if p]):
            if not _in_networks(candidate, trusted):
                return candidate
    return remote


def _in_networks(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for net in networks:
        try:
            if ip in ipaddress.ip_network(net, strict=False):
                return True
        except ValueError:
            continue
    return False


def network_of(address: str) -> str:
    """The /24 or /64 the address belongs to, as text."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "invalid"
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def network_hash(address: str) -> str:
    return keyed_hash("network", network_of(address), 16)


UA_PATTERNS = [
    ("bot", re.compile(r"bot|spider|crawl|curl|wget|python|httpclient|okhttp", re.I)),
    ("wechat", re.compile(r"MicroMessenger", re.I)),
    ("mobile", re.compile(r"Mobile|Android|iPhone|iPad", re.I)),
    ("desktop", re.compile(r"Windows|Macintosh|X11|Linux", re.I)),
]


def ua_class(user_agent: str) -> str:
    for label, pattern in UA_PATTERNS:
        if pattern.search(user_agent or ""):
            return label
    return "other"


def new_device_id() -> str:
    return secrets.token_urlsafe(12)


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
    device = request.headers.get("X-Device-Id") or request.COOKIES.get(DEVICE_COOKIE)
    device_hash = keyed_hash("device", device or f"{net}|{ua}", 16)
    return net, device_hash, ua_class(ua)


def voter_from_request(request, *, allow_cookie: bool = True) -> Voter | None:
    """The voter behind a request: the signed-in member, else a voter session."""
    net, device, ua = request_context(request)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Voter(member_hash(user.pk), user.pk, net, device, ua)
    token = request.headers.get(VOTER_TOKEN_HEADER, "")
    if not token and allow_cookie:
        token = request.COOKIES.get(VOTER_COOKIE, "")
    voter = read_voter_token(token) if token else None
    if voter is None:
        return None
    return Voter(voter, None, net, device, ua)
