"""HMAC-SHA256 signatures of outbound webhooks.

The receiver recomputes ``HMAC-SHA256(secret, "<timestamp>.<body>")`` and
compares it with ``X-Dangjian-Signature: sha256=<hex>``; the timestamp is in
the signed text so that an old request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Dangjian-Signature"
TIMESTAMP_HEADER = "X-Dangjian-Timestamp"
DELIVERY_HEADER = "X-Dangjian-Delivery"
EVENT_HEADER = "X-Dangjian-Event"
DEFAULT_TOLERANCE = 300


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(
    secret: str,
    timestamp: int | str,
    body: bytes,
    signature: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """Whether the signature is the secret's, over this body, and recent."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - sent) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, sent, body), signature or "")
