"""The release workflow's own steps: the confidentiality scan, 保密审查 and
单位审批 (Wagtail ``Task`` models of the disclosure app), the scan they run on
each revision, and the rule for approving or rejecting a step.

The task classes are re-exported from ``dangjian.disclosure.models`` (which
imports this module last), so the app registry and the migrations find them
there; ``dangjian.disclosure.actions`` re-exports the functions. Because
models.py imports this module, the functions here import the models they use
when they run, not at import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log
from wagtail.models import Task, TaskState

from dangjian.disclosure import notices, scan
from dangjian.disclosure.forms import RejectCommentForm
from dangjian.orgs.models import Role
from dangjian.orgs.scope import scope_for


def _model(name: str):
    # Looked up in the registry: models.py imports this module (its last line).
    return apps.get_model("disclosure", name)


if TYPE_CHECKING:
    from dangjian.disclosure.models import DisclosureItemPage, ScanRun

# --- The confidentiality scan ------------------------------------------------


def _attachment_text(attachment) -> tuple[str, str | None]:
    document = attachment.document
    name = attachment.caption or document.title or document.filename
    try:
        with document.file.open("rb") as handle:
            data = handle.read(20 * 1024 * 1024)
    except (OSError, ValueError):
        return name, None
    return name, scan.extract_text(document.filename, data)


def scan_item_content(item: DisclosureItemPage) -> list[scan.Finding]:
    """Findings in the title, summary, body and every attachment of this content."""
    SensitiveTerm = _model("SensitiveTerm")

    terms = list(SensitiveTerm.objects.values_list("term", flat=True))
    findings = scan.scan_text(item.title, "标题", terms)
    findings += scan.scan_text(item.summary, "摘要", terms)
    findings += scan.scan_text(scan.html_to_text(item.body), "正文", terms)
    for attachment in item.attachments.all():
        name, text = _attachment_text(attachment)
        field = f"附件：{name}"
        if text is None:
            findings.append(scan.Finding(scan.RULE_UNREADABLE, field, 0, 0, name))
        else:
            findings += scan.scan_text(text, field, terms)
    return findings


def body_text(item: DisclosureItemPage) -> str:
    return scan.html_to_text(item.body)


@transaction.atomic
def do_scan_revision(item: DisclosureItemPage, revision) -> ScanRun:
    """Scans one revision once; records each finding as a flag to decide on."""
    ScanFlag = _model("ScanFlag")
    ScanRun = _model("ScanRun")

    existing = ScanRun.objects.filter(revision=revision).first()
    if existing is not None:
        return existing
    content = revision.as_object()
    findings = scan_item_content(content)
    ScanFlag.objects.bulk_create(
        ScanFlag(
            page_id=item.pk,
            revision=revision,
            rule=f.rule,
            field=f.field[:200],
            start=f.start,
            end=f.end,
            text=f.text[:200],
            before=f.before[-60:],
            after=f.after[:60],
        )
        for f in findings
    )
    run = ScanRun.objects.create(
        page_id=item.pk, revision=revision, flag_count=len(findings)
    )
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.rule] = counts.get(f.rule, 0) + 1
    log(
        instance=item,
        action="dangjian.disclosure.scan",
        revision=revision,
        data={"flags": len(findings), "rules": counts},
    )
    return run


def flags_for(item, revision):
    ScanFlag = _model("ScanFlag")

    return ScanFlag.objects.filter(page_id=item.pk, revision=revision)


def pending_flags(item, revision):
    """Flags that still block release: undecided, or decided "须删改"."""
    ScanFlag = _model("ScanFlag")

    return flags_for(item, revision).exclude(decision=ScanFlag.Decision.PUBLISHABLE)


# --- Workflow tasks -------------------------------------------------------


def _item_for(obj) -> DisclosureItemPage | None:
    DisclosureItemPage = _model("DisclosureItemPage")

    obj = getattr(obj, "specific", obj)
    return obj if isinstance(obj, DisclosureItemPage) else None


class ConfidentialityScanTask(Task):
    """Automatic: scans title, body and attachment text, then hands over.

    The task never waits: it records its flags and approves itself, so the
    human 保密审查 that follows sees them. It cannot be skipped because the
    review task refuses to pass a revision that has not been scanned.
    """

    class Meta:
        verbose_name = _("自动保密扫描")
        verbose_name_plural = _("自动保密扫描")

    @classmethod
    def get_description(cls):
        return _("自动扫描密级标志、身份证号、电话、银行卡号、住址和敏感词")

    def start(self, workflow_state, user=None):
        task_state = super().start(workflow_state, user=user)
        item = _item_for(workflow_state.content_object)
        if item is not None:
            do_scan_revision(item, task_state.revision)
        task_state.status = TaskState.STATUS_APPROVED
        task_state.finished_at = timezone.now()
        task_state.comment = "自动扫描完成"
        task_state.save(update_fields=["status", "finished_at", "comment"])
        return task_state

    def locked_for_user(self, obj, user):
        return not user.is_superuser


class UnitRoleTask(Task):
    """A human step done by one role of the item's subject unit."""

    role: str = ""

    class Meta:
        abstract = True

    def user_can_act(self, obj, user) -> bool:
        item = _item_for(obj)
        if item is None or not user.is_authenticated or not user.is_active:
            return False
        if user.is_superuser:
            return True
        return scope_for(user).has_role(item.subject_unit_id, self.role)

    def user_can_access_editor(self, obj, user):
        return self.user_can_act(obj, user)

    def locked_for_user(self, obj, user):
        # The content under review must be the content that is released.
        return not user.is_superuser

    def get_task_states_user_can_moderate(self, user, **kwargs):
        DisclosureItemPage = _model("DisclosureItemPage")
        states = TaskState.objects.filter(
            task=self, status=TaskState.STATUS_IN_PROGRESS
        )
        if user.is_superuser:
            return states
        units = [org for org, role in scope_for(user).roles if role == self.role]
        if not units:
            return TaskState.objects.none()
        page_ids = [
            str(pk)
            for pk in DisclosureItemPage.objects.filter(
                subject_unit_id__in=units
            ).values_list("pk", flat=True)
        ]
        return states.filter(workflow_state__object_id__in=page_ids)

    def start(self, workflow_state, user=None):
        task_state = super().start(workflow_state, user=user)
        item = _item_for(workflow_state.content_object)
        if item is not None and task_state.status == TaskState.STATUS_IN_PROGRESS:
            notices.item_waiting(item, task_state, self.role)
        return task_state

    def get_form_for_action(self, action):
        if action == "reject":
            return RejectCommentForm
        return super().get_form_for_action(action)

    def on_action(self, task_state, user, action_name, **kwargs):
        check_task_action(task_state, user, action_name)
        super().on_action(task_state, user, action_name, **kwargs)


class ConfidentialityReviewTask(UnitRoleTask):
    """保密审查: the unit's reviewer decides on every flag, then passes or rejects."""

    role = Role.REVIEWER

    class Meta:
        verbose_name = _("保密审查")
        verbose_name_plural = _("保密审查")

    @classmethod
    def get_description(cls):
        return _("事项所属单位的保密审查员逐条审查扫描标记，通过或退回")

    def start(self, workflow_state, user=None):
        task_state = super().start(workflow_state, user=user)
        # A resubmission after a rejection resumes here, so scan the new revision.
        item = _item_for(workflow_state.content_object)
        if item is not None:
            do_scan_revision(item, task_state.revision)
        return task_state

    def get_actions(self, obj, user):
        if not self.user_can_act(obj, user):
            return []
        actions = [("reject", _("退回修改"), True)]
        item = _item_for(obj)
        revision = item.get_latest_revision() if item else None
        if revision is not None and not pending_flags(item, revision).exists():
            actions.append(("approve", _("通过保密审查"), False))
        return actions


class UnitApprovalTask(UnitRoleTask):
    """The unit approver (单位负责人) approves the release."""

    role = Role.APPROVER

    class Meta:
        verbose_name = _("单位审批")
        verbose_name_plural = _("单位审批")

    @classmethod
    def get_description(cls):
        return _("事项所属单位的审批人批准发布")

    def start(self, workflow_state, user=None):
        # A resubmission after the approver rejected resumes at this task; the
        # changed content must go through 保密审查 again first.
        review = (
            ConfidentialityReviewTask.objects.filter(
                workflow_tasks__workflow=workflow_state.workflow, active=True
            )
            .order_by("workflow_tasks__sort_order")
            .first()
        )
        latest = workflow_state.content_object.get_latest_revision()
        if (
            review is not None
            and not TaskState.objects.filter(
                workflow_state=workflow_state,
                task=review,
                status=TaskState.STATUS_APPROVED,
                revision=latest,
            ).exists()
        ):
            return review.start(workflow_state, user=user)
        return super().start(workflow_state, user=user)

    def get_actions(self, obj, user):
        if not self.user_can_act(obj, user):
            return []
        return [
            ("reject", _("退回修改"), True),
            ("approve", _("批准发布"), False),
            ("approve", _("批准并留言"), True),
        ]


# --- Approving and rejecting a step ------------------------------------------


def check_task_action(task_state, user, action_name, comment: str = "") -> None:
    """Refuses an approve/reject that the release rules do not allow."""
    ScanFlag = _model("ScanFlag")
    ScanRun = _model("ScanRun")

    task = task_state.task.specific
    item = task_state.workflow_state.content_object.specific
    if task_state.status != TaskState.STATUS_IN_PROGRESS:
        raise PermissionDenied(_("该环节已经办结。"))
    if action_name not in ("approve", "reject"):
        raise ValidationError(_("未知操作。"))
    if not isinstance(task, UnitRoleTask) or not task.user_can_act(item, user):
        raise PermissionDenied(_("您不是本单位该环节的办理人。"))
    if task_state.revision_id != item.get_latest_revision().pk:
        raise ValidationError(_("内容在提交后已被修改，请退回后重新提交。"))
    if action_name == "approve" and isinstance(task, ConfidentialityReviewTask):
        if not ScanRun.objects.filter(revision_id=task_state.revision_id).exists():
            raise ValidationError(_("该版本尚未完成自动保密扫描。"))
        blocking = pending_flags(item, task_state.revision)
        undecided = blocking.filter(decision="").count()
        redact = blocking.filter(decision=ScanFlag.Decision.REDACT).count()
        if undecided:
            raise ValidationError(
                _("还有 %(n)d 处扫描标记未作结论，不能通过。") % {"n": undecided}
            )
        if redact:
            raise ValidationError(_("有标记被认定须删改，请退回编辑修改。"))
