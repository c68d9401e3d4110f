"""Recognising a phone number, a browser or a caller again without keeping it.

* ``keyed_hash(namespace, value)``: an HMAC of the value under a key derived
  from the secret and the namespace (the derivation of Django's
  ``salted_hmac``, prepared once per namespace). Rows keep only the hash.
* ``normalise_mobile``: an 11-digit mainland mobile number from what people
  type (spaces, dashes, +86 or 0086), or None.
* ``purpose_hash(purpose, value, setting=...)``: HMAC-SHA256 under a key of
  its own setting (else SECRET_KEY) derived for the purpose — ID numbers
  (members) and callers' numbers (tickets), 64 hex digits.
* ``digits_only`` / ``mask_phone``: a number as people write it, and
  ``138****5678`` for showing it.
* Device tokens: a random id the server issues with its keyed MAC, kept in a
  cookie or sent in a header. A token the server did not sign is ignored, so a
  made-up device never buys a fresh limit.

Keys are read when used, never at import time.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
import unicodedata

from django.conf import settings

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
DEVICE_MAC_LENGTH = 32


@functools.lru_cache(maxsize=256)
def _base(namespace: str, secret: str) -> hmac.HMAC:
    key = hashlib.sha1(f"{namespace}{secret}".encode()).digest()
    return hmac.new(key, digestmod=hashlib.sha1)


def keyed_hash(namespace: str, value: str, length: int = 32, secret: str = "") -> str:
    """The hex HMAC of ``value`` in ``namespace`` (``secret``: else SECRET_KEY)."""
    mac = _base(namespace, secret or settings.SECRET_KEY).copy()
    mac.update(value.encode())
    return mac.hexdigest()[:length]


def normalise_mobile(raw: str | None) -> str | None:
    """An 11-digit mainland mobile number, or None when it is not one.
    Full-width digits (typed with a Chinese input method) count as digits."""
    digits = re.sub(r"[\s\-－]", "", unicodedata.normalize("NFKC", raw or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits if MOBILE_RE.match(digits) else None


def new_device_token(namespace: str, secret: str = "") -> str:
    """A new device token: a random id and its keyed MAC."""
    device = secrets.token_urlsafe(12)
    mac = keyed_hash(namespace, device, DEVICE_MAC_LENGTH, secret)
    return f"{device}.{mac}"


def read_device_token(
    token: str | None, namespace: str, secret: str = ""
) -> str | None:
    """The device id in a token this server issued, or None for anything else."""
    device, dot, mac = (token or "").partition(".")
    if not dot or not 8 <= len(device) <= 32 or len(mac) != DEVICE_MAC_LENGTH:
        return None
    expected = keyed_hash(namespace, device, DEVICE_MAC_LENGTH, secret)
    return device if hmac.compare_digest(mac, expected) else None


def purpose_hash(purpose: str, value: str, *, setting: str = "SECRET_KEY") -> str:
    """HMAC-SHA256 of ``value`` under the key in ``setting`` (the secret key
    when that setting is empty), derived for ``purpose``; 64 hex digits."""
    key = (getattr(settings, setting, "") or settings.SECRET_KEY).encode()
    derived = hmac.new(key, f"dangjian.{purpose}".encode(), "sha256")
    return hmac.new(derived.digest(), value.encode(), hashlib.sha256).hexdigest()


def digits_only(raw: str) -> str:
    """The digits of a phone number as people write it (spaces, dashes, +86)."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", raw or ""))
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def mask_phone(raw: str) -> str:
    """``138****5678`` for a mobile, the last four digits for anything else."""
    digits = digits_only(raw)
    if len(digits) == 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)
