"""One-time codes: how a member of the public proves a mobile number to vote."""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.lib.keyed import normalise_mobile
from dangjian.lib.sms import SmsError, send_sms
from dangjian.voting.actions.errors import VoteRefused
from dangjian.voting.identity import keyed_hash, phone_hash
from dangjian.voting.models import OneTimeCode

logger = logging.getLogger(__name__)

CODE_MINUTES = 5
CODE_MAX_ATTEMPTS = 5
CODE_RESEND_SECONDS = 60
CODES_PER_PHONE_PER_DAY = 10
CODES_PER_NETWORK_PER_HOUR = 60


def _code_hash(phone: str, code: str) -> str:
    return keyed_hash("otp", f"{phone}:{code}", 64)


def do_request_code(mobile: str, *, network_hash: str = "", now=None) -> dict:
    """Sends a one-time code to a mobile number (after its rate limits)."""
    now = now or timezone.now()
    number = normalise_mobile(mobile)
    if number is None:
        raise VoteRefused(400, "bad_mobile", _("请输入正确的11位手机号"))
    phone = phone_hash(number)
    latest = (
        OneTimeCode.objects.filter(phone_hash=phone).order_by("-created_at").first()
    )
    if latest and (now - latest.created_at).total_seconds() < CODE_RESEND_SECONDS:
        wait = CODE_RESEND_SECONDS - int((now - latest.created_at).total_seconds())
        raise VoteRefused(
            429, "code_too_soon", _("验证码已发送，请稍后再试"), retry_after=wait
        )
    since = now - dt.timedelta(days=1)
    if (
        OneTimeCode.objects.filter(phone_hash=phone, created_at__gte=since).count()
        >= CODES_PER_PHONE_PER_DAY
    ):
        raise VoteRefused(429, "code_limit", _("该手机号今日获取验证码次数过多"))
    if network_hash:
        net_key = f"dj:v:otpnet:{network_hash}:{int(now.timestamp() // 3600)}"
        cache.add(net_key, 0, 3700)
        if cache.incr(net_key) > CODES_PER_NETWORK_PER_HOUR:
            raise VoteRefused(429, "code_limit", _("当前网络获取验证码过于频繁"))
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        OneTimeCode.objects.create(
            phone_hash=phone,
            code_hash=_code_hash(phone, code),
            created_at=now,
            expires_at=now + dt.timedelta(minutes=CODE_MINUTES),
        )
    try:
        send_sms(
            number,
            _("投票验证码 %(code)s，%(minutes)d 分钟内有效，请勿告诉他人。")
            % {"code": code, "minutes": CODE_MINUTES},
            template=getattr(settings, "VOTING_SMS_TEMPLATE", ""),
            params={"code": code, "minutes": CODE_MINUTES},
        )
    except SmsError as exc:
        logger.error("SMS sending failed: %s", exc)
        raise VoteRefused(503, "sms_failed", _("短信发送失败，请稍后再试")) from exc
    return {
        "sent": True,
        "expires_in": CODE_MINUTES * 60,
        "resend_in": CODE_RESEND_SECONDS,
    }


def check_verify_code(mobile: str, code: str, *, now=None) -> str:
    """Checks a one-time code; returns the voter hash of the verified number.

    A wrong code uses up one of the code's attempts, and that is kept even
    though the answer is an error.
    """
    now = now or timezone.now()
    number = normalise_mobile(mobile)
    if number is None:
        raise VoteRefused(400, "bad_mobile", _("请输入正确的11位手机号"))
    phone = phone_hash(number)
    with transaction.atomic():
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(phone_hash=phone, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if otp is None:
            raise VoteRefused(400, "no_code", _("请先获取验证码"))
        if otp.expires_at <= now:
            raise VoteRefused(400, "code_expired", _("验证码已过期，请重新获取"))
        if otp.attempts >= CODE_MAX_ATTEMPTS:
            raise VoteRefused(429, "code_locked", _("错误次数过多，请重新获取验证码"))
        if not secrets.compare_digest(
            otp.code_hash, _code_hash(phone, (code or "").strip())
        ):
            otp.attempts += 1
            otp.save(update_fields=["attempts"])
            left = CODE_MAX_ATTEMPTS - otp.attempts
            wrong: VoteRefused | None = VoteRefused(
                400, "bad_code", _("验证码错误"), attempts_left=left
            )
        else:
            otp.used_at = now
            otp.save(update_fields=["used_at"])
            wrong = None
    if wrong is not None:
        raise wrong
    return phone
