"""What the disclosure column puts on the admin's home page (issue 20).

* 待我办理: the items waiting at a 保密审查 or 单位审批 step the person may
  act on (only their own units' items), with the scan's open flags; each
  links to the review desk. Wagtail's own "awaiting your review" panel keeps
  the other workflows (knowledge entries, study materials).
* 保密扫描提示: an editor's items in the workflow (or sent back) whose latest
  scanned version the confidentiality scan flagged, flag by flag, with the
  reviewer's decision.
* 我的草稿与退回: an editor's items not yet submitted, or sent back for changes.
* Summary figures of the person's own units (released, in review, drafts);
  the site-wide counts are removed for them in ``orgs/admin_home.py``.

Registered in ``wagtail_hooks.py`` (``construct_homepage_panels``,
``construct_homepage_summary_items``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from wagtail.admin.site_summary import SummaryItem
from wagtail.admin.ui.components import Component
from wagtail.admin.views.home import WorkflowObjectsToModeratePanel
from wagtail.models import TaskState, WorkflowState, get_default_page_content_type

from dangjian.disclosure.models import (
    DisclosureItemPage,
    ScanFlag,
    ScanRun,
    workflow_state_for,
)
from dangjian.disclosure.workflow import (
    ConfidentialityReviewTask,
    UnitApprovalTask,
    pending_flags,
)
from dangjian.orgs.models import Role
from dangjian.orgs.scope import managed_organisations, scope_for

#: Roles whose holders work on a unit's disclosure items.
DISCLOSURE_ROLES = [Role.EDITOR, Role.REVIEWER, Role.APPROVER, Role.UNIT_ADMIN]
DECIDING_ROLES = {Role.REVIEWER, Role.APPROVER}
LIMIT = 20


# --- What waits for the person ----------------------------------------------


def my_task_states(user):
    """Open 保密审查 / 单位审批 steps the person may act on (their units only)."""
    states = TaskState.objects.none()
    for task in list(ConfidentialityReviewTask.objects.filter(active=True)) + list(
        UnitApprovalTask.objects.filter(active=True)
    ):
        states = states | task.get_task_states_user_can_moderate(user)
    return states


def waiting_rows(user) -> list[dict]:
    """The items waiting for the person, urgent ones first, then oldest first."""
    rows = []
    states = my_task_states(user).select_related(
        "task", "workflow_state", "workflow_state__requested_by", "revision"
    )
    for state in states:
        item = (
            DisclosureItemPage.objects.filter(pk=int(state.workflow_state.object_id))
            .select_related("subject_unit")
            .first()
        )
        if item is None:
            continue
        task = state.task.specific
        is_review = isinstance(task, ConfidentialityReviewTask)
        rows.append(
            {
                "state": state,
                "item": item,
                "task": task,
                "is_review": is_review,
                "open_flags": pending_flags(item, state.revision).count()
                if is_review and state.revision
                else 0,
                "url": reverse("disclosure:review-detail", args=[state.pk]),
            }
        )
    rows.sort(key=lambda r: (not r["item"].is_emergency, r["state"].started_at))
    return rows


# --- An editor's own items ----------------------------------------------------

STEP_LABELS = {
    WorkflowState.STATUS_NEEDS_CHANGES: "已退回修改",
}


@dataclass
class EditorItem:
    item: DisclosureItemPage
    status: str
    reason: str = ""
    flags: list[ScanFlag] = field(default_factory=list)

    @property
    def edit_url(self) -> str:
        return reverse("wagtailadmin_pages:edit", args=[self.item.pk])

    @property
    def open_flags(self) -> int:
        return sum(1 for f in self.flags if f.decision != ScanFlag.Decision.PUBLISHABLE)


def _status(state: WorkflowState | None) -> tuple[str, str]:
    """(what the item waits for, the reason it was sent back)."""
    if state is None or state.status not in (
        WorkflowState.STATUS_IN_PROGRESS,
        WorkflowState.STATUS_NEEDS_CHANGES,
    ):
        return "草稿，尚未提交", ""
    current = state.current_task_state
    if state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        reason = (current.comment or "") if current else ""
        step = current.task.name if current else ""
        return f"{step}退回修改" if step else "已退回修改", reason
    return (f"等待{current.task.name}" if current else "审核中"), ""


def editor_items(user) -> list[EditorItem]:
    """The person's own items not released yet: drafts, in the workflow, sent back.

    Own means created by them (the page's owner) in a unit where they are an
    editor; the flags are those of the latest scanned version.
    """
    units = managed_organisations(user, [Role.EDITOR])
    items = (
        DisclosureItemPage.objects.filter(
            owner=user, subject_unit__in=units, live=False, withdrawn_at__isnull=True
        )
        .select_related("subject_unit")
        .order_by("-latest_revision_created_at", "-pk")[:LIMIT]
    )
    found = []
    for item in items:
        state = workflow_state_for(item)
        status, reason = _status(state)
        run = ScanRun.objects.filter(page=item).order_by("-revision_id").first()
        flags = (
            list(ScanFlag.objects.filter(page=item, revision_id=run.revision_id))
            if run is not None and run.flag_count
            else []
        )
        found.append(EditorItem(item, status, reason, flags))
    return found


# --- Panels ---------------------------------------------------------------------


class AwaitingMyDecisionPanel(Component):
    name = "dangjian_disclosure_awaiting"
    order = 200
    template_name = "disclosure/admin/panel_awaiting.html"

    def __init__(self, rows: list[dict]):
        self.rows = rows

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None):
        return {"rows": self.rows, "review_url": reverse("disclosure:review")}


class ScanFlagsPanel(Component):
    name = "dangjian_disclosure_scan_flags"
    order = 205
    template_name = "disclosure/admin/panel_scan_flags.html"

    def __init__(self, items: list[EditorItem]):
        self.items = items

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None):
        return {"items": self.items}


class MyDraftsPanel(Component):
    name = "dangjian_disclosure_drafts"
    order = 206
    template_name = "disclosure/admin/panel_drafts.html"

    def __init__(self, items: list[EditorItem]):
        self.items = items

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None):
        return {"items": self.items}


class OtherWorkflowsToModeratePanel(WorkflowObjectsToModeratePanel):
    """Wagtail's "awaiting your review", without disclosure items (they are
    listed, with their scan flags, in ``AwaitingMyDecisionPanel``)."""

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["states"] = [
            s for s in context["states"] if not isinstance(s["obj"], DisclosureItemPage)
        ]
        return context


def add_panels(request, panels) -> None:
    """``construct_homepage_panels``: the disclosure panels the person needs."""
    user = request.user
    panels[:] = [
        OtherWorkflowsToModeratePanel()
        if getattr(p, "name", "") == WorkflowObjectsToModeratePanel.name
        else p
        for p in panels
    ]
    roles = {role for _org, role in scope_for(user).roles}
    rows = waiting_rows(user)
    if rows or roles & DECIDING_ROLES:
        panels.append(AwaitingMyDecisionPanel(rows))
    if Role.EDITOR in roles:
        items = editor_items(user)
        flagged = [i for i in items if i.flags and i.status != "草稿，尚未提交"]
        panels.append(ScanFlagsPanel(flagged))
        drafts = [i for i in items if i.status == "草稿，尚未提交" or i.reason]
        panels.append(MyDraftsPanel(drafts))


# --- Summary figures of the person's units ----------------------------------------


class UnitDisclosureSummaryItem(SummaryItem):
    """本单位公开事项: released, in the workflow and drafts, for the units the
    person works on disclosure for (never the whole city)."""

    order = 20
    template_name = "disclosure/admin/summary_unit.html"

    def counts(self) -> dict[str, int]:
        units = managed_organisations(self.request.user, DISCLOSURE_ROLES)
        items = DisclosureItemPage.objects.filter(subject_unit__in=units)
        in_review = WorkflowState.objects.filter(
            base_content_type=get_default_page_content_type(),
            object_id__in=[
                str(pk) for pk in items.filter(live=False).values_list("pk", flat=True)
            ],
            status=WorkflowState.STATUS_IN_PROGRESS,
        ).count()
        unreleased = items.filter(live=False, withdrawn_at__isnull=True).count()
        return {
            "released": items.released().count(),
            "in_review": in_review,
            "drafts": unreleased - in_review,
        }

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None):
        return {**self.counts(), "review_url": reverse("disclosure:review")}

    def is_shown(self) -> bool:
        user = self.request.user
        return not user.is_superuser and any(
            role in DISCLOSURE_ROLES for _org, role in scope_for(user).roles
        )


def add_summary_items(request, summary_items) -> None:
    """``construct_homepage_summary_items``: the person's units' figures."""
    summary_items.append(UnitDisclosureSummaryItem(request))
