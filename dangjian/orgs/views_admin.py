"""Wagtail admin for organisations, roles and API tokens."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views.generic import DeleteView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from dangjian.orgs.actions import do_grant_role, do_revoke_role
from dangjian.orgs.forms import OrganisationForm
from dangjian.orgs.models import Membership, Organisation, Role
from dangjian.orgs.permissions import UnitScopedViewSetMixin, register_unit_policy
from dangjian.orgs.scope import managed_organisations


class OrganisationViewSet(ModelViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("组织")
    list_display = ["name", "kind", "maintains_kb", "is_active"]
    list_filter = ["kind", "maintains_kb", "is_active"]
    search_fields = ["name", "short_name"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("parent"),
            FieldPanel("name"),
            FieldPanel("short_name"),
            FieldPanel("kind"),
            FieldPanel("maintains_kb"),
            FieldPanel("is_active"),
        ],
        base_form_class=OrganisationForm,
    )


class MembershipForm(WagtailAdminModelForm):
    class Meta:
        model = Membership
        fields = ["person", "organisation", "role", "title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None)
        if user is not None and "organisation" in self.fields:
            self.fields["organisation"].queryset = managed_organisations(
                user, [Role.UNIT_ADMIN]
            )

    def save(self, commit=True):
        # Roles change through the audited action, which also syncs groups.
        if self.instance.pk:
            return super().save(commit=commit)
        self.instance = do_grant_role(
            self.cleaned_data["person"],
            self.cleaned_data["organisation"],
            self.cleaned_data["role"],
            title=self.cleaned_data.get("title", ""),
            acting_user=getattr(self, "for_user", None),
        )
        return self.instance

    def clean(self):
        cleaned = super().clean()
        if (
            not self.instance.pk
            and Membership.objects.filter(
                person=cleaned.get("person"),
                organisation=cleaned.get("organisation"),
                role=cleaned.get("role"),
            ).exists()
        ):
            raise ValidationError("此人已在该组织担任该角色")
        return cleaned


class RevokeMembershipView(DeleteView):
    page_title = _("撤销角色")

    def delete_action(self):
        membership = self.object
        do_revoke_role(
            membership.person,
            membership.organisation,
            membership.role,
            acting_user=self.request.user,
        )


register_unit_policy(Membership, unit_field="organisation", roles=[Role.UNIT_ADMIN])


class MembershipViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = Membership
    icon = "user"
    menu_label = _("组织角色")
    list_display = ["person", "organisation", "role", "title", "created_at"]
    list_filter = ["role"]
    search_fields = ["person__username", "person__name", "organisation__name"]
    copy_view_enabled = False
    form_fields = ["person", "organisation", "role", "title"]
    delete_view_class = RevokeMembershipView

    def get_form_class(self, for_update=False):
        return MembershipForm


class OrgsViewSetGroup(ViewSetGroup):
    menu_label = _("组织与人员")
    menu_icon = "group"
    menu_order = 800
    items = (
        OrganisationViewSet("organisations"),
        MembershipViewSet("memberships"),
    )
