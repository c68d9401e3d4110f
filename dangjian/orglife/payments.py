"""Online dues payments: an adapter interface and the signed callback.

A provider adapter starts an order (``PaymentAdapter.start`` returns what
the member's phone opens) and the provider later POSTs a callback to
``/orglife/dues/callback/``. The callback is trusted only when

* ``X-Payment-Signature`` is the hex HMAC-SHA256, under the shared secret
  ``DANGJIAN_PAYMENT_SECRET``, of ``"<timestamp>\\n<nonce>\\n"`` followed by
  the raw body;
* ``X-Payment-Timestamp`` (Unix seconds) is within five minutes of now; and
* ``X-Payment-Nonce`` has never been seen: it is stored in the same
  transaction that settles the order, so a replayed callback is refused.

The body is JSON: ``{"order": "<reference>", "status": "paid" | "failed",
"amount": "90.00"}``; the amount must be the order's. A provider that
retries a callback it already delivered (new nonce, same order) gets 200
and nothing changes. No vendor is wired in: ``SignedCallbackAdapter`` is
the generic one, and a vendor's adapter converts its own notice into this.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.orglife.models import CallbackNonce, DuesDeclaration, PaymentOrder

WINDOW_SECONDS = 300
MAX_BODY = 4096


class PaymentAdapter(Protocol):
    name: str

    def start(self, order: PaymentOrder) -> dict[str, str]:
        """What the member's client needs to pay the order (URL, parameters)."""
        ...


class SignedCallbackAdapter:
    """The generic adapter: the provider pays and calls back, signed."""

    name = "signed-callback"

    def start(self, order: PaymentOrder) -> dict[str, str]:
        return {"order": order.reference, "amount": str(order.amount)}


def secret() -> bytes:
    value = getattr(settings, "DANGJIAN_PAYMENT_SECRET", "")
    return value.encode() if value else b""


def sign(body: bytes, timestamp: str, nonce: str, key: bytes | None = None) -> str:
    key = secret() if key is None else key
    message = f"{timestamp}\n{nonce}\n".encode() + body
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class CallbackRefused(Exception):
    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


@transaction.atomic
def do_start_order(declaration: DuesDeclaration, months: list[dt.date]) -> PaymentOrder:
    """An order for these months at the declared amount."""
    if declaration.confirmed_at is None:
        raise ValidationError(_("党费基数尚未经支部确认"))
    months = sorted({m.replace(day=1) for m in months})
    if not months:
        raise ValidationError(_("请选择缴纳的月份"))
    return PaymentOrder.objects.create(
        reference=secrets.token_hex(12),
        person_id=declaration.person_id,
        branch_id=declaration.branch_id,
        months=[m.isoformat() for m in months],
        amount=declaration.monthly * len(months),
    )


def receive_callback(body: bytes, headers: Mapping[str, str]) -> PaymentOrder:
    """Checks a callback and settles its order; raises ``CallbackRefused``."""
    from dangjian.orglife.actions import do_record_payment

    key = secret()
    if not key:
        raise CallbackRefused(503, "not_configured", _("未配置在线缴费"))
    if len(body) > MAX_BODY:
        raise CallbackRefused(400, "too_large", _("回调内容过大"))
    timestamp = headers.get("X-Payment-Timestamp", "")
    nonce = headers.get("X-Payment-Nonce", "")
    signature = headers.get("X-Payment-Signature", "")
    if not (timestamp.isdigit() and 8 <= len(nonce) <= 64 and nonce.isascii()):
        raise CallbackRefused(401, "bad_signature", _("回调签名无效"))
    if not hmac.compare_digest(sign(body, timestamp, nonce, key), signature):
        raise CallbackRefused(401, "bad_signature", _("回调签名无效"))
    if abs(time.time() - int(timestamp)) > WINDOW_SECONDS:
        raise CallbackRefused(401, "expired", _("回调已过期"))
    try:
        data = json.loads(body)
        reference = str(data["order"])
        status = str(data["status"])
        amount = Decimal(str(data["amount"]))
    except (ValueError, KeyError, TypeError, InvalidOperation):
        raise CallbackRefused(400, "bad_body", _("回调内容格式错误")) from None
    try:
        with transaction.atomic():
            CallbackNonce.objects.create(nonce=nonce)
            order = (
                PaymentOrder.objects.select_for_update()
                .filter(reference=reference)
                .first()
            )
            if order is None:
                raise CallbackRefused(404, "not_found", _("没有这笔缴费订单"))
            if order.status != PaymentOrder.Status.PENDING:
                return order
            if amount != order.amount:
                raise CallbackRefused(409, "amount_mismatch", _("金额与订单不符"))
            if status == "paid":
                declaration = DuesDeclaration.objects.get(
                    person_id=order.person_id,
                    year=dt.date.fromisoformat(order.months[0]).year,
                )
                do_record_payment(
                    declaration,
                    [dt.date.fromisoformat(m) for m in order.months],
                    "online",
                    reference=order.reference,
                )
                order.status = PaymentOrder.Status.PAID
            else:
                order.status = PaymentOrder.Status.FAILED
            order.settled_at = timezone.now()
            order.save(update_fields=["status", "settled_at"])
            return order
    except IntegrityError:
        raise CallbackRefused(409, "replay", _("重复的回调（nonce 已使用）")) from None
    except ValidationError as exc:
        raise CallbackRefused(409, "conflict", "；".join(exc.messages)) from None
