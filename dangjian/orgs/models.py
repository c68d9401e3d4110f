"""Organisations, people and the roles people hold in organisations."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet


class OrganisationQuerySet(MP_NodeQuerySet):
    def units(self):
        """Organisations that are units (not branches)."""
        return self.exclude(kind=Organisation.Kind.BRANCH)

    def branches(self):
        return self.filter(kind=Organisation.Kind.BRANCH)

    def maintaining_kb(self):
        return self.filter(maintains_kb=True)


# django-stubs cannot follow a manager built by from_queryset() as a base.
class OrganisationManager(MP_NodeManager.from_queryset(OrganisationQuerySet)):  # type: ignore[misc]
    def get_queryset(self):
        return OrganisationQuerySet(self.model).order_by("path")


class Organisation(MP_Node):
    """A node of the city's tree: committee → departments/districts → branches."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("党委")
        GOVERNMENT = "government", _("人民政府")
        PARTY_DEPARTMENT = "party_department", _("党委部门")
        GOVERNMENT_DEPARTMENT = "government_department", _("政府部门")
        # 工会、共青团、妇联、红十字会、残联 …: people's organisations led by
        # the party, not departments of the government.
        MASS_ORGANISATION = "mass_organisation", _("群团组织")
        DISTRICT = "district", _("区")
        SUBDISTRICT = "subdistrict", _("街道/镇")
        PUBLIC_SERVICE = "public_service", _("公共服务单位")
        BRANCH = "branch", _("党支部")

    name: models.CharField[str, str] = models.CharField(
        _("名称"), max_length=100, unique=True
    )
    short_name: models.CharField[str, str] = models.CharField(
        _("简称"), max_length=40, blank=True
    )
    kind: models.CharField[str, str] = models.CharField(
        _("类型"), max_length=32, choices=Kind.choices
    )
    maintains_kb: models.BooleanField[bool, bool] = models.BooleanField(
        _("维护12345知识库"), default=False
    )
    is_active: models.BooleanField[bool, bool] = models.BooleanField(
        _("启用"), default=True
    )

    # No node_order_by: children keep the order they were added in (the
    # official order of units.json), and paths never shift under a new sibling.

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")

    def __str__(self):
        return self.name

    @property
    def is_branch(self) -> bool:
        return self.kind == self.Kind.BRANCH

    def unit(self) -> Organisation:
        """Returns the nearest ancestor (or self) that is a unit, not a branch."""
        if not self.is_branch:
            return self
        return self.get_ancestors().units().last() or self


class Person(AbstractUser):  # type: ignore[django-manager-missing]
    """A member of the platform: cadre, party member, community worker, or admin.

    Chinese names are kept whole in ``name``; ``first_name`` and ``last_name``
    stay for Django's and Wagtail's forms but are not used for display.
    """

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    mobile = models.CharField(_("手机号"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")

    def __str__(self):
        return self.get_full_name()

    def get_full_name(self):
        return self.name or f"{self.last_name}{self.first_name}" or self.username

    def get_short_name(self):
        return self.get_full_name()


class Role(models.TextChoices):
    UNIT_ADMIN = "unit_admin", _("单位管理员")
    EDITOR = "editor", _("编辑")
    REVIEWER = "reviewer", _("保密审查员")
    APPROVER = "approver", _("审批人")
    MEMBER = "member", _("成员")


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(person__is_active=True, organisation__is_active=True)

    def with_role(self, role: str):
        return self.filter(role=role)


class Membership(models.Model):
    """A role a person holds in one organisation. A person may hold many."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("人员"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("组织"),
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    title = models.CharField(_("职务"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("加入时间"), default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织角色")
        verbose_name_plural = _("组织角色")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation", "role"], name="unique_membership_role"
            )
        ]

    def __str__(self):
        return f"{self.person} · {self.organisation} · {self.get_role_display()}"


class RoleGroup(models.Model):
    """Links the Django group that carries the permissions of one role in one unit."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="role_groups"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    group = models.OneToOneField(
        Group, on_delete=models.CASCADE, related_name="role_of"
    )

    class Meta:
        verbose_name = _("角色用户组")
        verbose_name_plural = _("角色用户组")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "role"], name="unique_role_group"
            )
        ]

    def __str__(self):
        return self.group.name
