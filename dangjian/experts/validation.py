"""Field checks shared by the public form, the API and the admin."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

MOBILE = re.compile(r"^1[3-9]\d{9}$")

# Extension → the first bytes a real file of that type starts with. Checking
# the content as well as the name stops a renamed executable.
ATTACHMENT_TYPES = {
    "pdf": (b"%PDF",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "doc": (b"\xd0\xcf\x11\xe0",),
    "xls": (b"\xd0\xcf\x11\xe0",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
}


def max_attachment_bytes() -> int:
    return getattr(settings, "DANGJIAN_EXPERTS_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)


def max_attachments() -> int:
    return getattr(settings, "DANGJIAN_EXPERTS_ATTACHMENT_MAX_COUNT", 3)


def normalise_credit_code(value: str) -> str:
    return "".join((value or "").split()).upper()


def validate_credit_code(value: str) -> None:
    """A unified social credit code (统一社会信用代码, GB 32100-2015) with its check digit."""
    try:
        uscc.validate(value)
    except StdnumError:
        raise ValidationError(
            _("统一社会信用代码不正确：应为18位数字或大写字母，且校验位正确"),
            code="credit_code",
        ) from None


def validate_mobile(value: str) -> None:
    if not MOBILE.match(value or ""):
        raise ValidationError(_("请填写11位手机号码"), code="mobile")


def validate_attachment(upload) -> None:
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(
            _("附件“%(name)s”类型不支持，仅限 %(types)s"),
            code="attachment_type",
            params={"name": name, "types": "、".join(sorted(ATTACHMENT_TYPES))},
        )
    limit = max_attachment_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("附件“%(name)s”超过 %(limit)s 上限"),
            code="attachment_size",
            params={"name": name, "limit": filesizeformat(limit)},
        )
    if upload.size == 0:
        raise ValidationError(
            _("附件“%(name)s”是空文件"),
            code="attachment_empty",
            params={"name": name},
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(ATTACHMENT_TYPES[extension]):
        raise ValidationError(
            _("附件“%(name)s”的内容与扩展名不符"),
            code="attachment_content",
            params={"name": name},
        )
