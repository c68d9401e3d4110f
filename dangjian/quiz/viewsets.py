"""Wagtail admin viewsets for quiz: the question bank, paper templates and
contests.

Editors see and edit the questions of the units they work for; only people
with ``quiz.review_question`` (reviewers, approvers, unit admins) change a
question's status, through the audited ``do_set_question_status``. Editing
a reviewed question's content sends it back to review. The permission
policies are declared here, before the viewsets that rely on them.
"""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from dangjian.orgs.models import Role
from dangjian.orgs.permissions import UnitScopedViewSetMixin, register_unit_policy
from dangjian.quiz.actions import do_set_question_status
from dangjian.quiz.draw import invalidate_pool
from dangjian.quiz.grading import dedup_key
from dangjian.quiz.importing import Row, validate_rows
from dangjian.quiz.models import Contest, PaperTemplate, Question, QuestionType

STAFF = [Role.UNIT_ADMIN, Role.EDITOR, Role.REVIEWER, Role.APPROVER]


# Each unit keeps its own questions, paper templates and contests.
question_policy = register_unit_policy(
    Question, unit_field="owner", roles=STAFF, units_only=True
)
register_unit_policy(PaperTemplate, unit_field="owner", roles=STAFF, units_only=True)
register_unit_policy(Contest, unit_field="owner", roles=STAFF, units_only=True)


def units_for(user):
    """Units whose questions the person keeps (the owners they may choose)."""
    return question_policy.managed_units(user)


class QuestionForm(WagtailAdminModelForm):
    options_text = forms.CharField(
        label=_("选项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("每行一个选项，依次为 A、B、C……；判断题与填空题留空"),
    )
    answer_text = forms.CharField(
        label=_("答案"),
        help_text=_(
            "选择题填字母（如 B 或 ACD）；判断题填 正确/错误；"
            "填空题各空用 | 分隔，同一空的可接受答案用 / 分隔"
        ),
    )

    class Meta:
        model = Question
        fields = [
            "owner",
            "type",
            "stem",
            "options_text",
            "answer_text",
            "explanation",
            "source",
            "reference",
            "reference_section",
            "reference_url",
            "provenance",
            "category",
            "difficulty",
            "status",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        self.fields["owner"].queryset = units_for(user)
        self.can_review = user.has_perm("quiz.review_question")
        if not self.can_review:
            self.fields.pop("status")
        q = self.instance
        if q.pk:
            self.fields["options_text"].initial = "\n".join(q.options)
            if q.type == QuestionType.FILL:
                self.fields["answer_text"].initial = "|".join(
                    "/".join(a) for a in q.answer
                )
            else:
                self.fields["answer_text"].initial = q.answer_display()

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        row = Row(
            line=0,
            type=cleaned.get("type", ""),
            stem=cleaned.get("stem", ""),
            options=[
                o for o in cleaned.get("options_text", "").splitlines() if o.strip()
            ],
            raw_answer=cleaned.get("answer_text", ""),
            category=cleaned.get("category", ""),
        )
        if row.type == QuestionType.FILL:
            row.answer = [
                [a.strip() for a in blank.split("/") if a.strip()]
                for blank in row.raw_answer.split("|")
            ]
        validate_rows([row])
        if row.errors:
            raise forms.ValidationError(row.errors)
        self.row = row
        return cleaned

    def save(self, commit=True):
        previous = (
            Question.objects.filter(pk=self.instance.pk)
            .values("type", "stem", "options", "answer", "status")
            .first()
        )
        question = super().save(commit=False)
        row = self.row
        content_changed = previous is not None and (
            previous["type"] != row.type
            or previous["stem"] != row.stem
            or previous["options"] != row.options
            or previous["answer"] != row.answer
        )
        question.options = row.options
        question.answer = row.answer
        question.dedup_key = dedup_key(row.stem, row.options)
        new_status = self.cleaned_data.get("status")
        # Status changes go through the audited action below, never the form.
        question.status = previous["status"] if previous else Question.Status.DRAFT
        with transaction.atomic():
            question.save()
            if self.can_review and new_status:
                do_set_question_status(question, new_status, acting_user=self.for_user)
            elif content_changed and question.status == Question.Status.REVIEWED:
                # Changed wording needs a fresh review before it is drawn again.
                do_set_question_status(
                    question, Question.Status.DRAFT, acting_user=self.for_user
                )
        transaction.on_commit(invalidate_pool)
        return question


class QuestionViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = Question
    icon = "help"
    menu_label = _("题库")
    add_to_admin_menu = False
    list_display = ["stem", "type", "category", "difficulty", "status", "owner"]
    list_filter = ["type", "status", "category", "difficulty"]
    search_fields = ["stem", "category"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return QuestionForm


class PaperTemplateViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = PaperTemplate
    icon = "list-ul"
    menu_label = _("组卷规则")
    list_display = ["name", "mode", "time_limit_seconds", "is_active", "owner"]
    list_filter = ["mode", "is_active"]
    copy_view_enabled = False


class ContestViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = Contest
    icon = "pick"
    menu_label = _("知识竞赛")
    list_display = ["title", "starts_at", "ends_at", "max_attempts", "is_published"]
    copy_view_enabled = False
    form_fields = [
        "title",
        "description",
        "template",
        "owner",
        "starts_at",
        "ends_at",
        "eligible",
        "max_attempts",
        "is_published",
    ]


class QuizViewSetGroup(ViewSetGroup):
    menu_label = _("答题与竞赛")
    menu_icon = "help"
    menu_order = 500
    items = (
        QuestionViewSet("quiz_questions"),
        PaperTemplateViewSet("quiz_templates"),
        ContestViewSet("quiz_contests"),
    )
