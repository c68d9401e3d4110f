"""One-time codes: how a member of the public proves a mobile number to vote."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.lib import otp
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


RULES = otp.CodeRules(
    minutes=CODE_MINUTES,
    max_attempts=CODE_MAX_ATTEMPTS,
    resend_seconds=CODE_RESEND_SECONDS,
    per_phone_per_day=CODES_PER_PHONE_PER_DAY,
)


def _refused(exc: otp.CodeRefused) -> VoteRefused:
    return VoteRefused(exc.status, exc.code, exc.message, **exc.extra)


def do_request_code(mobile: str, *, network_hash: str = "", now=None) -> dict:
    """Sends a one-time code to a mobile number (after its rate limits)."""
    now = now or timezone.now()
    number = normalise_mobile(mobile)
    if number is None:
        raise VoteRefused(400, "bad_mobile", _("请输入正确的11位手机号"))
    phone = phone_hash(number)
    if network_hash:
        net_key = f"dj:v:otpnet:{network_hash}:{int(now.timestamp() // 3600)}"
        cache.add(net_key, 0, 3700)
        if cache.incr(net_key) > CODES_PER_NETWORK_PER_HOUR:
            raise VoteRefused(429, "code_limit", _("当前网络获取验证码过于频繁"))
    try:
        with transaction.atomic():
            code = otp.issue_code(
                OneTimeCode,
                phone,
                lambda c: _code_hash(phone, c),
                now=now,
                rules=RULES,
            )
    except otp.CodeRefused as exc:
        raise _refused(exc) from None
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
    try:
        otp.use_code(
            OneTimeCode,
            phone,
            code,
            lambda c: _code_hash(phone, c),
            now=now,
            rules=RULES,
        )
    except otp.CodeRefused as exc:
        raise _refused(exc) from None
    return phone
