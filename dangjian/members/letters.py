"""Transfers out of the city: a numbered introduction letter (介绍信) as a
PDF with a tear-off receipt. The member is 转出 from the moment the letter is
issued (no account, no 党内 scope) until the receipt is recorded, which
closes the transfer."""

from __future__ import annotations

import datetime as dt
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from dangjian.members.actions import do_change_status
from dangjian.members.models import IntroductionLetter, MemberProfile, Status
from dangjian.members.permissions import manages

VALID_DAYS = 90
FONT = "STSong-Light"


def _next_number(year: int) -> str:
    latest = (
        IntroductionLetter.objects.filter(number__startswith=f"{year}")
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    serial = int(latest[4:]) + 1 if latest else 1
    return f"{year}{serial:04d}"


def check_issue_letter(
    profile: MemberProfile, *, destination: str, acting_user
) -> IntroductionLetter:
    if not manages(acting_user, profile.branch_id):
        raise PermissionDenied(_("只有党员所在单位的管理员可以开具介绍信"))
    destination = (destination or "").strip()
    if not destination or len(destination) > 100:
        raise ValidationError({"destination": _("请填写接收党组织（100字以内）")})
    if not profile.has_access:
        raise ValidationError(_("该党员当前不在册，不能开具介绍信"))
    if profile.transfers.open().exists():
        raise ValidationError(_("该党员有正在办理的市内转接，请先办结或撤回"))
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return _issue(profile, destination, acting_user)
        except IntegrityError:
            continue  # another letter took the number: take the next one
    raise ValidationError(_("编号冲突，请重试"))


def _issue(profile: MemberProfile, destination: str, acting_user) -> IntroductionLetter:
    today = timezone.localdate()
    letter = IntroductionLetter.objects.create(
        profile=profile,
        number=_next_number(today.year),
        from_branch_id=profile.branch_id,
        destination=destination,
        issued_by=acting_user,
        valid_until=today + dt.timedelta(days=VALID_DAYS),
    )
    do_change_status(
        profile,
        Status.TRANSFERRED_OUT,
        reason=_("转往%(to)s（介绍信第%(n)s号）")
        % {"to": destination, "n": letter.number},
        acting_user=acting_user,
    )
    log(
        instance=profile,
        action="dangjian.members.letter",
        user=acting_user,
        data={"number": letter.number, "destination": destination},
    )
    return letter


@transaction.atomic
def do_record_receipt(letter: IntroductionLetter, *, acting_user) -> IntroductionLetter:
    if not manages(acting_user, letter.from_branch_id):
        raise PermissionDenied(_("只有转出单位的管理员可以登记回执"))
    letter = IntroductionLetter.objects.select_for_update().get(pk=letter.pk)
    if letter.receipt_recorded_at is not None:
        raise ValidationError(_("回执已登记"))
    letter.receipt_recorded_at = timezone.now()
    letter.receipt_recorded_by = acting_user
    letter.save(update_fields=["receipt_recorded_at", "receipt_recorded_by"])
    log(
        instance=letter.profile,
        action="dangjian.members.receipt",
        user=acting_user,
        data={"number": letter.number},
    )
    return letter


def letter_pdf(letter: IntroductionLetter) -> bytes:
    """The letter and, below a cut line, its receipt; both carry the number."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    profile = letter.profile
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"介绍信 第{letter.number}号")
    width, height = A4
    issued = timezone.localtime(letter.issued_at).date()

    def lines(top: float, rows: list[tuple[int, str]]) -> None:
        y = top
        for size, text in rows:
            pdf.setFont(FONT, size)
            pdf.drawString(60, y, text)
            y -= size + 12

    lines(
        height - 80,
        [
            (18, "中国共产党党员组织关系介绍信"),
            (12, f"第 {letter.number} 号"),
            (12, f"{letter.destination}："),
            (
                12,
                f"    {profile.name}同志（{profile.sex}，{profile.category}，"
                f"身份证号 {profile.id_masked}），",
            ),
            (12, f"    由{letter.from_branch.name}转往你处，请接转组织关系。"),
            (12, f"    党费缴纳至 {issued:%Y年%m月}。"),
            (12, f"    有效期至 {letter.valid_until:%Y年%m月%d日}。"),
            (12, f"{letter.from_branch.name}（盖章）    {issued:%Y年%m月%d日}"),
        ],
    )
    cut = height / 2 - 20
    pdf.setDash(4, 4)
    pdf.line(40, cut, width - 40, cut)
    pdf.setDash()
    pdf.setFont(FONT, 9)
    pdf.drawString(60, cut + 4, "…………………… 沿此线剪下，回执寄回转出党组织 ……………………")
    lines(
        cut - 40,
        [
            (16, "党员组织关系介绍信回执"),
            (12, f"第 {letter.number} 号"),
            (12, f"{letter.from_branch.name}："),
            (12, f"    {profile.name}同志的组织关系已转达我处，特此回复。"),
            (12, "接收党组织（盖章）                年    月    日"),
        ],
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
