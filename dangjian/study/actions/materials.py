"""Setting up the study column and units' sections, publishing and importing
materials, and who may open a material."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

from dangjian.orgs.models import Organisation, Role
from dangjian.orgs.roles import ensure_role_group, grant_unit_pages
from dangjian.study.actions.points import ensure_rules
from dangjian.study.models import MaterialPage, StudyIndexPage, StudySectionPage
from dangjian.study.models.materials import (
    MATERIAL_STAFF,
    can_open_material,
    works_on_material,
)
from dangjian.study.search import index_materials_on_commit

__all__ = [
    "MATERIAL_STAFF",
    "can_open_material",
    "do_ensure_column",
    "do_ensure_section",
    "do_import_materials",
    "do_publish_material",
    "ensure_unit_workflow",
    "works_on_material",
]


@transaction.atomic
def do_ensure_column(home) -> StudyIndexPage:
    column = StudyIndexPage.objects.first()
    if column is None:
        column = home.add_child(
            instance=StudyIndexPage(
                title="学习", slug="xuexi", intro="学习资料、学习计划与学习档案"
            )
        )
    ensure_rules()
    return column


def ensure_unit_workflow(organisation: Organisation) -> Workflow:
    """The unit's review before release: its reviewers, then its approvers.

    Stock Wagtail group approval tasks with the unit's own role groups, so a
    reviewer of one unit never moderates another unit's materials.
    """
    name = f"学习资料审核·{organisation.name}"
    workflow = Workflow.objects.filter(name=name).first()
    if workflow is not None:
        return workflow
    workflow = Workflow.objects.create(name=name, active=True)
    for order, (role, label) in enumerate(
        [(Role.REVIEWER, "审查"), (Role.APPROVER, "审批发布")]
    ):
        task = GroupApprovalTask.objects.create(
            name=f"{organisation.name}·学习资料{label}"
        )
        task.groups.set([ensure_role_group(organisation, role)])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
    return workflow


@transaction.atomic
def do_ensure_section(organisation: Organisation, column) -> StudySectionPage:
    """Gives a unit its section, page permissions and review workflow."""
    section = StudySectionPage.objects.filter(organisation=organisation).first()
    if section is None:
        section = column.add_child(
            instance=StudySectionPage(
                title=organisation.name,
                slug=f"u{organisation.pk}",
                organisation=organisation,
            )
        )
        grant_unit_pages(organisation, section)
    WorkflowPage.objects.get_or_create(
        page=section, defaults={"workflow": ensure_unit_workflow(organisation)}
    )
    return section


@transaction.atomic
def do_publish_material(
    section: StudySectionPage, material: MaterialPage, *, acting_user
) -> MaterialPage:
    """Adds (or updates) and publishes a material directly, without review.

    For importers run by platform admins (the demo); editors go through the
    section's workflow in the admin.
    """
    if material.pk is None:
        section.add_child(instance=material)
    revision = material.save_revision(user=acting_user, log_action=True)
    revision.publish(user=acting_user)
    return material


@transaction.atomic
def do_import_materials(
    section: StudySectionPage, materials: list[MaterialPage], *, acting_user
) -> list[MaterialPage]:
    """Adds already-approved materials live, for importers run by platform admins.

    Cheaper than a revision and a publish per page (the demo loads a whole
    report this way): each page is created live, the creation is audited,
    and the search index is updated once for the batch after commit.
    """
    now = timezone.now()
    for material in materials:
        material.live = True
        material.has_unpublished_changes = False
        material.first_published_at = material.last_published_at = now
        material.owner = acting_user
        section.add_child(instance=material)
        log(material, "wagtail.publish", user=acting_user)
    index_materials_on_commit([m.pk for m in materials])
    return materials
