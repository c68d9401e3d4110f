"""The member registry in the Wagtail admin, scoped to the person's units."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button

from dangjian.members.forms import PROFILE_FIELDS, ProfileForm
from dangjian.members.models import MemberProfile
from dangjian.orgs.permissions import UnitScopedViewSetMixin


class ImportInsteadView(generic.CreateView):
    """Members are registered by importing a roster (with their ID number)."""

    def dispatch(self, request, *args, **kwargs):
        return redirect("members_import")


class ProfileEditView(generic.EditView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        buttons.append(
            Button(
                _("档案、状态与转接"),
                url=reverse("members_record", args=[self.object.pk]),
                icon_name="doc-full",
                priority=5,
            )
        )
        return buttons


class MemberProfileViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = MemberProfile
    icon = "user"
    menu_label = _("党员名册")
    menu_order = 810
    add_to_admin_menu = True
    url_prefix = "members/profiles"
    list_display = [
        "name",
        Column("branch", label=_("所在党组织")),
        Column("id_masked", label=_("身份证号")),
        "category",
        "status",
        "activated_at",
    ]
    list_filter = ["status", "category", "sex"]
    search_fields = ["name", "mobile"]
    copy_view_enabled = False
    form_fields = PROFILE_FIELDS
    add_view_class = ImportInsteadView
    edit_view_class = ProfileEditView

    def get_form_class(self, for_update=False):
        return ProfileForm

    def get_queryset(self, request):
        return MemberProfile.objects.select_related("branch")
