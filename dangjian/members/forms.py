from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from dangjian.members.models import Category, MemberProfile, Status

PROFILE_FIELDS = [
    "name",
    "sex",
    "ethnicity",
    "birth_date",
    "mobile",
    "education",
    "joined_on",
    "full_member_on",
    "category",
    "position",
]


class ProfileForm(WagtailAdminModelForm):
    """What a unit admin edits in place. The branch changes by a transfer,
    the status through its own form (both dated and audited), the ID number
    by re-importing."""

    class Meta:
        model = MemberProfile
        fields = PROFILE_FIELDS

    def clean(self):
        cleaned = super().clean()
        joined, full = cleaned.get("joined_on"), cleaned.get("full_member_on")
        born = cleaned.get("birth_date")
        if joined and full and full < joined:
            self.add_error("full_member_on", _("转正日期早于入党日期"))
        if born and joined and joined <= born:
            self.add_error("joined_on", _("入党日期早于出生日期"))
        if cleaned.get("category") == Category.PROBATIONARY and full:
            self.add_error("full_member_on", _("预备党员不应填写转正日期"))
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("名册文件"),
        help_text=_(
            "CSV（UTF-8 或 GBK）或 Excel（.xlsx）；第一行为列名：姓名、性别、民族、"
            "出生日期、身份证号、手机号、学历、入党日期、转正日期、党员类别、所在党组织、职务"
        ),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("新的党籍状态"), choices=Status.choices)
    effective_on = forms.DateField(label=_("生效日期"))
    reason = forms.CharField(label=_("原因"), max_length=200)

    def __init__(self, *args, current: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current

    def clean_status(self):
        status = self.cleaned_data["status"]
        if status == self.current:
            raise ValidationError(_("党籍状态没有变化"))
        return status


class TransferForm(forms.Form):
    to_branch = forms.IntegerField(widget=forms.HiddenInput, required=False)
    to_branch_name = forms.CharField(label=_("转入党组织（全称）"), max_length=100)
    effective_on = forms.DateField(label=_("生效日期"))
    reason = forms.CharField(label=_("转接原因"), max_length=200, required=False)


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("拒绝理由"), max_length=200)
