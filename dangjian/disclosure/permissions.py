"""Who may publish a disclosure item outside the workflow, and pick it in a form.

Approvers and unit admins hold Wagtail's ``publish_page`` on their unit's
pages (so the workflow can publish on their approval), but they must not use
it to skip the workflow. Publishing is allowed only for a revision the
release workflow approved; superusers may publish anything, and that is
audited as a direct release (see ``actions.do_record_release``).
"""

from __future__ import annotations

from django.apps import apps
from wagtail.models import PagePermissionTester, Revision, WorkflowState


def revision_approved_by_workflow(page) -> bool:
    """Returns True when the page's latest revision is the one its last workflow approved."""
    latest_id = (
        Revision.objects.filter(
            base_content_type_id=page.get_base_content_type().pk,
            object_id=str(page.pk),
        )
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    state = (
        WorkflowState.objects.for_instance(page)
        .order_by("-created_at", "-pk")
        .select_related("current_task_state")
        .first()
    )
    return bool(
        latest_id
        and state is not None
        and state.status == WorkflowState.STATUS_APPROVED
        and state.current_task_state is not None
        and state.current_task_state.revision_id == latest_id
    )


class DisclosurePagePermissionTester(PagePermissionTester):
    def can_publish(self):
        if not super().can_publish():
            return False
        if self.user.is_superuser:
            return True
        return bool(self.page.pk) and revision_approved_by_workflow(self.page)

    def can_unpublish(self):
        # Withdrawal goes through do_withdraw_item, which records the reason.
        return self.user.is_superuser and super().can_unpublish()

    def can_publish_subpage(self):
        return False


class DisclosureSectionPermissionTester(PagePermissionTester):
    def can_publish_subpage(self):
        # "Create and publish" in one go would skip the release workflow.
        return self.user.is_superuser and super().can_publish_subpage()


def _items():
    # The model is looked up in the registry: models.py imports the testers
    # above, so this module cannot import models.py.
    return apps.get_model("disclosure", "DisclosureItemPage")


def choosable_items(user):
    """Disclosure items the person may pick in a chooser or a form field
    (``DisclosureItemQuerySet.choosable_by``, where the rule lives)."""
    return _items().objects.choosable_by(user)


def narrow_to_choosable_items(user, queryset):
    """``queryset`` (of items or of pages) without items the person may not pick."""
    if user is not None and user.is_authenticated and user.is_superuser:
        return queryset
    hidden = _items().objects.exclude(pk__in=choosable_items(user).values("pk"))
    return queryset.exclude(pk__in=hidden.values("pk"))
