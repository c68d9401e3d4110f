"""Resident ID numbers (身份证号): checked, matched by a keyed hash, shown masked.

* ``check_id_number`` validates the 18-character number with python-stdnum
  (birth date and the ISO 7064 check character) and returns it normalised.
* ``id_hash`` is an HMAC-SHA256 of the number under a key of its own
  (``DANGJIAN_MEMBERS_ID_KEY``, else derived from ``SECRET_KEY``): rows are
  matched on it (re-imports, duplicates) without anyone reading numbers.
* ``mask`` keeps the first four and last four characters
  (``1502**********1234``), the only form pages, lists, exports and the API show.
* ``seal`` / ``unseal`` encrypt the full number (Fernet: AES with an HMAC)
  under a key derived the same way, so the database alone never shows it;
  only the full-record view unseals it, for the member's own unit admins,
  and logs that it did.

Keys are read when used, never at import time.
"""

from __future__ import annotations

import base64
import functools
import hmac
import re

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent, ValidationError

from dangjian.lib.keyed import purpose_hash


def _secret() -> bytes:
    key = getattr(settings, "DANGJIAN_MEMBERS_ID_KEY", "") or settings.SECRET_KEY
    return key.encode()


def _derived(purpose: str) -> bytes:
    return hmac.new(
        _secret(), f"dangjian.members.{purpose}".encode(), "sha256"
    ).digest()


SHAPE = re.compile(r"^\d{17}[\dX]$")


@functools.lru_cache(maxsize=8192)
def _region_known(prefix: str, year: str) -> bool:
    # python-stdnum looks the region up in its table on every call (about a
    # millisecond); a roster has few regions and years, each looked up once.
    # Counties have dates: a code is valid for people born while it existed.
    try:
        ric.get_birth_place(f"{prefix}{year}01010000")
    except InvalidComponent:
        return False
    return True


def check_id_number(raw: object) -> tuple[str | None, str | None]:
    """Returns (normalised number, None) or (None, Chinese reason): the
    checks of ``stdnum.cn.ric.validate`` (length, check character, birth
    date, region)."""
    text = "" if raw is None else str(raw).strip().upper().replace(" ", "")
    if not text:
        return None, _("身份证号不能为空")
    if not SHAPE.match(text):
        return None, _("身份证号格式错误（应为18位）")
    if text[-1] != ric.calc_check_digit(text):
        return None, _("身份证号校验位错误")
    try:
        ric.get_birth_date(text)
    except (InvalidComponent, ValidationError):
        return None, _("身份证号中的出生日期无效")
    if not _region_known(text[:6], text[6:10]):
        return None, _("身份证号中的地区码无效")
    return text, None


def birth_date(number: str):
    return ric.get_birth_date(number)


def id_hash(number: str) -> str:
    # The same construction as ``_derived("hash")`` then HMAC-SHA256, written
    # once in lib (tickets hash callers' numbers with it too).
    return purpose_hash("members.hash", number, setting="DANGJIAN_MEMBERS_ID_KEY")


def mask(number: str) -> str:
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derived("seal")))


def seal(number: str) -> str:
    return _fernet().encrypt(number.encode()).decode()


def unseal(token: str) -> str:
    """The full number; "" when the key has changed since it was sealed."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return ""
