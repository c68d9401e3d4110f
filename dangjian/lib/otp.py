"""One-time SMS codes: issued under limits, checked with a bounded number of
attempts. Votes (a member of the public proving a number) and first sign-in
(a member activating an account) keep their codes in their own tables of the
same shape — ``phone_hash``, ``code_hash``, ``created_at``, ``expires_at``,
``attempts``, ``used_at`` — and send their own texts; the rules are here.

Only keyed hashes are stored: the caller passes the number's hash and a
function that hashes a code for that number.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class CodeRules:
    minutes: int = 5
    max_attempts: int = 5
    resend_seconds: int = 60
    per_phone_per_day: int = 10


class CodeRefused(Exception):
    """Why a code was not sent or not accepted: a stable ``code`` (e.g.
    ``code_expired``), the HTTP status and a Chinese message."""

    def __init__(self, status: int, code: str, message: Any, **extra: Any) -> None:
        super().__init__(str(message))
        self.status = status
        self.code = code
        self.message = str(message)
        self.extra = extra


def issue_code(
    model: Any,
    phone_hash: str,
    hash_code: Callable[[str], str],
    *,
    now: dt.datetime,
    rules: CodeRules = CodeRules(),
) -> str:
    """Stores a new six-digit code for the number (after its limits) and
    returns it, for the caller to send."""
    latest = model.objects.filter(phone_hash=phone_hash).order_by("-created_at").first()
    if latest and (now - latest.created_at).total_seconds() < rules.resend_seconds:
        wait = rules.resend_seconds - int((now - latest.created_at).total_seconds())
        raise CodeRefused(
            429,
            "code_too_soon",
            _("验证码已发送，请 %(n)d 秒后再试") % {"n": wait},
            retry_after=wait,
        )
    since = now - dt.timedelta(days=1)
    sent_today = model.objects.filter(phone_hash=phone_hash, created_at__gte=since)
    if sent_today.count() >= rules.per_phone_per_day:
        raise CodeRefused(429, "code_limit", _("该手机号今日获取验证码次数过多"))
    code = f"{secrets.randbelow(10**6):06d}"
    model.objects.create(
        phone_hash=phone_hash,
        code_hash=hash_code(code),
        created_at=now,
        expires_at=now + dt.timedelta(minutes=rules.minutes),
    )
    return code


def use_code(
    model: Any,
    phone_hash: str,
    given: str,
    hash_code: Callable[[str], str],
    *,
    now: dt.datetime,
    rules: CodeRules = CodeRules(),
) -> None:
    """Accepts the latest unused code of the number once. A wrong code uses
    up one attempt, and that is kept although the answer is an error."""
    with transaction.atomic():
        otp = (
            model.objects.select_for_update()
            .filter(phone_hash=phone_hash, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if otp is None:
            raise CodeRefused(400, "no_code", _("请先获取验证码"))
        if otp.expires_at <= now:
            raise CodeRefused(400, "code_expired", _("验证码已过期，请重新获取"))
        if otp.attempts >= rules.max_attempts:
            raise CodeRefused(429, "code_locked", _("错误次数过多，请重新获取验证码"))
        given = "".join((given or "").split())
        if secrets.compare_digest(otp.code_hash, hash_code(given)):
            otp.used_at = now
            otp.save(update_fields=["used_at"])
            return
        otp.attempts += 1
        otp.save(update_fields=["attempts"])
        left = rules.max_attempts - otp.attempts
        wrong = CodeRefused(
            400,
            "bad_code",
            _("验证码错误，还可尝试 %(n)d 次") % {"n": left}
            if left
            else _("错误次数过多，请重新获取验证码"),
            attempts_left=left,
        )
    raise wrong
