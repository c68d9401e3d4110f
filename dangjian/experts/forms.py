"""Forms of the public site, shared with the API so both validate alike."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.experts.models import PolicyDomain
from dangjian.experts.validation import (
    ATTACHMENT_TYPES,
    max_attachments,
    normalise_credit_code,
    validate_attachment,
    validate_credit_code,
    validate_mobile,
)

TEXT_MIN = 10
TEXT_MAX = 2000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": _accept()}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _accept() -> str:
    return ",".join(f".{ext}" for ext in ATTACHMENT_TYPES)


class QuestionForm(forms.Form):
    company_name = forms.CharField(
        label=gettext_lazy("企业名称"),
        max_length=100,
        error_messages={"required": gettext_lazy("请填写企业名称")},
    )
    credit_code = forms.CharField(
        label=gettext_lazy("统一社会信用代码（选填）"), max_length=30, required=False
    )
    contact_name = forms.CharField(
        label=gettext_lazy("联系人"),
        max_length=30,
        error_messages={"required": gettext_lazy("请填写联系人")},
    )
    mobile = forms.CharField(
        label=gettext_lazy("手机号"),
        max_length=20,
        error_messages={"required": gettext_lazy("请填写手机号")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("电子邮箱（选填，用于接收答复通知）"),
        required=False,
        error_messages={"invalid": gettext_lazy("电子邮箱格式不正确")},
    )
    domain = forms.ModelChoiceField(
        label=gettext_lazy("政策领域"),
        queryset=PolicyDomain.objects.active(),
        empty_label=gettext_lazy("请选择"),
        error_messages={
            "required": gettext_lazy("请选择政策领域"),
            "invalid_choice": gettext_lazy("所选政策领域不存在"),
        },
    )
    text = forms.CharField(
        label=gettext_lazy("问题描述"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": gettext_lazy("请描述您的问题")},
    )
    attachments = MultipleFileField(label=gettext_lazy("附件（选填）"), required=False)
    submission_key = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput
    )

    def clean_company_name(self):
        value = self.cleaned_data["company_name"].strip()
        if len(value) < 2:
            raise ValidationError(_("企业名称至少2个字"))
        return value

    def clean_contact_name(self):
        return self.cleaned_data["contact_name"].strip()

    def clean_credit_code(self):
        value = normalise_credit_code(self.cleaned_data.get("credit_code", ""))
        if value:
            validate_credit_code(value)
        return value

    def clean_mobile(self):
        value = "".join(self.cleaned_data["mobile"].split()).removeprefix("+86")
        validate_mobile(value)
        return value

    def clean_text(self):
        value = self.cleaned_data["text"].strip()
        if len(value) < TEXT_MIN:
            raise ValidationError(
                _("问题描述至少%(n)d个字，请说明具体情况") % {"n": TEXT_MIN}
            )
        if len(value) > TEXT_MAX:
            raise ValidationError(_("问题描述不能超过%(n)d字") % {"n": TEXT_MAX})
        return value

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) > max_attachments():
            raise ValidationError(_("附件最多%(n)d个") % {"n": max_attachments()})
        errors = []
        for upload in files:
            try:
                validate_attachment(upload)
            except ValidationError as exc:
                errors.extend(exc.error_list)
        if errors:
            raise ValidationError(errors)
        return files

    def clean_submission_key(self):
        return self.cleaned_data.get("submission_key", "").strip() or None

    def submission(self) -> dict:
        """The cleaned fields as ``do_submit_question`` takes them."""
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "company_name",
                "credit_code",
                "contact_name",
                "mobile",
                "email",
                "domain",
                "text",
                "attachments",
                "submission_key",
            )
        }


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("评分"),
        choices=[(str(n), f"{n}分") for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("请选择评分"),
            "invalid_choice": gettext_lazy("请选择1到5分"),
        },
    )
    comment = forms.CharField(
        label=gettext_lazy("评价（选填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("答复内容"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": gettext_lazy("请填写答复内容")},
    )
