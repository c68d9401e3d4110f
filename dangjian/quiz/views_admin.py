"""Wagtail admin: the question bank, paper templates, contests, and file import.

Editors see and edit the questions of the units they work for; only people
with ``quiz.review_question`` (reviewers, approvers, unit admins) change a
question's status, through the audited ``do_set_question_status``. Editing
a reviewed question's content sends it back to review.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from dangjian.orgs.models import Organisation, Role
from dangjian.orgs.permissions import UnitScopedViewSetMixin, register_unit_policy
from dangjian.quiz.actions import check_import_questions, do_set_question_status
from dangjian.quiz.draw import invalidate_pool
from dangjian.quiz.grading import dedup_key
from dangjian.quiz.importing import (
    TEMPLATE_COLUMNS,
    ImportFileError,
    Row,
    read_file,
    validate_rows,
)
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


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("试题文件"), help_text=_("Excel（.xlsx）、CSV（UTF-8 或 GBK）或 JSONL")
    )
    owner = forms.ModelChoiceField(
        label=_("所属单位"), queryset=Organisation.objects.none()
    )
    status = forms.ChoiceField(
        label=_("导入后状态"),
        choices=[
            (Question.Status.DRAFT, _("待审核")),
            (Question.Status.REVIEWED, _("已审核（需审核权限）")),
        ],
    )
    category = forms.CharField(label=_("统一分类"), required=False, max_length=50)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["owner"].queryset = units_for(user)

    def clean_status(self):
        status = self.cleaned_data["status"]
        if status == Question.Status.REVIEWED and not self.user.has_perm(
            "quiz.review_question"
        ):
            raise forms.ValidationError("您没有审核试题的权限，只能导入为待审核")
        return status


MAX_UPLOAD = 20 * 1024 * 1024


@permission_required("quiz.add_question", raise_exception=True)
def import_view(request):
    report = None
    file_error = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > MAX_UPLOAD:
                    raise ImportFileError("文件超过 20 MB，请分批导入")
                rows = read_file(upload.name, upload.read())
                report = check_import_questions(
                    rows,
                    owner=form.cleaned_data["owner"],
                    status=form.cleaned_data["status"],
                    category=form.cleaned_data["category"],
                    acting_user=request.user,
                )
            except ImportFileError as exc:
                file_error = str(exc)
    else:
        form = ImportForm(user=request.user)
    return render(
        request,
        "quiz/admin/import.html",
        {
            "form": form,
            "report": report,
            "file_error": file_error,
            "columns": TEMPLATE_COLUMNS,
        },
        status=400 if (file_error or (report and report.errors)) else 200,
    )


def import_template_view(request):
    """The CSV template with two example rows (UTF-8 with BOM, so Excel reads it)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TEMPLATE_COLUMNS)
    blank = [""] * 8
    writer.writerow(
        ["", "单选", "中国共产党成立于（ ）年。", "1921", "1919", "1927", "1949"]
        + blank[4:]
        + ["A", "1921年7月召开党的一大。", "党的理论", "党史", "易", "党史"]
    )
    writer.writerow(
        ["", "填空", "江山就是人民，人民就是____。"]
        + blank
        + ["江山", "", "二十大", "二十大", "中", "党的二十大报告"]
    )
    response = HttpResponse(
        "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        'attachment; filename="quiz-questions-template.csv"'
    )
    return response
