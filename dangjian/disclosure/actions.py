"""Changes to disclosure items. Each is atomic, permission-checked and audited.

Views, the API, the admin, the demo loader and tests all call these.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.actions.unpublish_page import UnpublishPageAction
from wagtail.log_actions import log
from wagtail.models import (
    PageLogEntry,
    Task,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)

from dangjian.disclosure import notices
from dangjian.disclosure.models import (
    DisclosureCategory,
    DisclosureIndexPage,
    DisclosureItemPage,
    DisclosureSectionPage,
    ReleaseRecord,
    ScanFlag,
    SensitiveTerm,
    workflow_state_for,
)
from dangjian.disclosure.search import index_item
from dangjian.disclosure.workflow import (
    ConfidentialityReviewTask,
    ConfidentialityScanTask,
    UnitApprovalTask,
)

# The scan of a revision and the rule for a step's approve/reject belong to
# the workflow's tasks (dangjian.disclosure.workflow); re-exported here.
from dangjian.disclosure.workflow import UnitRoleTask as UnitRoleTask  # noqa: I001
from dangjian.disclosure.workflow import _attachment_text as _attachment_text
from dangjian.disclosure.workflow import body_text as body_text
from dangjian.disclosure.workflow import check_task_action as check_task_action
from dangjian.disclosure.workflow import do_scan_revision as do_scan_revision
from dangjian.disclosure.workflow import flags_for as flags_for
from dangjian.disclosure.workflow import pending_flags as pending_flags
from dangjian.disclosure.workflow import scan_item_content as scan_item_content
from dangjian.lib import pagecache
from dangjian.orgs.models import Organisation, Role
from dangjian.orgs.roles import grant_unit_pages
from dangjian.orgs.scope import scope_for

WORKFLOW_NAME = "党务公开发布流程"

# The content categories of the CPC party-affairs disclosure regulations
# (《中国共产党党务公开条例（试行）》第八条 and common practice); editable in the admin.
DEFAULT_CATEGORIES = [
    "贯彻落实党中央和上级党组织决策部署情况",
    "领导经济社会发展和党的建设工作情况",
    "思想建设与理论学习",
    "党的组织建设",
    "干部选拔任用",
    "干部任前公示",
    "党风廉政建设和反腐败工作",
    "纪律处分与问责",
    "表彰奖励",
    "党费收缴、使用和管理",
    "党员发展",
    "政策解读",
    "新闻发布会",
]

DEFAULT_SENSITIVE_TERMS = ["涉密", "内部讨论稿", "未定稿", "不宜公开"]


def generation() -> str:
    """The page cache's generation (``dangjian.lib.pagecache``)."""
    return pagecache.generation()


def bump_generation() -> None:
    """Every stored public page (column, items, home, feeds) is stale."""
    pagecache.purge()


# --- Set-up ------------------------------------------------------------------


def ensure_categories() -> int:
    created = 0
    for order, name in enumerate(DEFAULT_CATEGORIES):
        _obj, was_created = DisclosureCategory.objects.get_or_create(
            name=name, defaults={"sort_order": order}
        )
        created += was_created
    for term in DEFAULT_SENSITIVE_TERMS:
        SensitiveTerm.objects.get_or_create(term=term)
    return created


def ensure_workflow() -> Workflow:
    """The release workflow: automatic scan → 保密审查 → unit approval."""
    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is not None:
        return workflow
    workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
    tasks: list[Task] = [
        ConfidentialityScanTask.objects.create(name="自动保密扫描"),
        ConfidentialityReviewTask.objects.create(name="保密审查"),
        UnitApprovalTask.objects.create(name="单位审批"),
    ]
    for order, task in enumerate(tasks):
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
    return workflow


@transaction.atomic
def do_ensure_column(home) -> DisclosureIndexPage:
    """Creates the column under the home page (slug ``gongkai``) with its workflow."""
    column = DisclosureIndexPage.objects.first()
    if column is None:
        column = home.add_child(
            instance=DisclosureIndexPage(
                title="党务公开", slug="gongkai", intro="党内公开与社会公开事项"
            )
        )
    workflow = ensure_workflow()
    WorkflowPage.objects.get_or_create(page=column, defaults={"workflow": workflow})
    ensure_categories()
    return column


@transaction.atomic
def do_ensure_section(
    organisation: Organisation, column: DisclosureIndexPage
) -> DisclosureSectionPage:
    """Gives a unit its section of the column and its role groups their permissions."""
    section = DisclosureSectionPage.objects.filter(organisation=organisation).first()
    if section is None:
        section = column.add_child(
            instance=DisclosureSectionPage(
                title=organisation.name,
                slug=f"u{organisation.pk}",
                organisation=organisation,
            )
        )
        grant_unit_pages(organisation, section)
    return section


def do_ensure_sections(units, column: DisclosureIndexPage) -> int:
    """Sections for all these units; returns how many were created."""
    have = set(DisclosureSectionPage.objects.values_list("organisation_id", flat=True))
    created = 0
    for unit in units:
        if unit.pk not in have:
            do_ensure_section(unit, column)
            created += 1
    return created


# --- Review and approval -----------------------------------------------------


def current_task_state(item) -> TaskState | None:
    state = workflow_state_for(item)
    if state is None or state.status != WorkflowState.STATUS_IN_PROGRESS:
        return None
    task_state = state.current_task_state
    return task_state.specific if task_state else None


def check_decide_flag(flag: ScanFlag, *, decision: str, reason: str, acting_user):
    if decision not in (ScanFlag.Decision.PUBLISHABLE, ScanFlag.Decision.REDACT):
        raise ValidationError({"decision": _("结论只能是“可以公开”或“须删改”。")})
    if decision == ScanFlag.Decision.REDACT and not reason.strip():
        raise ValidationError({"reason": _("选择“须删改”时请写明原因。")})
    item = flag.page
    task_state = current_task_state(item)
    if task_state is None or not isinstance(
        task_state.task.specific, ConfidentialityReviewTask
    ):
        raise ValidationError(_("该事项当前不在保密审查环节。"))
    if task_state.revision_id != flag.revision_id:
        raise ValidationError(_("该标记属于旧版本，无需再审查。"))
    if not task_state.task.specific.user_can_act(item, acting_user):
        raise PermissionDenied(_("只有本单位保密审查员可以审查。"))


@transaction.atomic
def do_decide_flag(flag: ScanFlag, *, decision: str, reason: str = "", acting_user):
    """Records the reviewer's decision on one flag (a later decision replaces it)."""
    flag = ScanFlag.objects.select_for_update().select_related("page").get(pk=flag.pk)
    check_decide_flag(flag, decision=decision, reason=reason, acting_user=acting_user)
    flag.decision = decision
    flag.reason = reason.strip()
    flag.decided_by = acting_user
    flag.decided_at = timezone.now()
    flag.save(update_fields=["decision", "reason", "decided_by", "decided_at"])
    log(
        instance=flag.page,
        action="dangjian.disclosure.flag_decision",
        user=acting_user,
        revision=flag.revision,
        data={
            "flag": flag.pk,
            "rule": flag.rule,
            "field": flag.field,
            "decision": decision,
            "reason": flag.reason,
        },
    )
    return flag


@transaction.atomic
def do_task_action(
    task_state, *, action: str, comment: str = "", acting_user
) -> TaskState:
    """Approves or rejects the current step; a rejection needs a reason."""
    task_state = TaskState.objects.select_for_update().get(pk=task_state.pk).specific
    if action == "reject" and not comment.strip():
        raise ValidationError({"comment": _("退回时请写明理由。")})
    # on_action runs check_task_action, for the admin's buttons and this path alike.
    task_state.task.specific.on_action(
        task_state, acting_user, action, comment=comment.strip()
    )
    return task_state


@transaction.atomic
def do_submit_item(item: DisclosureItemPage, *, acting_user) -> WorkflowState:
    """Submits the latest revision to the release workflow (or resubmits it)."""
    item = DisclosureItemPage.objects.select_for_update().get(pk=item.pk)
    if not item.permissions_for_user(acting_user).can_edit():
        raise PermissionDenied(_("您无权提交该事项。"))
    state = workflow_state_for(item)
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        state.resume(user=acting_user)
        return state
    if item.workflow_in_progress:
        raise ValidationError(_("该事项已在审核中。"))
    workflow = item.get_workflow()
    if workflow is None:
        raise ValidationError(_("未配置党务公开发布流程。"))
    return workflow.start(item, acting_user)


# --- Release, withdrawal and their records -----------------------------------


def _approved_by_workflow(item, revision) -> bool:
    state = workflow_state_for(item)
    return bool(
        state is not None
        and state.status == WorkflowState.STATUS_APPROVED
        and state.current_task_state is not None
        and state.current_task_state.revision_id == revision.pk
    )


@transaction.atomic
def do_record_release(
    item: DisclosureItemPage, revision, *, user=None
) -> ReleaseRecord:
    """Records that a revision went live, and audits what changed with it.

    Called when Wagtail publishes (on the approver's approval, or by
    ``publish_scheduled`` for a scheduled release).
    """
    previous = ReleaseRecord.objects.filter(page=item).first()
    audience = sorted(item.audience.values_list("pk", flat=True))
    via_workflow = _approved_by_workflow(item, revision) if revision else False
    record = ReleaseRecord.objects.create(
        page=item,
        revision=revision,
        released_by=user,
        scope=item.scope,
        audience_ids=audience,
        include_descendants=item.include_descendants,
        via_workflow=via_workflow,
        is_emergency=item.is_emergency,
        correction_note=(
            item.correction_note
            if previous and item.correction_note != previous.correction_note
            else ""
        ),
    )
    if item.withdrawn_at:
        DisclosureItemPage.objects.filter(pk=item.pk).update(
            withdrawn_at=None, withdrawal_reason=""
        )
        item.withdrawn_at = None
    log(
        instance=item,
        action="dangjian.disclosure.release",
        user=user,
        revision=revision,
        data={
            "scope": item.scope,
            "audience": audience,
            "emergency": item.is_emergency,
            "via_workflow": via_workflow,
        },
    )
    if not via_workflow:
        # Only a superuser can get here (see permissions.py); keep a trace.
        log(
            instance=item,
            action="dangjian.disclosure.direct_publish",
            user=user,
            revision=revision,
            data={"note": "未经发布流程直接发布"},
        )
    if previous and (
        previous.scope != record.scope
        or previous.audience_ids != record.audience_ids
        or previous.include_descendants != record.include_descendants
    ):
        log(
            instance=item,
            action="dangjian.disclosure.scope_change",
            user=user,
            revision=revision,
            data={
                "from": {
                    "scope": previous.scope,
                    "audience": previous.audience_ids,
                    "include_descendants": previous.include_descendants,
                },
                "to": {
                    "scope": record.scope,
                    "audience": record.audience_ids,
                    "include_descendants": record.include_descendants,
                },
            },
        )
    if record.correction_note:
        log(
            instance=item,
            action="dangjian.disclosure.correct",
            user=user,
            revision=revision,
            data={"note": record.correction_note},
        )
    transaction.on_commit(bump_generation)
    reindex_on_commit(item.pk)
    return record


def reindex_on_commit(page_id: int) -> None:
    transaction.on_commit(lambda: index_item(page_id))


def can_withdraw(item, user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    scope = scope_for(user)
    return scope.has_role(item.subject_unit_id, Role.APPROVER) or scope.has_role(
        item.subject_unit_id, Role.UNIT_ADMIN
    )


@transaction.atomic
def do_withdraw_item(item: DisclosureItemPage, *, reason: str, acting_user):
    """Withdraws a released item; its URL then shows the reason to its audience."""
    item = DisclosureItemPage.objects.select_for_update().get(pk=item.pk)
    if not can_withdraw(item, acting_user):
        raise PermissionDenied(_("只有本单位审批人或单位管理员可以撤回。"))
    if not item.live:
        raise ValidationError(_("该事项未发布，无需撤回。"))
    if not reason.strip():
        raise ValidationError({"reason": _("撤回时请写明理由。")})
    UnpublishPageAction(item, user=acting_user, log_action=True).execute(
        skip_permission_checks=True
    )
    now = timezone.now()
    DisclosureItemPage.objects.filter(pk=item.pk).update(
        withdrawn_at=now, withdrawal_reason=reason.strip()
    )
    item.withdrawn_at = now
    item.withdrawal_reason = reason.strip()
    log(
        instance=item,
        action="dangjian.disclosure.withdraw",
        user=acting_user,
        data={"reason": reason.strip()},
    )
    notices.item_withdrawn(item, reason.strip())
    transaction.on_commit(bump_generation)
    reindex_on_commit(item.pk)
    return item


@transaction.atomic
def do_import_released_item(
    section: DisclosureSectionPage,
    item: DisclosureItemPage,
    *,
    released_at,
    acting_user,
) -> DisclosureItemPage:
    """Brings in an item released before the platform existed (legacy archive).

    The item arrives live with its original release date and one revision;
    the audit log says it was imported, not reviewed here.
    """
    if released_at > timezone.now():
        raise ValidationError({"released_at": _("历史事项的发布时间不能晚于现在。")})
    audience = list(item.audience.all()) if item.pk else None
    item.live = True
    item.has_unpublished_changes = False
    item.first_published_at = item.last_published_at = released_at
    section.add_child(instance=item)
    if audience is not None:
        item.audience.set(audience)
    revision = item.save_revision(user=acting_user, log_action=False, clean=False)
    DisclosureItemPage.objects.filter(pk=item.pk).update(
        live_revision=revision, has_unpublished_changes=False
    )
    ReleaseRecord.objects.create(
        page=item,
        revision=revision,
        released_at=released_at,
        released_by=None,
        scope=item.scope,
        audience_ids=sorted(item.audience.values_list("pk", flat=True)),
        include_descendants=item.include_descendants,
        via_workflow=False,
    )
    log(
        instance=item,
        action="dangjian.disclosure.import",
        user=acting_user,
        revision=revision,
        data={"released_at": released_at.isoformat(), "scope": item.scope},
    )
    transaction.on_commit(bump_generation)
    reindex_on_commit(item.pk)
    return item


def timeline(item: DisclosureItemPage, *, since_workflow: bool = True) -> list[dict]:
    """The item's audited events, oldest first, with minutes since submission."""
    entries = PageLogEntry.objects.filter(page=item).select_related("user")
    state = workflow_state_for(item) if since_workflow else None
    if state is not None:
        entries = entries.filter(timestamp__gte=state.created_at)
    rows = []
    started = state.created_at if state is not None else None
    for entry in entries.order_by("timestamp", "pk"):
        rows.append(
            {
                "at": entry.timestamp,
                "minutes": (
                    round((entry.timestamp - started).total_seconds() / 60, 1)
                    if started
                    else None
                ),
                "action": entry.action,
                "label": entry.message,
                "user": entry.user.get_full_name() if entry.user else _("系统"),
                "comment": entry.comment,
                "data": entry.data,
            }
        )
    return rows
