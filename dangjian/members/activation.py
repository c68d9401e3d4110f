"""First sign-in by SMS: a member proves their registered mobile number with a
one-time code, then sets a password (or keeps signing in by code).

The same mechanism as the votes' codes (``dangjian.voting``): the SMS
interface of ``dangjian.lib.sms``, only keyed hashes of the number and the
code are stored, a code expires after ``CODE_MINUTES``, allows
``CODE_MAX_ATTEMPTS`` tries, may be resent after ``CODE_RESEND_SECONDS`` and at
most ``CODES_PER_PHONE_PER_DAY`` times a day; each client address may ask
``CODES_PER_CLIENT_PER_HOUR`` codes and try ``TRIES_PER_CLIENT_PER_HOUR``
codes an hour (``dangjian.lib.ratelimit``).

Whether a number is registered is not told: an unknown number gets the same
answer as a known one, and no message.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.lib import otp
from dangjian.lib.keyed import normalise_mobile
from dangjian.lib.ratelimit import allow
from dangjian.lib.sms import SmsError, send_sms
from dangjian.members.actions import do_activate_account
from dangjian.members.models import NO_ACCESS, ActivationCode, MemberProfile

logger = logging.getLogger(__name__)

CODE_MINUTES = 10
CODE_MAX_ATTEMPTS = 5
CODE_RESEND_SECONDS = 60
CODES_PER_PHONE_PER_DAY = 10
CODES_PER_CLIENT_PER_HOUR = 20
TRIES_PER_CLIENT_PER_HOUR = 30


RULES = otp.CodeRules(
    minutes=CODE_MINUTES,
    max_attempts=CODE_MAX_ATTEMPTS,
    resend_seconds=CODE_RESEND_SECONDS,
    per_phone_per_day=CODES_PER_PHONE_PER_DAY,
)


class Refused(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _key() -> bytes:
    secret = getattr(settings, "DANGJIAN_MEMBERS_ID_KEY", "") or settings.SECRET_KEY
    return hmac.new(secret.encode(), b"dangjian.members.otp", "sha256").digest()


def _hash(value: str) -> str:
    return hmac.new(_key(), value.encode(), hashlib.sha256).hexdigest()


def _profiles(number: str):
    return MemberProfile.objects.filter(
        mobile=number, disabled_at__isnull=True
    ).exclude(status__in=NO_ACCESS)


def do_request_code(mobile: str, *, client: str, now=None) -> None:
    """Sends a code to a registered member's number (after the limits)."""
    now = now or timezone.now()
    number = normalise_mobile(mobile)
    if number is None:
        raise Refused(_("请输入正确的11位手机号"))
    if not allow("members-otp-client", client, CODES_PER_CLIENT_PER_HOUR, 3600):
        raise Refused(_("获取验证码过于频繁，请稍后再试"), 429)
    phone = _hash(f"phone:{number}")
    if not _profiles(number).exists():
        # The same answer as for a member (no row, so no limit reveals them).
        return
    try:
        with transaction.atomic():
            code = otp.issue_code(
                ActivationCode,
                phone,
                lambda c: _hash(f"code:{phone}:{c}"),
                now=now,
                rules=RULES,
            )
    except otp.CodeRefused as exc:
        raise Refused(exc.message, exc.status) from None
    try:
        send_sms(
            number,
            _("党员账号验证码 %(code)s，%(minutes)d 分钟内有效，请勿告诉他人。")
            % {"code": code, "minutes": CODE_MINUTES},
            template=getattr(settings, "MEMBERS_SMS_TEMPLATE", ""),
            params={"code": code, "minutes": CODE_MINUTES},
        )
    except SmsError as exc:
        logger.error("SMS sending failed: %s", exc)
        raise Refused(_("短信发送失败，请稍后再试"), 503) from exc


def check_code(mobile: str, code: str, *, client: str, now=None) -> str:
    """Checks a code; returns the verified number. A wrong code uses up one
    of the code's attempts (kept although the answer is an error)."""
    now = now or timezone.now()
    number = normalise_mobile(mobile)
    if number is None:
        raise Refused(_("请输入正确的11位手机号"))
    if not allow("members-otp-try", client, TRIES_PER_CLIENT_PER_HOUR, 3600):
        raise Refused(_("尝试次数过多，请稍后再试"), 429)
    phone = _hash(f"phone:{number}")
    try:
        otp.use_code(
            ActivationCode,
            phone,
            code,
            lambda c: _hash(f"code:{phone}:{c}"),
            now=now,
            rules=RULES,
        )
    except otp.CodeRefused as exc:
        raise Refused(exc.message, exc.status) from None
    return number


def check_activate(
    mobile: str, code: str, *, password: str = "", password2: str = "", client: str
):
    """Verifies the code, then activates the member's account (setting the
    password when one is given); returns the person to sign in."""
    if password != password2:
        raise Refused(_("两次输入的密码不一致"))
    if password:
        # Before the code is used up: a weak password costs no new code.
        try:
            validate_password(password)
        except ValidationError as exc:
            raise Refused("；".join(exc.messages)) from None
    number = check_code(mobile, code, client=client)
    profiles = list(_profiles(number).select_related("person")[:2])
    if len(profiles) != 1:
        raise Refused(
            _("该手机号登记了多名党员，请联系所在党支部")
            if profiles
            else _("该手机号未登记或账号已停用，请联系所在党支部")
        )
    profile = profiles[0]
    do_activate_account(profile, password=password)
    profile.person.refresh_from_db()
    return profile.person
