"""Wagtail admin views for quiz beyond its viewsets (``viewsets.py``):
importing questions from a file, and the import template.
"""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem

from dangjian.orgs.models import Organisation
from dangjian.quiz.actions import check_import_questions
from dangjian.quiz.importing import TEMPLATE_COLUMNS, ImportFileError, read_file
from dangjian.quiz.models import Question
from dangjian.quiz.viewsets import units_for


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
            raise forms.ValidationError(_("您没有审核试题的权限，只能导入为待审核"))
        return status


MAX_UPLOAD = 20 * 1024 * 1024


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("quiz.add_question")


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
                    raise ImportFileError(gettext("文件超过 20 MB，请分批导入"))
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
