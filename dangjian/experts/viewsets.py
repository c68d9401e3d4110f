"""Wagtail admin views of the policy-expert service (registered in wagtail_hooks).

* 企业问题: an expert sees and answers only their own questions; a unit admin
  sees their unit's experts' questions and may reassign them; platform admins
  see everything. Nobody adds or deletes questions here.
* 专员名录: unit admins keep their unit's experts; platform admins all.
* 政策领域: platform admins.

Every change a form makes goes through the actions.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, HelpPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from dangjian.experts.actions import (
    check_answer_access,
    check_answer_question,
    check_reassign_question,
    do_save_expert,
)
from dangjian.experts.models import Expert, PolicyDomain, Question
from dangjian.orgs.models import Role
from dangjian.orgs.permissions import UnitScopedViewSetMixin
from dangjian.orgs.scope import managed_organisations


class QuestionAdminForm(WagtailAdminModelForm):
    answer = forms.CharField(
        label=_("答复内容"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("首次答复后，企业将收到短信和邮件通知"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.previous_expert_id = self.instance.expert_id
        user = self.for_user
        try:
            check_answer_access(self.instance, user)
            can_answer = self.instance.status in (
                Question.Status.ASSIGNED,
                Question.Status.ANSWERED,
            )
        except PermissionDenied:
            can_answer = False
        if not can_answer:
            self.fields.pop("answer", None)
        if "expert" in self.fields:
            self.fields["expert"].queryset = (
                Expert.objects.managed_by(user).active().select_related("unit")
            )
            self.fields["expert"].required = False
            if self.instance.status not in (
                Question.Status.NEW,
                Question.Status.ASSIGNED,
            ):
                self.fields["expert"].disabled = True

    def clean(self):
        cleaned = super().clean()
        expert = cleaned.get("expert")
        reassigning = (
            "expert" in self.fields
            and not self.fields["expert"].disabled
            and expert is not None
            and expert.pk != self.previous_expert_id
        )
        if reassigning and cleaned.get("answer"):
            raise ValidationError(_("答复和改派请分两次操作"))
        self.reassign_to = expert if reassigning else None
        return cleaned

    def save(self, commit=True):
        # Every change goes through the audited actions, never a bare save.
        question = Question.objects.get(pk=self.instance.pk)
        try:
            if self.cleaned_data.get("answer"):
                check_answer_question(
                    question, self.cleaned_data["answer"], acting_user=self.for_user
                )
            if self.reassign_to is not None:
                check_reassign_question(
                    question, self.reassign_to, acting_user=self.for_user
                )
        except ValidationError as exc:
            # Rare: the question changed since the form was shown.
            raise PermissionDenied("; ".join(exc.messages)) from exc
        return Question.objects.get(pk=question.pk)


class QuestionIndexView(generic.IndexView):
    def get_base_queryset(self) -> QuerySet[Question]:
        return super().get_base_queryset().select_related("domain", "expert__unit")


class QuestionViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = Question
    icon = "help"
    menu_label = _("企业问题")
    add_to_admin_menu = False
    index_view_class = QuestionIndexView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        Column("summary", label=_("问题"), accessor="summary"),
        "company_name",
        "domain",
        "expert",
        "status",
        "due_at",
        "rating",
    ]
    list_filter = ["status", "domain"]
    search_fields = ["company_name", "text"]
    edit_handler = ObjectList(
        [
            HelpPanel(template="experts/admin/question_panel.html", heading=_("问题")),
            FieldPanel("answer"),
            FieldPanel("expert", permission="experts.reassign_question"),
        ],
        base_form_class=QuestionAdminForm,
    )


class ExpertAdminForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.previous_person_id = self.instance.person_id
        if "unit" in self.fields:
            self.fields["unit"].queryset = managed_organisations(
                self.for_user, [Role.UNIT_ADMIN]
            ).units()
        if "domains" in self.fields:
            self.fields["domains"].queryset = PolicyDomain.objects.active()

    def save(self, commit=True):
        expert = super().save(commit=False)
        return do_save_expert(
            expert,
            self.cleaned_data.get("domains"),
            acting_user=self.for_user,
            previous_person_id=self.previous_person_id,
        )


class ExpertIndexView(generic.IndexView):
    def get_base_queryset(self) -> QuerySet[Expert]:
        return super().get_base_queryset().select_related("unit")


class ExpertViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = Expert
    icon = "user"
    menu_label = _("专员名录")
    index_view_class = ExpertIndexView
    copy_view_enabled = False
    list_display = ["name", "unit", "title", "contact_hours", "is_active"]
    list_filter = ["is_active", "domains"]
    search_fields = ["name", "keywords"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("unit"),
            FieldPanel("title"),
            FieldPanel("person"),
            FieldPanel("domains", widget=forms.CheckboxSelectMultiple),
            FieldPanel("keywords"),
            FieldPanel("contact_hours"),
            FieldPanel("phone"),
            FieldPanel("email"),
            FieldPanel("bio"),
            FieldPanel("is_active"),
        ],
        base_form_class=ExpertAdminForm,
    )


class PolicyDomainViewSet(ModelViewSet):
    model = PolicyDomain
    icon = "tag"
    menu_label = _("政策领域")
    copy_view_enabled = False
    list_display = ["name", "description", "sort_order", "is_active"]
    form_fields = ["name", "keywords", "description", "sort_order", "is_active"]


class ExpertsViewSetGroup(ViewSetGroup):
    menu_label = _("政策专员")
    menu_icon = "help"
    menu_order = 500
    items = (
        QuestionViewSet("expert_questions", url_prefix="experts/questions"),
        ExpertViewSet("expert_directory", url_prefix="experts/directory"),
        PolicyDomainViewSet("policy_domains", url_prefix="experts/domains"),
    )
