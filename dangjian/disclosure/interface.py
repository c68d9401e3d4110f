"""The disclosure column's public interface for other capabilities.

Organisation life (orglife) proposes its 党务公开 items — a branch's annual
dues collection summary, a 发展对象's 公示 — through ``Disclosure``, which
disclosure registers under the ``dangjian_disclosure`` hook
(``lib.plugins.DISCLOSURE``); the caller imports no disclosure module.

A proposal is a *draft* item in the section of the unit (or of its nearest
ancestor with a section), submitted to that column's release workflow:
the confidentiality scan, 保密审查 and 单位审批 decide, nothing here
publishes. ``item_status`` reports where the item stands.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from wagtail.models import WorkflowState

from dangjian.disclosure.models import (
    DisclosureCategory,
    DisclosureItemPage,
    DisclosureSectionPage,
    workflow_state_for,
)
from dangjian.orgs.models import Organisation

DRAFT = "draft"
IN_REVIEW = "in_review"
NEEDS_CHANGES = "needs_changes"
PUBLISHED = "published"
WITHDRAWN = "withdrawn"
MISSING = "missing"

LABELS = {
    DRAFT: "草稿（未提交审核）",
    IN_REVIEW: "审核中",
    NEEDS_CHANGES: "已退回修改",
    PUBLISHED: "已发布",
    WITHDRAWN: "已撤回",
    MISSING: "公开事项已删除",
}

# What a caller asks for → the category of the disclosure regulations.
CATEGORIES = {"dues": "党费收缴、使用和管理", "recruitment": "党员发展"}


@dataclass(frozen=True)
class ItemStatus:
    """Where a proposed item stands. ``published_on``: the local date it was
    first published (None until then); ``url``: its public address once
    published, else the admin's edit page."""

    id: int
    status: str
    label: str
    published_on: dt.date | None = None
    withdrawn_reason: str = ""
    url: str = ""

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED


class Disclosure:
    def section_for(self, unit: Organisation) -> DisclosureSectionPage | None:
        """The section of the unit or, failing that, of its nearest ancestor."""
        chain = [unit.pk] + [
            pk
            for pk in unit.get_ancestors()
            .order_by("-depth")
            .values_list("pk", flat=True)
        ]
        sections = {
            s.organisation_id: s
            for s in DisclosureSectionPage.objects.filter(organisation_id__in=chain)
        }
        for pk in chain:
            if pk in sections:
                return sections[pk]
        return None

    def accepts(self, unit: Organisation) -> bool:
        """Whether items about this unit can be proposed (a section exists
        for it or an ancestor, and the column has its workflow)."""
        section = self.section_for(unit)
        return section is not None and section.get_workflow() is not None

    @transaction.atomic
    def propose_item(
        self,
        unit: Organisation,
        *,
        title: str,
        body_html: str,
        kind: str,
        user: Any,
        summary: str = "",
        internal: bool = False,
        valid_until: dt.date | None = None,
    ) -> int | None:
        """A draft item about ``unit`` submitted to the release workflow; its
        id, or None when no section or workflow takes it. ``internal``: 党内
        公开 to the unit and the organisations under it."""
        section = self.section_for(unit)
        if section is None:
            return None
        workflow = section.get_workflow()
        if workflow is None:
            return None
        category = (
            DisclosureCategory.objects.filter(name=CATEGORIES.get(kind, kind)).first()
            or DisclosureCategory.objects.filter(name="党的组织建设").first()
        )
        if category is None:
            return None
        item = DisclosureItemPage(
            title=title[:255],
            summary=summary[:300],
            body=body_html,
            category=category,
            subject_unit=section.organisation,
            scope=(
                DisclosureItemPage.Scope.INTERNAL
                if internal
                else DisclosureItemPage.Scope.PUBLIC
            ),
            include_descendants=True,
            valid_until=valid_until,
            live=False,
            owner=user,
        )
        if internal:
            item.audience = [unit]
        section.add_child(instance=item)
        item.save_revision(user=user, log_action=True)
        workflow.start(item, user)
        return item.pk

    @transaction.atomic
    def import_past_item(
        self,
        unit: Organisation,
        *,
        title: str,
        body_html: str,
        kind: str,
        user: Any,
        released_at: dt.datetime,
        valid_until: dt.date | None = None,
    ) -> int | None:
        """An item released before the platform existed (a paper 公示 of an
        old register, the demo's history), brought in as released on that
        date and audited as imported (``actions.do_import_released_item``);
        refused for a date not in the past."""
        from dangjian.disclosure.actions import do_import_released_item

        section = self.section_for(unit)
        category = DisclosureCategory.objects.filter(
            name=CATEGORIES.get(kind, kind)
        ).first()
        if section is None or category is None:
            return None
        item = DisclosureItemPage(
            title=title[:255],
            body=body_html,
            category=category,
            subject_unit=section.organisation,
            scope=DisclosureItemPage.Scope.PUBLIC,
            valid_until=valid_until,
            owner=user,
        )
        return do_import_released_item(
            section, item, released_at=released_at, acting_user=user
        ).pk

    def item_status(self, pk: int | None) -> ItemStatus:
        item = (
            DisclosureItemPage.objects.filter(pk=pk).first() if pk is not None else None
        )
        if item is None:
            return ItemStatus(pk or 0, MISSING, LABELS[MISSING])
        from django.utils import timezone

        if item.withdrawn_at is not None:
            status = WITHDRAWN
        elif item.live:
            status = PUBLISHED
        else:
            state = workflow_state_for(item)
            if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
                status = IN_REVIEW
            elif (
                state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES
            ):
                status = NEEDS_CHANGES
            else:
                status = DRAFT
        published_on = (
            timezone.localtime(item.first_published_at).date()
            if item.first_published_at and status == PUBLISHED
            else None
        )
        url = item.url if status == PUBLISHED else ""
        if not url:
            from django.urls import reverse

            url = reverse("wagtailadmin_pages:edit", args=[item.pk])
        return ItemStatus(
            item.pk,
            status,
            LABELS[status],
            published_on=published_on,
            withdrawn_reason=item.withdrawal_reason if status == WITHDRAWN else "",
            url=url or "",
        )


disclosure = Disclosure()
