from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from dangjian.members.models import Category, MemberProfile, Sex, Status
from dangjian.orgs.models import Organisation

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


class ArrivalForm(forms.Form):
    """A member arriving from outside the city with an introduction letter.
    The member's fields are checked by the roster importer's rules
    (``arrivals.check_register_arrival``), so the messages are the same."""

    letter_number = forms.CharField(label=_("介绍信编号"), max_length=30)
    issuer = forms.CharField(
        label=_("开具介绍信的党组织（市外，全称）"), max_length=100
    )
    branch = forms.ModelChoiceField(
        label=_("接收党支部"), queryset=Organisation.objects.none()
    )
    name = forms.CharField(label=_("姓名"), max_length=50)
    sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices)
    ethnicity = forms.CharField(label=_("民族"), max_length=20, required=False)
    birth_date = forms.CharField(
        label=_("出生日期"),
        max_length=20,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("可不填：按身份证号推算"),
    )
    id_number = forms.CharField(label=_("身份证号"), max_length=18)
    mobile = forms.CharField(
        label=_("手机号"),
        max_length=20,
        required=False,
        help_text=_("党员用它收取短信验证码、激活账号"),
    )
    education = forms.CharField(label=_("学历"), max_length=30, required=False)
    joined_on = forms.CharField(
        label=_("入党日期"),
        max_length=20,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    full_member_on = forms.CharField(
        label=_("转正日期"),
        max_length=20,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    category = forms.ChoiceField(label=_("党员类别"), choices=Category.choices)
    position = forms.CharField(label=_("职务"), max_length=50, required=False)

    ROW = {
        "name": "姓名",
        "sex": "性别",
        "ethnicity": "民族",
        "birth_date": "出生日期",
        "id_number": "身份证号",
        "mobile": "手机号",
        "education": "学历",
        "joined_on": "入党日期",
        "full_member_on": "转正日期",
        "category": "党员类别",
        "position": "职务",
    }

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]

    def row(self) -> dict[str, str]:
        """The member's data keyed like a roster row."""
        return {column: self.cleaned_data[f] for f, column in self.ROW.items()}
