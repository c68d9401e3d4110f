"""Keyed hashes of personal values (phone numbers, ID numbers) for lookup.

A value that must be found again but never shown again (a caller's number,
to find their earlier tickets) is kept only as an HMAC under a key from
the settings: without the key a table of all mobile numbers cannot undo
it. ``purpose`` separates the uses, so one app's hash of a number does not
match another's.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings


def _key(setting: str) -> bytes:
    return (getattr(settings, setting, "") or settings.SECRET_KEY).encode()


def keyed_hash(purpose: str, value: str, *, setting: str = "SECRET_KEY") -> str:
    """HMAC-SHA256 of ``value`` under the key in ``setting`` (the secret key
    when that setting is empty), derived for ``purpose``; 64 hex digits."""
    derived = hmac.new(_key(setting), f"dangjian.{purpose}".encode(), "sha256")
    return hmac.new(derived.digest(), value.encode(), hashlib.sha256).hexdigest()


def digits_only(raw: str) -> str:
    """The digits of a phone number as people write it (spaces, dashes, +86)."""
    digits = re.sub(r"\D", "", raw or "")
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
