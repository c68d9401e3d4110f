"""How roles in a unit map to Django groups and Wagtail permissions.

Each (unit, role) pair other than plain membership has one Django group,
named "<unit>·<role>". The group carries:

* model permissions for the role (``ROLE_MODEL_PERMISSIONS``), which the
  capability apps extend with ``register_role_permissions`` in their
  ``AppConfig.ready``; and
* page permissions on the unit's own pages only (``grant_unit_pages``),
  so an editor of one unit cannot touch another unit's pages.

Snippets owned by a unit (knowledge entries, questions) filter their admin
querysets with ``dangjian.orgs.scope.managed_organisations``.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from dangjian.orgs.models import Membership, Organisation, Role, RoleGroup

# Roles with a group. Plain members do not use the admin.
STAFF_ROLES = [Role.UNIT_ADMIN, Role.EDITOR, Role.REVIEWER, Role.APPROVER]

ROLE_MODEL_PERMISSIONS: dict[str, set[str]] = {
    # Unit admins appoint and remove people in their unit and its branches.
    Role.UNIT_ADMIN: {
        "wagtailadmin.access_admin",
        "orgs.add_membership",
        "orgs.change_membership",
        "orgs.delete_membership",
        "orgs.view_membership",
    },
    Role.EDITOR: {
        "wagtailadmin.access_admin",
        "wagtailimages.add_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.choose_document",
    },
    Role.REVIEWER: {"wagtailadmin.access_admin"},
    Role.APPROVER: {"wagtailadmin.access_admin"},
}

ROLE_PAGE_PERMISSIONS: dict[str, list[str]] = {
    Role.UNIT_ADMIN: [
        "add_page",
        "change_page",
        "publish_page",
        "lock_page",
        "unlock_page",
    ],
    # Editors draft and submit; releasing is the approver's step of the workflow.
    Role.EDITOR: ["add_page", "change_page"],
    Role.REVIEWER: ["change_page"],
    Role.APPROVER: ["change_page", "publish_page"],
}


def register_role_permissions(role: str, *permissions: str) -> None:
    """Adds model permissions ("app_label.codename") to a role in every unit."""
    ROLE_MODEL_PERMISSIONS.setdefault(role, set()).update(permissions)


def group_name(organisation: Organisation, role: str) -> str:
    return f"{organisation.name}·{Role(role).label}"


def _permission_ids(codes: set[str]) -> set[int]:
    """Ids of "app_label.codename" permissions, in one query."""
    condition = Q(pk__in=[])
    for code in codes:
        app_label, codename = code.split(".", 1)
        condition |= Q(content_type__app_label=app_label, codename=codename)
    return set(Permission.objects.filter(condition).values_list("pk", flat=True))


def ensure_role_group(
    organisation: Organisation, role: str, *, permission_ids: set[int] | None = None
) -> Group:
    """Returns the group of this role in this organisation, with current permissions.

    ``permission_ids`` saves the look-up when many groups are set up at once.
    """
    link = (
        RoleGroup.objects.filter(organisation=organisation, role=role)
        .select_related("group")
        .first()
    )
    if link is None:
        group, _created = Group.objects.get_or_create(
            name=group_name(organisation, role)
        )
        RoleGroup.objects.create(organisation=organisation, role=role, group=group)
    else:
        group = link.group
    wanted = permission_ids
    if wanted is None:
        wanted = _permission_ids(ROLE_MODEL_PERMISSIONS.get(role, set()))
    if set(group.permissions.values_list("pk", flat=True)) != wanted:
        group.permissions.set(wanted)
    _grant_collections(group, wanted)
    return group


def _grant_collections(group: Group, permission_ids: set[int]) -> None:
    """Documents and images are permitted per collection in Wagtail, not by
    the model permission alone: the group's document and image permissions
    hold on the root collection too, so editors can upload and choose files.
    Which files a chooser lists is narrowed by ``admin_guard``'s scope."""
    from wagtail.models import Collection, GroupCollectionPermission

    root = Collection.get_first_root_node()
    if root is None:
        return
    wanted = set(
        Permission.objects.filter(
            pk__in=permission_ids,
            content_type__app_label__in=("wagtaildocs", "wagtailimages"),
        ).values_list("pk", flat=True)
    )
    held = set(
        GroupCollectionPermission.objects.filter(
            group=group, collection=root
        ).values_list("permission_id", flat=True)
    )
    GroupCollectionPermission.objects.bulk_create(
        [
            GroupCollectionPermission(group=group, collection=root, permission_id=pk)
            for pk in wanted - held
        ]
    )
    if held - wanted:
        GroupCollectionPermission.objects.filter(
            group=group, collection=root, permission_id__in=held - wanted
        ).delete()


def grant_unit_pages(organisation: Organisation, page) -> None:
    """Gives the unit's role groups their permissions on ``page`` and its subtree."""
    grant_units_pages([(organisation, page)])


def grant_units_pages(pairs) -> None:
    """``grant_unit_pages`` for many (organisation, page) pairs at once."""
    from wagtail.models import GroupPagePermission

    page_permissions = {
        p.codename: p
        for p in Permission.objects.filter(
            content_type__app_label="wagtailcore",
            codename__in={c for codes in ROLE_PAGE_PERMISSIONS.values() for c in codes},
        )
    }
    model_permissions = {
        role: _permission_ids(ROLE_MODEL_PERMISSIONS.get(role, set()))
        for role in STAFF_ROLES
    }
    rows = []
    for organisation, page in pairs:
        for role in STAFF_ROLES:
            group = ensure_role_group(
                organisation, role, permission_ids=model_permissions[role]
            )
            rows += [
                GroupPagePermission(
                    group=group, page=page, permission=page_permissions[c]
                )
                for c in ROLE_PAGE_PERMISSIONS[role]
            ]
    # The (group, page, permission) triple is unique: existing grants are kept.
    GroupPagePermission.objects.bulk_create(rows, ignore_conflicts=True)


def sync_person_groups(person) -> None:
    """Makes the person's role groups match their memberships.

    Groups that are not role groups (added by hand in the admin) are kept.
    """
    wanted = set()
    for organisation_id, role in Membership.objects.filter(
        person=person, role__in=STAFF_ROLES
    ).values_list("organisation_id", "role"):
        organisation = Organisation.objects.get(pk=organisation_id)
        wanted.add(ensure_role_group(organisation, role).pk)
    current_role_groups = set(
        person.groups.filter(role_of__isnull=False).values_list("pk", flat=True)
    )
    if current_role_groups - wanted:
        person.groups.remove(*(current_role_groups - wanted))
    if wanted - current_role_groups:
        person.groups.add(*(wanted - current_role_groups))
