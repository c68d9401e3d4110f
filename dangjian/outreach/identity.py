"""Who rates an event, without an account: keyed hashes only.

A device is a random id the server issues with a keyed HMAC, kept in the
``dj_rdev`` cookie (or sent as ``X-Device-Id`` by an API client that got it
from the rating form): an id the server did not sign is ignored, so a new
made-up device never buys a second rating. Without a signed device the
network and browser stand in (the same scheme as votes'). A phone number,
when given, is kept only as a keyed hash too.
"""

from __future__ import annotations

import hmac
import re
import secrets

from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

from dangjian.lib.clientaddr import client_ip

DEVICE_COOKIE = "dj_rdev"
DEVICE_HEADER = "HTTP_X_DEVICE_ID"
MAC_LENGTH = 32
SALT = "dangjian.outreach.identity."
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def keyed_hash(kind: str, value: str, length: int = 32) -> str:
    return salted_hmac(SALT + kind, value).hexdigest()[:length]


def new_device_id() -> str:
    device = secrets.token_urlsafe(12)
    return f"{device}.{keyed_hash('device-id', device, MAC_LENGTH)}"


def read_device_id(token: str | None) -> str | None:
    """The device id in a token this server issued, or None for anything else."""
    device, dot, mac = (token or "").partition(".")
    if not dot or not 8 <= len(device) <= 32 or len(mac) != MAC_LENGTH:
        return None
    expected = keyed_hash("device-id", device, MAC_LENGTH)
    return device if hmac.compare_digest(mac, expected) else None


def device_token(request: HttpRequest) -> str | None:
    """The signed device token the request carries, if any."""
    for token in (request.META.get(DEVICE_HEADER), request.COOKIES.get(DEVICE_COOKIE)):
        if read_device_id(token):
            return token
    return None


def ensure_device_cookie(request: HttpRequest, response: HttpResponse) -> None:
    """Gives a browser without a signed device id a new one."""
    if device_token(request) is None:
        response.set_cookie(
            DEVICE_COOKIE,
            new_device_id(),
            max_age=365 * 86400,
            httponly=True,
            samesite="Lax",
        )


def device_hash(request: HttpRequest) -> str:
    device = read_device_id(device_token(request))
    if device is None:
        agent = request.META.get("HTTP_USER_AGENT", "")[:300]
        device = f"net:{client_ip(request)}|{agent}"
    return keyed_hash("device", device)


def normalise_mobile(raw: str) -> str | None:
    """An 11-digit mainland mobile number, or None when it is not one."""
    digits = re.sub(r"[\s-]", "", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits if MOBILE_RE.match(digits) else None


def phone_hash(mobile: str) -> str:
    return keyed_hash("phone", mobile)
