"""Who rates an event, without an account: keyed hashes only.

A device is a random id the server issues with a keyed HMAC, kept in the
``dj_rdev`` cookie (or sent as ``X-Device-Id`` by an API client that got it
from the rating form): an id the server did not sign is ignored, so a new
made-up device never buys a second rating. Without a signed device the
network and browser stand in (the same scheme as votes'). A phone number,
when given, is kept only as a keyed hash too.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from dangjian.lib import keyed
from dangjian.lib.clientaddr import client_ip

DEVICE_COOKIE = "dj_rdev"
DEVICE_HEADER = "HTTP_X_DEVICE_ID"
MAC_LENGTH = 32
SALT = "dangjian.outreach.identity."


def keyed_hash(kind: str, value: str, length: int = 32) -> str:
    return keyed.keyed_hash(SALT + kind, value, length)


def new_device_id() -> str:
    return keyed.new_device_token(SALT + "device-id")


def read_device_id(token: str | None) -> str | None:
    """The device id in a token this server issued, or None for anything else."""
    return keyed.read_device_token(token, SALT + "device-id")


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


def phone_hash(mobile: str) -> str:
    return keyed_hash("phone", mobile)
