"""What organisation life publishes as 党务公开 items, and the documents of
recruitment steps.

* A branch's annual dues collection summary (党费收缴情况) and a 发展对象's
  公示 are proposed through the disclosure column's interface (the
  ``dangjian_disclosure`` hook, ``lib.plugins.DISCLOSURE``; orglife imports
  no disclosure module). A proposal is a draft item submitted to the
  column's release workflow (scan → 保密审查 → 单位审批); nothing here
  publishes.
* Admission as 预备党员 waits for the 公示 item: published, not withdrawn,
  and ``NOTICE_WORKDAYS`` working days counted from its publication date
  (or the chosen start, if later) passed (``check_notice``).
* Documents of a step (``RecruitDocument``) are stored under the private
  prefix ``orglife/`` (``lib.storage``) and served only by
  ``/orglife/document/<id>/`` to the branch's secretary and the unit admins
  above it.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from wagtail.log_actions import log

from dangjian.orglife import dues, recruitment
from dangjian.orglife.models import (
    DuesDeclaration,
    DuesSummaryDisclosure,
    Recruit,
    RecruitDocument,
    RecruitNotice,
    RecruitStep,
    Stage,
)
from dangjian.orglife.permissions import manages
from dangjian.orgs.models import Organisation

NOTICE_WORKDAYS = recruitment.NOTICE_WORKDAYS
# The item statuses of ``disclosure.interface`` that keep a proposal standing.
PENDING = ("draft", "in_review", "needs_changes")
OPEN = (*PENDING, "published")

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Allowed types: extension → (content type, what the file starts with).
DOCUMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
}


service = recruitment.disclosure_service
notice_end = recruitment.notice_end
latest_notice = recruitment.latest_notice
check_notice = recruitment.check_published_notice


def _service_for(branch: Organisation) -> Any:
    found = service()
    if found is None or not found.accepts(branch):
        raise ValidationError("本支部及上级单位尚未开设党务公开专栏，无法提交公开")
    return found


def _allowed(user, branch: Organisation) -> None:
    if user is None or not manages(user, branch):
        raise PermissionDenied("只有本支部书记和上级单位管理员可以办理")


# 党费收缴情况 ------------------------------------------------------------------


def dues_summary_html(branch: Organisation, year: int, summary: dict) -> str:
    rows = [
        ("申报党费基数人数", f"{summary['declared']} 人"),
        ("已收缴党费", f"{summary['collected']} 元"),
        ("欠缴党费", f"{summary['owed']} 元"),
    ]
    cells = "".join(
        f"<li><b>{escape(label)}</b>：{escape(value)}</li>" for label, value in rows
    )
    return (
        f"<p>{escape(branch.name)}{year}年度党费收缴情况如下"
        f"（统计至{timezone.localdate():%Y年%m月%d日}）：</p><ul>{cells}</ul>"
        "<p>党费收缴、使用和管理情况接受党员监督。</p>"
    )


def dues_summary_link(branch: Organisation, year: int):
    return DuesSummaryDisclosure.objects.filter(branch=branch, year=year).first()


def dues_summary_status(branch: Organisation, year: int):
    """The proposed summary's ``ItemStatus`` (None: not proposed, or no
    disclosure column)."""
    link = dues_summary_link(branch, year)
    found = service()
    if link is None or found is None:
        return None
    return found.item_status(link.item_id)


@transaction.atomic
def do_propose_dues_summary(
    branch: Organisation, year: int, *, acting_user
) -> tuple[DuesSummaryDisclosure, bool]:
    """Proposes the year's collection summary as a 党内公开 item of the
    branch, once per branch and year. Returns the link and whether it was
    created now; a second call returns the standing proposal."""
    _allowed(acting_user, branch)
    if not branch.is_branch:
        raise ValidationError("只有党支部可以公开党费收缴情况")
    if year > timezone.localdate().year:
        raise ValidationError("不能公开尚未开始年度的党费收缴情况")
    # The branch row is the lock: a double submit waits here, then finds
    # the first one's proposal.
    Organisation.objects.select_for_update().filter(pk=branch.pk).first()
    existing = dues_summary_link(branch, year)
    disclosure = _service_for(branch)
    if existing is not None:
        if disclosure.item_status(existing.item_id).status in OPEN:
            return existing, False
        existing.delete()  # withdrawn or deleted: propose it again
    if not DuesDeclaration.objects.filter(branch=branch, year=year).exists():
        raise ValidationError("本年度还没有党员申报党费，没有可公开的收缴情况")
    summary = dues.collection_summary([branch.pk], year)[0]
    item_id = disclosure.propose_item(
        branch,
        title=f"{branch.name}{year}年度党费收缴情况",
        body_html=dues_summary_html(branch, year, summary),
        summary=f"{year}年度党费收缴情况",
        kind="dues",
        user=acting_user,
        internal=True,
    )
    if item_id is None:
        raise ValidationError("本支部及上级单位尚未开设党务公开专栏，无法提交公开")
    link = DuesSummaryDisclosure.objects.create(
        branch=branch, year=year, item_id=item_id, proposed_by=acting_user
    )
    return link, True


# 发展对象公示 ------------------------------------------------------------------


def notice_html(recruit: Recruit, start: dt.date, end: dt.date) -> str:
    return (
        f"<p>经支部委员会研究，拟接收{escape(recruit.name)}同志为中共预备党员，"
        f"现予以公示。</p><ul><li><b>姓名</b>：{escape(recruit.name)}</li>"
        f"<li><b>所在党支部</b>：{escape(recruit.branch.name)}</li>"
        f"<li><b>公示期</b>：{start:%Y年%m月%d日}至{end:%Y年%m月%d日}"
        f"（{NOTICE_WORKDAYS}个工作日，自发布之日起算）</li></ul>"
        "<p>公示期间，党员和群众可通过来信、来电、来访等方式向党支部反映情况。</p>"
    )


def notice_status(recruit: Recruit):
    notice = latest_notice(recruit)
    found = service()
    if notice is None or found is None:
        return None
    return found.item_status(notice.item_id)


@transaction.atomic
def do_propose_notice(
    recruit: Recruit, start: dt.date, *, acting_user
) -> tuple[RecruitNotice, bool]:
    """Proposes the 公示 of a 发展对象 from ``start`` as a 党务公开 item and
    records its dates. A standing proposal (in review or published) is
    returned as it is; after a withdrawal a new one may be proposed."""
    recruit = (
        Recruit.objects.select_for_update().select_related("branch").get(pk=recruit.pk)
    )
    _allowed(acting_user, recruit.branch)
    if recruit.stage != Stage.CANDIDATE:
        raise ValidationError("只有发展对象可以发起接收预备党员前的公示")
    disclosure = _service_for(recruit.branch)
    existing = latest_notice(recruit)
    if existing is not None:
        if disclosure.item_status(existing.item_id).status in OPEN:
            return existing, False
    assert recruit.candidate_on is not None
    if start < recruit.candidate_on:
        raise ValidationError("公示不能早于列为发展对象的日期")
    end = notice_end(start)
    recruitment.do_record_notice(recruit, start, end, acting_user=acting_user)
    item_id = disclosure.propose_item(
        recruit.branch,
        title=f"关于拟接收{recruit.name}同志为预备党员的公示",
        body_html=notice_html(recruit, start, end),
        summary=f"{recruit.branch.name}拟接收{recruit.name}同志为预备党员",
        kind="recruitment",
        user=acting_user,
    )
    if item_id is None:
        raise ValidationError("本支部及上级单位尚未开设党务公开专栏，无法提交公开")
    notice = RecruitNotice.objects.create(
        recruit=recruit,
        item_id=item_id,
        starts_on=start,
        ends_on=end,
        proposed_by=acting_user,
    )
    return notice, True


@transaction.atomic
def do_record_past_notice(
    recruit: Recruit, start: dt.date, *, acting_user
) -> RecruitNotice:
    """A 公示 that was published before the platform held the register (an
    old paper register, the demo's history): brought into the column as an
    item released on ``start`` (audited there as imported, not reviewed),
    and recorded like a proposed one. ``start`` must be in the past; the
    pages offer only ``do_propose_notice``."""
    recruit = (
        Recruit.objects.select_for_update().select_related("branch").get(pk=recruit.pk)
    )
    _allowed(acting_user, recruit.branch)
    if recruit.stage != Stage.CANDIDATE:
        raise ValidationError("只有发展对象可以登记接收预备党员前的公示")
    if start >= timezone.localdate():
        raise ValidationError("只能登记已经发布过的公示")
    disclosure = _service_for(recruit.branch)
    end = notice_end(start)
    recruitment.do_record_notice(recruit, start, end, acting_user=acting_user)
    item_id = disclosure.import_past_item(
        recruit.branch,
        title=f"关于拟接收{recruit.name}同志为预备党员的公示",
        body_html=notice_html(recruit, start, end),
        kind="recruitment",
        user=acting_user,
        released_at=timezone.make_aware(dt.datetime.combine(start, dt.time(9, 0))),
    )
    if item_id is None:
        raise ValidationError("本支部及上级单位尚未开设党务公开专栏，无法登记")
    return RecruitNotice.objects.create(
        recruit=recruit,
        item_id=item_id,
        starts_on=start,
        ends_on=end,
        proposed_by=acting_user,
    )


# 发展材料 ----------------------------------------------------------------------


def _sniffed_type(name: str, head: bytes) -> str:
    ext = os.path.splitext(name)[1].lower()
    if ext not in DOCUMENT_TYPES:
        raise ValidationError("只能上传 PDF、JPG、PNG 或 DOCX 文件")
    content_type, magics = DOCUMENT_TYPES[ext]
    if not any(head.startswith(m) for m in magics):
        raise ValidationError(
            "文件内容与扩展名不符，请上传有效的 PDF、JPG、PNG 或 DOCX 文件"
        )
    return content_type


@transaction.atomic
def do_upload_document(
    step: RecruitStep, title: str, upload, *, acting_user
) -> RecruitDocument:
    """Keeps one document of a step in the private storage."""
    step = RecruitStep.objects.select_related("recruit__branch").get(pk=step.pk)
    _allowed(acting_user, step.recruit.branch)
    title = (title or "").strip()
    if not title:
        raise ValidationError("请填写材料名称")
    if len(title) > 100:
        raise ValidationError("材料名称不能超过 100 个字")
    if any(ord(c) < 32 for c in title):
        raise ValidationError("材料名称含有不可见的控制字符")
    if upload is None or not upload.size:
        raise ValidationError("请选择要上传的文件（文件不能为空）")
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError("文件不能超过 10 MB")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    original = os.path.basename(str(upload.name or ""))[:200]
    content_type = _sniffed_type(original, head)
    document = RecruitDocument(
        step=step,
        title=title,
        original_name=original,
        size=upload.size,
        content_type=content_type,
        uploaded_by=acting_user,
    )
    document.file.save(original, upload, save=False)
    document.save()
    log(step.recruit, "dangjian.orglife.recruit", user=acting_user)
    return document


def documents_of(recruit: Recruit):
    return RecruitDocument.objects.filter(step__recruit=recruit).select_related("step")


def document_for(user, pk: int) -> RecruitDocument | None:
    """The document when the person may read it (the branch's secretary or
    a unit admin above it), else None."""
    document = (
        RecruitDocument.objects.select_related("step__recruit__branch")
        .filter(pk=pk)
        .first()
    )
    if document is None or not manages(user, document.step.recruit.branch):
        return None
    return document
